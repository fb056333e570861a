"""The newsroom's configuration, from the environment, read before Django.

Kept apart from settings.py so that the command line can report a bad
setting in Chinese (ConfigError) before Django starts, and so that `init`
can create the data folder that settings.py then expects.

    NEWSROOM_REPO          the content repository (default: this project)
    NEWSROOM_DATA          the data folder: database, secret key, signing key,
                           lock (default ~/.local/share/zhalantun-newsroom);
                           never inside the repository, whose site/ is the web root
    NEWSROOM_DATABASE_URL  postgres://user:pass@host:port/db; absent: SQLite in
                           the data folder
    NEWSROOM_URL           the newsroom's address, e.g. https://dangjian.example.cn/newsroom/
                           (CSRF trusted origin, allowed host, path prefix)
    NEWSROOM_ALLOWED_HOSTS extra host names, comma-separated
    NEWSROOM_SECRET_KEY    Django's secret; absent: generated once into the data folder
    NEWSROOM_PREVIEW       the live preview's address, 127.0.0.1:PORT (loopback only):
                           `python -m scripts serve --no-reload` over the repository,
                           shown behind the login at /preview/ (preview.py); absent:
                           no preview, the editing pane links to the item page
    NEWSROOM_DEPLOY_TARGET where 终审 publishes the site (as DEPLOY_TARGET of make
                           publish: /srv/zhalantun-dangjian or user@host:/path);
                           absent: the newsroom never publishes (publishing.py)
    NEWSROOM_LOCAL=1       local try-out over plain HTTP on 127.0.0.1 (cookies
                           without Secure); refused with a non-local address
    NEWSROOM_DEBUG=1       Django's DEBUG (never on a server)

The database holds accounts and sessions only: every review lives in the
record files of the repository, so deleting the database loses no review.
"""
from __future__ import annotations

import ipaddress
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent
DEFAULT_DATA = Path("~/.local/share/zhalantun-newsroom")
SECRET_FILE = "secret_key"
PRIVATE_KEY_FILE = "newsroom_private_key.pem"
DATABASE_FILE = "newsroom.sqlite3"
LOCK_FILE = "repository.lock"
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]")


class ConfigError(Exception):
    """A setting that cannot work, said in Chinese for the administrator."""


@dataclass(frozen=True)
class Config:
    repo: Path
    data: Path
    database: dict
    url: str                      # "" when not given
    allowed_hosts: list[str]
    trusted_origins: list[str]
    script_name: str              # the path prefix of url ("" at the root)
    preview: str                  # NEWSROOM_PREVIEW, "127.0.0.1:PORT"; "" when off
    local: bool
    debug: bool
    secret_key: str | None = field(default=None, repr=False)   # from the environment only
    deploy_target: str = ""       # NEWSROOM_DEPLOY_TARGET, checked by Target.parse; "" when off

    @property
    def secret_file(self) -> Path:
        return self.data / SECRET_FILE

    @property
    def private_key_file(self) -> Path:
        return self.data / PRIVATE_KEY_FILE

    @property
    def lock_file(self) -> Path:
        return self.data / LOCK_FILE


def _flag(env: dict, name: str) -> bool:
    return env.get(name, "").strip().lower() in ("1", "yes", "true", "on")


def database_settings(url: str, data: Path) -> dict:
    """Django's DATABASES["default"] for NEWSROOM_DATABASE_URL (absent: SQLite)."""
    if not url.strip():
        return {"ENGINE": "django.db.backends.sqlite3", "NAME": str(data / DATABASE_FILE),
                # A second gunicorn worker waits for the write lock instead of failing.
                "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"}}
    parts = urlsplit(url.strip())
    if parts.scheme not in ("postgres", "postgresql"):
        raise ConfigError(f"NEWSROOM_DATABASE_URL 只支持 postgres://用户:密码@主机:端口/数据库，"
                          f"不支持“{parts.scheme or url}”；不设置则使用数据目录中的 SQLite")
    name = unquote(parts.path.lstrip("/"))
    if not name:
        raise ConfigError("NEWSROOM_DATABASE_URL 缺少数据库名，应为 postgres://用户:密码@主机:端口/数据库")
    try:
        port = parts.port
    except ValueError:
        raise ConfigError("NEWSROOM_DATABASE_URL 的端口不是数字") from None
    return {"ENGINE": "django.db.backends.postgresql", "NAME": name,
            "USER": unquote(parts.username or ""), "PASSWORD": unquote(parts.password or ""),
            "HOST": parts.hostname or "", "PORT": str(port or ""), "CONN_MAX_AGE": 60}


def check_data_folder(data: Path, repo: Path) -> None:
    """Refuse a data folder that the site or git could carry off: inside the
    repository (its site/ is the web root, and git would commit it)."""
    real = Path(os.path.realpath(data))
    for forbidden in {Path(os.path.realpath(repo)), Path(os.path.realpath(PROJECT_ROOT))}:
        if real == forbidden or real.is_relative_to(forbidden):
            raise ConfigError(f"数据目录 {data} 在仓库 {forbidden} 之内：账号数据库和密钥不能放在仓库或网站目录（site/）中，"
                              f"请用 NEWSROOM_DATA 指定仓库之外的目录（默认 {DEFAULT_DATA}）")


def _site_url(repo: Path) -> str:
    try:
        from ..site_config import site_config
        url = site_config(repo).get("site_url") or ""
    except Exception:  # a broken mkdocs.yml is the build's to report
        return ""
    return url if isinstance(url, str) else ""


def load(env: dict | None = None) -> Config:
    env = dict(os.environ if env is None else env)
    repo = Path(env.get("NEWSROOM_REPO") or PROJECT_ROOT).expanduser().resolve()
    if not (repo / "mkdocs.yml").is_file():
        raise ConfigError(f"{repo} 不是网站内容仓库（找不到 mkdocs.yml），请检查 NEWSROOM_REPO")
    data = Path(env.get("NEWSROOM_DATA") or DEFAULT_DATA).expanduser()
    data = Path(os.path.abspath(data))
    check_data_folder(data, repo)
    local, debug = _flag(env, "NEWSROOM_LOCAL"), _flag(env, "NEWSROOM_DEBUG")
    if (env.get("NEWSROOM_PREVIEW_URL") or "").strip():
        raise ConfigError("NEWSROOM_PREVIEW_URL 已停用：审稿系统现在自己运行网站预览并在登录后显示，"
                          "请删去它，改为 NEWSROOM_PREVIEW=127.0.0.1:8701（预览服务监听的本机地址）")

    url = (env.get("NEWSROOM_URL") or "").strip()
    hosts = [h.strip() for h in (env.get("NEWSROOM_ALLOWED_HOSTS") or "").split(",") if h.strip()]
    origins, script_name = [], ""
    address = url or _site_url(repo)
    if address:
        parts = urlsplit(address)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"NEWSROOM_URL“{address}”不是网址，应如 https://dangjian.example.cn/newsroom/")
        hosts.append(parts.hostname)
        origins.append(f"{parts.scheme}://{parts.netloc}")
        if url:
            script_name = parts.path.rstrip("/")
    if local:
        remote = [h for h in hosts if h not in LOCAL_HOSTS and h.strip("[]") not in LOCAL_HOSTS]
        if url and remote:
            raise ConfigError("NEWSROOM_LOCAL（本机试用，不加密传输）只能用于 127.0.0.1；"
                              f"对外提供服务（{', '.join(remote)}）须经 nginx 使用 HTTPS")
        hosts += ["127.0.0.1", "localhost"]
    return Config(
        repo=repo, data=data,
        database=database_settings(env.get("NEWSROOM_DATABASE_URL") or "", data),
        url=url, allowed_hosts=sorted(set(hosts)), trusted_origins=origins,
        script_name=script_name, preview=preview_address(env.get("NEWSROOM_PREVIEW") or ""),
        local=local, debug=debug, secret_key=(env.get("NEWSROOM_SECRET_KEY") or "").strip() or None,
        deploy_target=_deploy_target(env.get("NEWSROOM_DEPLOY_TARGET") or ""))


def preview_address(spec: str, setting: str = "NEWSROOM_PREVIEW") -> str:
    """The live preview's address as given ("" when off), refused unless it is
    a loopback address with a port: the preview shows drafts to whoever reaches
    it, so only the newsroom, after its login, may (preview.py)."""
    spec = spec.strip()
    if not spec:
        return ""
    host, _, port = spec.rpartition(":")
    try:
        loopback = ipaddress.ip_address(host[1:-1] if host.startswith("[") and host.endswith("]") else host).is_loopback
        port_ok = port.isdigit() and 0 < int(port) < 65536
    except ValueError:
        loopback = port_ok = False
    if not (loopback and port_ok):
        raise ConfigError(f"{setting}“{spec}”不可用：网站预览含未发布的稿件，只能监听本机地址和端口，如 127.0.0.1:8701；"
                          "审稿系统在登录之后转发它的页面，不要让预览对外开放")
    return spec


def _deploy_target(spec: str) -> str:
    """The target as given, refused at start (not at the first 终审) when unusable."""
    if not spec.strip():
        return ""
    from ..deploy.publish import PublishError, Target
    try:
        Target.parse(spec)
    except PublishError as e:
        raise ConfigError(f"NEWSROOM_DEPLOY_TARGET：{e}") from None
    return spec.strip()


def write_private(path: Path, content: bytes) -> bool:
    """Write a secret once, readable by its owner only (mode 600 from the
    start: never world-readable, not even for an instant). False if it exists."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as f:
        f.write(content)
    return True


def make_data_folder(config: Config) -> None:
    config.data.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(config.data, 0o700)
    if config.secret_key is None:
        write_private(config.secret_file, secrets.token_urlsafe(50).encode("ascii"))


def secret_key(config: Config) -> str:
    if config.secret_key:
        return config.secret_key
    try:
        return config.secret_file.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        raise ConfigError(f"数据目录 {config.data} 中没有密钥文件：请先运行 python -m scripts.newsroom init") from None
