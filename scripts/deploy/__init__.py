"""Deploy: what takes a built site to readers, after the build stage.

- csp.py: the Content-Security-Policy of a built site (its own origin only;
  the inline scripts and styles of its pages allowed by their sha256 hashes).
- nginx.py: the web server's configuration, generated from mkdocs.yml and the
  built site (nginx.conf.j2).
- publish.py: a built site copied to a release folder of a local web root or a
  remote host (rsync, over SSH), made live by switching one symlink; rollback.
- gate.py: the release gate run before publishing (`check --release`): the
  repository's release rules and the built pages' (links, placeholders).
"""
