"""The newsroom as its browser tests run it: `python -m scripts.newsroom`
(its own command line: init, user add, serve with gunicorn) over a fixture
repository under git, on a free port of 127.0.0.1, stopped with its process
group."""
from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from scripts.dev.nginx_server import free_port

ROOT = Path(__file__).resolve().parents[2]


def newsroom_env(repo: Path, data: Path, **settings: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSROOM_", "DJANGO_"))}
    env.update(NEWSROOM_REPO=str(repo), NEWSROOM_DATA=str(data), PYTHONDONTWRITEBYTECODE="1", **settings)
    return env


def newsroom(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "scripts.newsroom", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def add_user(env: dict, account: str, roles: str, full_name: str, units: str = "") -> str:
    """The account's first password, as `user add` prints it once."""
    added = newsroom(env, "user", "add", account, "--roles", roles, "--units", units, "--full-name", full_name)
    return re.search(r"初始密码：(\S+)", added)[1]


@contextlib.contextmanager
def serving(env: dict, log: Path):
    """`serve` (gunicorn) until the block ends; its address."""
    port = free_port()
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-m", "scripts.newsroom", "serve", "--address", f"127.0.0.1:{port}"],
                                cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        end = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text(encoding="utf-8")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            assert time.monotonic() < end, log.read_text(encoding="utf-8")
            time.sleep(0.2)
        yield f"http://127.0.0.1:{port}/"
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
