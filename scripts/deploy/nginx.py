"""The nginx configuration of the site, generated from mkdocs.yml (the server
name from `site_url`) and the built site (refused if a page carries inline
script, which its Content-Security-Policy, csp.py, blocks).

nginx is what Chinese government hosting mostly runs. The configuration
(nginx.conf.j2, a file for /etc/nginx/conf.d/) serves the release that the
`current` symlink of the publishing target names (publish.py), over HTTPS
only (unknown host names get no answer), with Chinese error pages, the release's .gz files (gzip_static, precompress.py), a long
cache for fingerprinted theme files and a short one for the rest, no
directory listing, no dotfiles or source files, and the security headers.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from ..problems import InputError, Problem
from ..site_config import site_config
from . import csp

TEMPLATE = Path(__file__).with_name("nginx.conf.j2")
FILE_NAME = "zhalantun-dangjian.conf"
DEFAULT_TARGET = "/srv/zhalantun-dangjian"
# Placeholders the administrator replaces (nginx -t fails until then, on purpose).
CERTIFICATE = "/etc/nginx/ssl/CHANGE-ME/fullchain.pem"
CERTIFICATE_KEY = "/etc/nginx/ssl/CHANGE-ME/privkey.pem"
SHORT_CACHE = 300   # seconds: pages and unfingerprinted files
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), fullscreen=(self)"


@dataclass(frozen=True)
class Server:
    """Where and how nginx serves the site (what mkdocs.yml does not say)."""
    root: str = DEFAULT_TARGET + "/current"
    certificate: str = CERTIFICATE
    certificate_key: str = CERTIFICATE_KEY
    http_port: int = 80
    https_port: int = 443
    listen: str = ""          # an address ("127.0.0.1") or all of them
    ipv6: bool = True
    # HSTS for the subdomains of the site's host too: right for a host of its
    # own; wrong when the host is a parent other sites live under on plain HTTP
    # (site_url https://zhalantun.gov.cn/ beside http://oa.zhalantun.gov.cn).
    hsts_subdomains: bool = True


def server_name(site_url: str) -> str:
    """The host of `site_url`; raises InputError for an address nginx cannot serve."""
    parts = urlsplit(site_url or "")
    if not parts.hostname:
        raise InputError([Problem("mkdocs.yml", 1, "site_url", "site_url 未填写或不是网址，无法生成 nginx 配置")])
    if parts.path not in ("", "/"):
        raise InputError([Problem("mkdocs.yml", 1, "site_url",
                                  f"site_url 带有路径“{parts.path}”：本配置只支持网站位于域名的根目录，"
                                  "如需放在子目录，请与技术人员联系")])
    return parts.hostname


def render(root: Path, site: Path, server: Server = Server()) -> str:
    """The configuration text for the repository at `root` and its built `site`."""
    config = site_config(root)
    site_url = str(config.get("site_url") or "")
    name = server_name(site_url)
    if not next(site.rglob("*.html"), None):
        raise InputError([Problem(str(site), 1, "", "网站目录中没有网页：请先运行 make site")])
    # The policy is the project's constant: a page it would block is refused, never allowed by hash.
    refused = csp.inline_script_pages(site)
    if refused:
        raise InputError([Problem(str(site / refused[0]), 1, "", csp.refusal(refused, "运行 make nginx-conf"))])
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE.parent), trim_blocks=True,
                             lstrip_blocks=True, keep_trailing_newline=True, autoescape=False,
                             undefined=jinja2.StrictUndefined)
    return env.get_template(TEMPLATE.name).render(
        site_name=config.get("site_name") or "", site_url=site_url, server_name=name, file_name=FILE_NAME,
        root=server.root, certificate=server.certificate, certificate_key=server.certificate_key,
        http_port=server.http_port, https_port=server.https_port,
        https_port_suffix="" if server.https_port == 443 else f":{server.https_port}",
        listen=f"{server.listen}:" if server.listen else "", ipv6=server.ipv6,
        hsts_subdomains=server.hsts_subdomains,
        csp=csp.policy(), permissions=PERMISSIONS, short_cache=SHORT_CACHE)


def policy_of(config_text: str) -> str | None:
    """The Content-Security-Policy a configuration sends, or None."""
    for line in config_text.splitlines():
        line = line.strip()
        if line.startswith("add_header Content-Security-Policy "):
            return line.split('"')[1]
    return None


def write(root: Path, site: Path, out: Path, server: Server = Server()) -> Path:
    text = render(root, site, server)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    return out
