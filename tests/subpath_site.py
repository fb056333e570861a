"""The fixture site hosted under a path of a parent platform's host
(site_url https://dangjian.test/dangjian/), as tests/test_subpath.py and
tests/browser/test_subpath_browser.py need it: built, published to a local
target (the real release layout: `current` a symlink to the release), and
served by Debian's nginx under /dangjian/ in the two ways the generated
configuration offers:

- standalone: the whole configuration of `make nginx-conf` (a server of its
  own for the host, the site at /dangjian/);
- snippet: the parent platform's server block, written here the way a
  platform's administrator might have it (its own root, headers, error page
  and regex locations that would capture our files), with our generated
  snippet included.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from scripts.build.pipeline import build_site
from scripts.deploy import nginx
from scripts.deploy.publish import Target, publish
from scripts.dev import nginx_server
from scripts.editor.ports import free_port
from tests.browser.film import add_test_film
from tests.conftest import Repo

HOST = "dangjian.test"            # a reserved name (RFC 2606), mapped to 127.0.0.1
PREFIX = "/dangjian/"
SITE_URL = f"https://{HOST}{PREFIX}"
PARENT_HOME = "上级平台首页"
PARENT_404 = "上级平台的404页"
PARENT_HEADER = "X-Parent-Platform"


@dataclass
class Hosted:
    repo: Path
    site: Path                    # as built (the published release is a copy)
    target: Path                  # the publishing target
    film: str                     # the id of the film with media and subtitles


def build_and_publish(work: Path) -> Hosted:
    (work / "repo").mkdir(parents=True)
    repo = Repo(work / "repo", with_content=True)
    config = repo.path / "网站设置.yml"
    config.write_text(re.sub(r"(?m)^site_url:.*$", f"site_url: {SITE_URL}", config.read_text(encoding="utf-8")),
                      encoding="utf-8")
    film = add_test_film(repo.path)
    site = build_site(repo.path, work / "site")
    target = work / "www"
    publish(site, Target.parse(str(target)))
    return Hosted(repo.path, site, target, film)


def standalone(hosted: Hosted, folder: Path) -> nginx_server.Instance:
    """The generated whole configuration (a sub-path site's server)."""
    return nginx_server.prepare(hosted.repo, hosted.site, folder, web_root=hosted.target / "current")


def parent_server(snippet: Path, https_port: int, http_port: int, cert: Path, key: Path, docroot: Path) -> str:
    """A parent platform's server with habits that would break a naive
    location: a regex location for static files (with its own root), its own
    security header and 404 page, a try_files fallback to its home page."""
    return f"""server {{
    listen 127.0.0.1:{http_port};
    server_name {HOST};
    return 301 https://$host:{https_port}$request_uri;
}}
server {{
    listen 127.0.0.1:{https_port} ssl;
    server_name {HOST};
    ssl_certificate {cert};
    ssl_certificate_key {key};
    root {docroot};
    index index.html;
    add_header {PARENT_HEADER} "1" always;
    add_header Content-Security-Policy "default-src * 'unsafe-inline' 'unsafe-eval'" always;
    error_page 404 /parent-404.html;
    location / {{
        try_files $uri $uri/ /index.html;
    }}
    location ~* \\.(?:css|js|png|jpe?g|webp|svg|webm|vtt|xml|gz|json|html)$ {{
        expires 7d;
        try_files $uri =404;
    }}
    include {snippet};
}}
"""


def parent(hosted: Hosted, folder: Path) -> nginx_server.Instance:
    """The parent platform's server including the generated snippet."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / "tmp" / name).mkdir(parents=True, exist_ok=True)
    cert, key = nginx_server.self_signed(folder, HOST)
    docroot = folder / "parent-root"
    docroot.mkdir()
    (docroot / "index.html").write_text(f"<!doctype html><title>{PARENT_HOME}</title><h1>{PARENT_HOME}</h1>",
                                        encoding="utf-8")
    (docroot / "parent-404.html").write_text(f"<!doctype html><h1>{PARENT_404}</h1>", encoding="utf-8")
    server = nginx.Server(root=str(hosted.target / "current"))
    snippet = nginx.write(hosted.repo, hosted.site, folder / nginx.SNIPPET_NAME, server, snippet=True)
    http_port, https_port = free_port(), free_port()
    conf = folder / "parent.conf"
    conf.write_text(parent_server(snippet, https_port, http_port, cert, key, docroot), encoding="utf-8")
    (folder / "nginx.conf").write_text(nginx_server.main_config(folder, conf), encoding="utf-8")
    return nginx_server.Instance(folder, http_port, https_port, snippet.read_text(encoding="utf-8"))


def site_address(instance: nginx_server.Instance) -> str:
    return f"https://{HOST}:{instance.https_port}{PREFIX}"
