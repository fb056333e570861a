"""The newsroom's server configuration, generated (python -m scripts.newsroom
deploy-config): a systemd service running gunicorn as an account of its own,
behind nginx over HTTPS only, on a socket that only nginx may connect to.

    zhalantun-newsroom.service   gunicorn, hardened (read-only system, its own /tmp,
                                 no home folders, writes only the data folder, the
                                 static folder and the repository)
    zhalantun-newsroom-preview.service  the live preview (preview.py): `python -m
                                 scripts serve --no-reload` on 127.0.0.1:PORT, the same
                                 account and hardening, restarted when it fails; absent
                                 with --no-preview
    zhalantun-newsroom.socket    the unix socket, made by systemd, owned by nginx's
                                 account (gunicorn's own documented way); absent
                                 when gunicorn listens on 127.0.0.1:PORT
    zhalantun-newsroom.env       the settings (EnvironmentFile, mode 600: it may hold
                                 the database password)
    zhalantun-newsroom.conf      nginx: HTTP → HTTPS, the newsroom's host only, the
                                 site's TLS and HSTS, uploads up to the workbench's
                                 limit, /static/ from collectstatic's folder
    zhalantun-newsroom-default.conf  nginx's catch-all for a machine that does not
                                 also serve the site (whose config already has one)

Static files live outside the data folder (mode 700, nginx cannot enter it):
NEWSROOM_STATIC, default DEFAULT_STATIC, filled by `init` and on every start.
"""
from __future__ import annotations

import math
import os
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import jinja2

from . import config as cfg

TEMPLATES = Path(__file__).with_name("templates") / "deploy"
NAME = "zhalantun-newsroom"
DEFAULT_DATA = "/var/lib/zhalantun-newsroom"
DEFAULT_STATIC = "/var/lib/zhalantun-newsroom-static"
DEFAULT_USER = "zlt-newsroom"
DEFAULT_SOCKET = "/run/zhalantun-newsroom/gunicorn.sock"
DEFAULT_PREVIEW = "127.0.0.1:8701"
NGINX_USER = "www-data"      # Debian's nginx workers
MAX_WORKERS = 8
TIMEOUT = 60                 # seconds: a review sheet PDF, a commit with photos
# Placeholders the administrator replaces (nginx -t fails until then, on purpose),
# the same as the site's (scripts/deploy/nginx.py).
CERTIFICATE = "/etc/nginx/ssl/CHANGE-ME/fullchain.pem"
CERTIFICATE_KEY = "/etc/nginx/ssl/CHANGE-ME/privkey.pem"
PERMISSIONS = "camera=(), microphone=(), geolocation=(), payment=(), usb=()"
# nginx's own answers (static files, its error pages) carry a policy too.
STATIC_CSP = "default-src 'none'; style-src 'self'; img-src 'self' data:; font-src 'self'; frame-ancestors 'none'"
HOME_FOLDERS = ("/home", "/root", "/run/user")
PRIVATE_TMP = ("/tmp", "/var/tmp")


@dataclass(frozen=True)
class Deployment:
    server_name: str
    data: Path
    repo: Path
    static: Path
    user: str = DEFAULT_USER
    socket: str = DEFAULT_SOCKET       # a unix socket path, or 127.0.0.1:PORT
    workers: int = 0                   # 0: 2 × cores + 1, at most MAX_WORKERS
    database_url: str = ""
    python: str = sys.executable       # the venv's python, not resolved (it is the venv)
    project: Path = cfg.PROJECT_ROOT
    certificate: str = CERTIFICATE
    certificate_key: str = CERTIFICATE_KEY
    http_port: int = 80
    https_port: int = 443
    listen: str = ""                   # an address ("127.0.0.1") or all of them
    ipv6: bool = True
    hsts_subdomains: bool = True
    preview: str = DEFAULT_PREVIEW     # the live preview's 127.0.0.1:PORT; "" none

    @property
    def unix(self) -> bool:
        return self.socket.startswith("/")

    @property
    def port_suffix(self) -> str:
        return "" if self.https_port == 443 else f":{self.https_port}"

    @property
    def url(self) -> str:
        return f"https://{self.server_name}{self.port_suffix}/"


def default_workers() -> int:
    return min(2 * (os.cpu_count() or 1) + 1, MAX_WORKERS)


def max_body_mb() -> int:
    """The workbench's limit of one save (several files, base64): nginx must let it through."""
    from ..editor.workbench import MAX_BODY
    return math.ceil(MAX_BODY / (1024 * 1024))


def check(dep: Deployment) -> list[str]:
    """Refuse what cannot work; return warnings (Chinese) for what may not."""
    name = dep.server_name
    if not name or name in ("_", "localhost") or "/" in name or ":" in name or " " in name or "*" in name:
        raise cfg.ConfigError(f"--server-name“{name}”不可用：应为审稿系统自己的域名，如 newsroom.example.gov.cn")
    if dep.unix:
        if not dep.socket.endswith(".sock") or " " in dep.socket:
            raise cfg.ConfigError(f"--socket“{dep.socket}”不可用：应为以 .sock 结尾的路径（如 {DEFAULT_SOCKET}）"
                                  "或 127.0.0.1:端口")
    else:
        host, _, port = dep.socket.rpartition(":")
        if host != "127.0.0.1" or not port.isdigit() or not 0 < int(port) < 65536:
            raise cfg.ConfigError(f"--socket“{dep.socket}”不可用：gunicorn 只能监听 unix 套接字或 127.0.0.1:端口，"
                                  "对外由 nginx 经 HTTPS 转发")
    cfg.preview_address(dep.preview, "--preview")
    if dep.preview and dep.preview == dep.socket:
        raise cfg.ConfigError(f"--preview 与 --socket 不能是同一个地址（{dep.preview}）")
    for label, path in (("数据目录", dep.data), ("仓库", dep.repo), ("静态文件目录", dep.static)):
        if not path.is_absolute():
            raise cfg.ConfigError(f"{label} {path} 应为绝对路径")
        if any(c in str(path) for c in ' "\'%\\'):
            raise cfg.ConfigError(f"{label} {path} 含空格、引号、% 或反斜杠，systemd 配置中无法可靠使用，请换一个目录")
    cfg.check_data_folder(dep.data, dep.repo)
    if dep.static == dep.data or dep.static.is_relative_to(dep.data):
        raise cfg.ConfigError(f"静态文件目录 {dep.static} 不能在数据目录 {dep.data} 之内：数据目录只有本账号可进入，nginx 读不到")
    return [f"注意：{label} {path} 位于 {tmp}，而服务使用独立的临时目录（PrivateTmp），服务中看不到它；请换一个目录"
            for label, path in (("数据目录", dep.data), ("仓库", dep.repo), ("静态文件目录", dep.static))
            for tmp in PRIVATE_TMP if path.is_relative_to(tmp)]


def _under_home(dep: Deployment) -> bool:
    return any(p.is_relative_to(h) for p in (dep.data, dep.repo, dep.static, Path(dep.python), dep.project)
               for h in HOME_FOLDERS)


def environment(dep: Deployment) -> dict[str, str]:
    env = {"NEWSROOM_URL": dep.url, "NEWSROOM_REPO": str(dep.repo), "NEWSROOM_DATA": str(dep.data),
           "NEWSROOM_STATIC": str(dep.static), "DJANGO_SETTINGS_MODULE": "scripts.newsroom.settings",
           # git reads $HOME's configuration; the service's account has no home of its own.
           "HOME": str(dep.data), "PYTHONDONTWRITEBYTECODE": "1"}
    if dep.database_url:
        env["NEWSROOM_DATABASE_URL"] = dep.database_url
    if dep.preview:
        env["NEWSROOM_PREVIEW"] = dep.preview
    return env


def preview_command(dep: Deployment) -> list[str]:
    """The live preview over the repository, without its reload script (the
    newsroom's editing page reloads its frame after each save)."""
    return [dep.python, "-m", "scripts", "--root", str(dep.repo), "serve", "--address", dep.preview, "--no-reload"]


def gunicorn_command(dep: Deployment) -> list[str]:
    bind = f"unix:{dep.socket}" if dep.unix else dep.socket
    return [dep.python, "-m", "gunicorn", "--bind", bind, "--workers", str(dep.workers or default_workers()),
            "--timeout", str(TIMEOUT), "--no-control-socket", "--access-logfile", "-",
            # The proxy's X-Forwarded-* are trusted from nginx on this machine only.
            "--forwarded-allow-ips", "127.0.0.1,::1", "scripts.newsroom.wsgi:application"]


def render(dep: Deployment) -> dict[str, str]:
    """File name → text of every generated file."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(TEMPLATES), trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True, autoescape=False, undefined=jinja2.StrictUndefined)
    values = dict(
        d=dep, name=NAME, nginx_user=NGINX_USER, url=dep.url, port_suffix=dep.port_suffix,
        listen=f"{dep.listen}:" if dep.listen else "",
        exec_start=shlex.join(gunicorn_command(dep)),
        preview_start=shlex.join(preview_command(dep)) if dep.preview else "",
        collectstatic=shlex.join([dep.python, "-m", "django", "collectstatic", "--noinput", "--verbosity", "0"]),
        protect_home="read-only" if _under_home(dep) else "true",
        write_paths=" ".join(str(p) for p in (dep.data, dep.static, dep.repo)),
        max_body_mb=max_body_mb(), timeout=TIMEOUT, permissions=PERMISSIONS, static_csp=STATIC_CSP,
        env_lines="".join(f"{k}={v}\n" for k, v in environment(dep).items()),
    )
    files = {f"{NAME}.service": "service.j2", f"{NAME}.env": "env.j2", f"{NAME}.conf": "nginx.conf.j2",
             f"{NAME}-default.conf": "nginx-default.conf.j2"}
    if dep.unix:
        files[f"{NAME}.socket"] = "socket.j2"
    if dep.preview:
        files[f"{NAME}-preview.service"] = "preview.service.j2"
    return {out: env.get_template(template).render(**values) for out, template in files.items()}


def write(dep: Deployment, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in render(dep).items():
        path = out / name
        tmp = path.with_name(name + ".tmp")
        tmp.unlink(missing_ok=True)
        # The env file may hold the database's password: the owner's only, from the start.
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600 if name.endswith(".env") else 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        tmp.replace(path)
        written.append(path)
    return written


def server_name_of(url: str) -> str:
    """The host of NEWSROOM_URL, for --server-name's default; "" without it."""
    parts = urlsplit(url)
    if url and parts.path not in ("", "/"):
        raise cfg.ConfigError(f"NEWSROOM_URL“{url}”带有路径：生成的配置让审稿系统使用自己的域名（如 "
                              "https://newsroom.example.gov.cn/），请用 --server-name 指定")
    return parts.hostname or ""
