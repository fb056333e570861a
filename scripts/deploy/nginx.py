"""The nginx configuration of the site, generated from mkdocs.yml (the server
name from `site_url`) and the built site (refused if a page carries inline
script, which its Content-Security-Policy, csp.py, blocks).

nginx is what Chinese government hosting mostly runs. The configuration
(nginx.conf.j2, a file for /etc/nginx/conf.d/) serves the release that the
`current` symlink of the publishing target names (publish.py), over HTTPS
only (unknown host names get no answer), with Chinese error pages, the release's .gz files (gzip_static, precompress.py), a long
cache for fingerprinted theme files and a short one for the rest, no
directory listing, no dotfiles or source files, and the security headers.

A site_url with a path (https://www.zhalantun.gov.cn/dangjian/: a county
department's site on a higher-level platform, as the 2015 rule of 中央编办
asks) gets the same rules in one `location ^~ /dangjian/` (nginx-location.conf.j2):
written into a server of its own (FILE_NAME), and alone as a snippet
(SNIPPET_NAME) for the parent platform's administrator to include in the
parent's server block. The release layout is the same either way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from markupsafe import escape

from ..problems import InputError, Problem
from ..site_config import SETTINGS_FILE, setting_line, site_config
from . import csp

TEMPLATE = Path(__file__).with_name("nginx.conf.j2")
LOCATION_TEMPLATE = Path(__file__).with_name("nginx-location.conf.j2")
FILE_NAME = "zhalantun-dangjian.conf"
SNIPPET_NAME = "zhalantun-dangjian.location.conf"   # a site under a path: for the parent's server block
DEFAULT_TARGET = "/srv/zhalantun-dangjian"
# Placeholders the administrator replaces (nginx -t fails until then, on purpose).
CERTIFICATE = "/etc/nginx/ssl/CHANGE-ME/fullchain.pem"
CERTIFICATE_KEY = "/etc/nginx/ssl/CHANGE-ME/privkey.pem"
SHORT_CACHE = 300   # seconds: pages and unfingerprinted files
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=(), fullscreen=(self)"
TEXT_TYPES = "text/css text/xml text/plain text/vtt application/javascript application/json application/rss+xml " \
             "image/svg+xml"
# Files never served: sources (records, settings, templates, scripts), editors'
# leftovers, and server scripts, which the site has none of (a planted web shell).
REFUSED_FILES = r"\.(?:md|markdown|ya?ml|j2|jinja|py|pyc|sh|toml|ini|cfg|conf|lock|log|bak|old|orig|swp|php\d?|phtml" \
                r"|phar|aspx?|ashx|jspx?|cgi|pl)$"
# A path segment nginx can take as written into a location: what a
# department's folder on a platform is called (dangjian, zlt-dj, dj_2026).
_SEGMENT_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")


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


def _where(root: Path | None) -> tuple[str, int]:
    """The file and line of site_url (the settings file's, or mkdocs.yml's)."""
    return setting_line(root, "site_url") if root else (SETTINGS_FILE, 1)


def server_name(site_url: str, root: Path | None = None) -> str:
    """The host of `site_url`; raises InputError for an address nginx cannot serve."""
    parts = urlsplit(site_url or "")
    if not parts.hostname:
        raise InputError([Problem(*_where(root), "site_url",
                                  "site_url 未填写或不是网址，无法生成 nginx 配置")])
    site_path(site_url, root)
    return parts.hostname


def site_path(site_url: str, root: Path | None = None) -> str:
    """Where the site is on its host: "/", or "/dangjian/" (with both slashes)
    for a site under a parent platform; InputError for a path nginx could not
    be given as written."""
    parts = urlsplit(site_url or "")
    segments = [s for s in parts.path.split("/") if s]
    bad = [s for s in segments if not _SEGMENT_RE.match(s) or s in (".", "..")]
    if parts.query or parts.fragment or bad or "//" in parts.path:
        raise InputError([Problem(
            *_where(root), "site_url",
            f"site_url“{site_url}”带有路径，无法用于 nginx 配置：网站放在上级平台的子目录时，路径只能由"
            "英文字母、数字和 - _ . ~ 组成，以 / 结尾，不带 ? 或 #，如 https://www.zhalantun.gov.cn/dangjian/")])
    return "/" + "".join(s + "/" for s in segments)


def _error_page(title: str, text: str, site_name: str, home: str) -> str:
    """An error page as one quoted line of HTML inside the configuration
    itself, so that it works on any server without copying more files; the
    site's name is escaped for HTML, and for nginx ($ starts a variable, \\ an escape)."""
    site = str(escape(site_name)).replace("$", "&#36;").replace("\\", "&#92;")
    return (f"'<!doctype html><html lang=\"zh-CN\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" "
            f"content=\"width=device-width, initial-scale=1\"><title>{title} - {site}</title></head><body>"
            f"<h1>{title}</h1><p>{text}</p><p><a href=\"{home}\">返回{site}首页</a></p></body></html>'")


def _environment() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATE.parent), trim_blocks=True,
                              lstrip_blocks=True, keep_trailing_newline=True, autoescape=False,
                              undefined=jinja2.StrictUndefined)


def render(root: Path, site: Path, server: Server = Server(), snippet: bool = False) -> str:
    """The configuration text for the repository at `root` and its built `site`:
    a whole configuration (servers), or with `snippet` the locations of a
    site under a path, for the parent platform's server block."""
    config = site_config(root)
    site_url = str(config.get("site_url") or "")
    name = server_name(site_url, root)
    prefix = site_path(site_url, root)
    if snippet and prefix == "/":
        raise InputError([Problem(*_where(root), "site_url",
                                  f"site_url“{site_url}”没有路径：网站独占这个域名，请用完整的 nginx 配置，"
                                  "不用放进上级平台 server 的配置片段")])
    if not next(site.rglob("*.html"), None):
        raise InputError([Problem(str(site), 1, "", "网站目录中没有网页：请先运行 make site")])
    # The policy is the project's constant: a page it would block is refused, never allowed by hash.
    refused = csp.inline_script_pages(site)
    if refused:
        raise InputError([Problem(str(site / refused[0]), 1, "", csp.refusal(refused, "运行 make nginx-conf"))])
    site_name = str(config.get("site_name") or "")
    port = "" if server.https_port == 443 else f":{server.https_port}"
    home = f"https://{name}{port}{prefix}"
    values = dict(
        site_name=site_name, site_url=site_url, server_name=name, file_name=FILE_NAME, snippet_name=SNIPPET_NAME,
        prefix=prefix, root=server.root, certificate=server.certificate, certificate_key=server.certificate_key,
        http_port=server.http_port, https_port=server.https_port, https_port_suffix=port,
        listen=f"{server.listen}:" if server.listen else "", ipv6=server.ipv6,
        hsts_subdomains=server.hsts_subdomains, csp=csp.policy(), permissions=PERMISSIONS,
        short_cache=SHORT_CACHE, text_types=TEXT_TYPES, refused_files=REFUSED_FILES,
        bad_request=_error_page("请求有误", "浏览器发来的请求格式不正确，服务器无法处理。请检查网址后重试。", site_name, home),
        server_error=_error_page("服务器暂时出错", "服务器暂时无法提供这个页面，请稍后再试。", site_name, home))
    env = _environment()
    location = LOCATION_TEMPLATE.name
    if snippet:
        # HSTS concerns the whole host, the parent's: its server decides.
        return env.get_template(location).render(values, snippet=True, hsts=False, file_name=SNIPPET_NAME)
    block = env.get_template(location).render(values, snippet=False, hsts=True) if prefix != "/" else ""
    return env.get_template(TEMPLATE.name).render(values, location_block=block.rstrip("\n"))


def policy_of(config_text: str) -> str | None:
    """The Content-Security-Policy a configuration sends, or None."""
    for line in config_text.splitlines():
        line = line.strip()
        if line.startswith("add_header Content-Security-Policy "):
            return line.split('"')[1]
    return None


def write(root: Path, site: Path, out: Path, server: Server = Server(), snippet: bool = False) -> Path:
    text = render(root, site, server, snippet)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(out)
    return out
