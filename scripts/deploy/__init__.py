"""Deploy: what takes a built site to readers, after the build stage.

- csp.py: the Content-Security-Policy of a built site (its own origin only;
  the inline scripts and styles of its pages allowed by their sha256 hashes).
- nginx.py: the web server's configuration, generated from mkdocs.yml and the
  built site (nginx.conf.j2); for a site under a path of a parent platform's
  host, also the snippet for the parent's server block (nginx-location.conf.j2).
- publish.py: a built site copied to a release folder of a local web root or a
  remote host (rsync, over SSH), made live by switching one symlink; rollback.
- manifest.py: each release's signed list of files (Ed25519, the key stays
  on the publishing machine); verify.py: the server's tamper check against it
  (restore, quarantine, alarm), run by the systemd timer verifyconf.py writes.
- gate.py: the release gate run before publishing (`check --release`): the
  repository's release rules and the built pages' (links, placeholders).
"""
