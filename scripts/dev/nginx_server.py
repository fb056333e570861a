"""Debian's nginx, run with the site's generated configuration on free ports
of 127.0.0.1, as the tests (and anyone trying the configuration) need it.

Its own instance: prefix, pid, logs, temp folders and a self-signed
certificate all in a folder of the caller's, the master process a child of
the caller (no system service is touched), stopped by its pid.

`serving` is the built site as readers get it, for the developers' tools that
measure or photograph it (make lighthouse, make bench, make screenshots): a
published copy (precompressed as publishing does) behind this nginx.
"""
from __future__ import annotations

import contextlib
import ipaddress
import os
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

from scripts.deploy import nginx
from scripts.deploy.precompress import precompress
from scripts.editor.ports import free_port

MIME_TYPES = Path("/etc/nginx/mime.types")
STAND_IN_HOST = "dangjian.test"   # a reserved name (RFC 2606): never a real site's


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    assert found, "需要 nginx：请运行 make system-deps"
    return found


def self_signed(folder: Path, host: str) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", f"/CN={host}", "-addext", f"subjectAltName=DNS:{host},IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


@dataclass
class Instance:
    folder: Path
    http_port: int
    https_port: int
    config: str                # the generated site configuration
    process: subprocess.Popen | None = None

    @property
    def https(self) -> str:
        return f"https://127.0.0.1:{self.https_port}/"

    @property
    def http(self) -> str:
        return f"http://127.0.0.1:{self.http_port}/"

    def log(self) -> str:
        path = self.folder / "error.log"
        return path.read_text(errors="replace") if path.exists() else ""


def main_config(folder: Path, site_conf: Path) -> str:
    """nginx.conf of the instance: what Debian's /etc/nginx/nginx.conf does,
    with every path in `folder`. Workers run as root: the test folders are
    root's own."""
    temps = "\n".join(f"    {name}_temp_path {folder / 'tmp' / name};"
                      for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return f"""user root;
worker_processes 1;
daemon off;
pid {folder / 'nginx.pid'};
error_log {folder / 'error.log'} warn;
events {{ worker_connections 64; }}
http {{
    include {MIME_TYPES};
    default_type application/octet-stream;
    sendfile on;
    access_log {folder / 'access.log'};
{temps}
    include {site_conf};
}}
"""


def prepare(root: Path, site: Path, folder: Path, web_root: Path | None = None) -> Instance:
    """Write the instance's files: the site's configuration serving `web_root`
    (default: `site`), with a certificate for the host of site_url."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (folder / "tmp" / name).mkdir(parents=True, exist_ok=True)
    from scripts.site_config import site_config
    host = nginx.server_name(str(site_config(root).get("site_url") or ""))
    cert, key = self_signed(folder, host)
    http_port, https_port = free_port(), free_port()
    server = nginx.Server(root=str(web_root or site), certificate=str(cert), certificate_key=str(key),
                          http_port=http_port, https_port=https_port, listen="127.0.0.1", ipv6=False)
    site_conf = nginx.write(root, site, folder / nginx.FILE_NAME, server)
    (folder / "nginx.conf").write_text(main_config(folder, site_conf), encoding="utf-8")
    return Instance(folder, http_port, https_port, site_conf.read_text(encoding="utf-8"))


def _command(instance: Instance, *extra: str) -> list[str]:
    return [nginx_binary(), "-p", f"{instance.folder}/", "-e", str(instance.folder / "error.log"),
            "-c", str(instance.folder / "nginx.conf"), *extra]


def check_config(instance: Instance) -> subprocess.CompletedProcess:
    """`nginx -t` on the instance's configuration."""
    return subprocess.run(_command(instance, "-t"), capture_output=True, text=True)


@contextlib.contextmanager
def running(instance: Instance):
    """Start the instance, wait until it answers, stop it after."""
    checked = check_config(instance)
    assert checked.returncode == 0, checked.stderr
    instance.process = subprocess.Popen(_command(instance), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                with socket.create_connection(("127.0.0.1", instance.https_port), timeout=0.2):
                    break
            except OSError:
                if instance.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("nginx did not start:\n" + instance.log()) from None
                time.sleep(0.05)
        yield instance
    finally:
        instance.process.terminate()
        try:
            instance.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            instance.process.kill()
            instance.process.wait()
        if instance.process.stderr:
            instance.process.stderr.close()


@dataclass
class Served:
    """A site served by `serving`: its address, and what a browser needs to
    reach it there (the site's host name at 127.0.0.1, as DNS would give the
    server's: nginx answers no other name; the test certificate accepted)."""
    instance: Instance
    host: str

    @property
    def url(self) -> str:
        return f"https://{self.host}:{self.instance.https_port}/"

    @property
    def chromium_args(self) -> list[str]:
        return [f"--host-resolver-rules=MAP {self.host} 127.0.0.1", "--ignore-certificate-errors"]


@contextlib.contextmanager
def serving(root: Path, site: Path, folder: Path):
    """`site` (built from the content repository `root`) served by nginx with
    the configuration publishing installs, until the block ends; yields a
    Served. The files are served from a copy in `folder` (hard links where
    the file system allows: nothing is written into them), precompressed as
    a published release is, so that `site` itself stays as the build left it."""
    if folder.exists():
        shutil.rmtree(folder)
    web_root = folder / "release"

    def link(src, dst):
        try:
            if not src.endswith(".gz"):   # precompress rewrites those: never shared
                return os.link(src, dst)
        except OSError:
            pass
        shutil.copy2(src, dst)
    shutil.copytree(site, web_root, copy_function=link)
    precompress(web_root)
    from scripts.site_config import site_config
    config = site_config(root)
    host = nginx.server_name(str(config.get("site_url") or ""))
    try:
        ipaddress.ip_address(host)
    except ValueError:
        pass
    else:
        # Browsers send no name (SNI) for an address, and nginx refuses a
        # handshake without the site's name: the site is served under a
        # stand-in name (mkdocs.yml's default site_url is an address).
        host, root = STAND_IN_HOST, folder / "config"
        root.mkdir()
        (root / "mkdocs.yml").write_text(yaml.safe_dump(
            {"site_name": config.get("site_name") or "", "site_url": f"https://{host}/"}, allow_unicode=True),
            encoding="utf-8")
    instance = prepare(root, web_root, folder / "nginx")
    with running(instance):
        yield Served(instance, host)
