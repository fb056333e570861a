"""A throwaway PostgreSQL cluster for the newsroom's tests: Debian's own
binaries (make system-deps), a cluster in a tmp folder on a free port of
127.0.0.1, password authentication, stopped and deleted after. No system
service is touched. As root the server runs as `postgres` (it refuses root)."""
from __future__ import annotations

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from scripts.dev.nginx_server import free_port

USER = "newsroom"
PASSWORD = "p@ss:w/rd 测试"       # characters a URL must escape
DATABASE = "newsroom"


def binaries() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    return Path(found[-1]).parent if found else None


@contextlib.contextmanager
def cluster():
    """Yield a NEWSROOM_DATABASE_URL of a fresh, empty database."""
    bin_dir = binaries()
    assert bin_dir, "需要 PostgreSQL：请运行 make system-deps"
    root = os.geteuid() == 0
    as_owner = ["runuser", "-u", "postgres", "--"] if root else []
    # Not under pytest's tmp_path: its parents are root's own (mode 700), closed to `postgres`.
    folder = Path(tempfile.mkdtemp(prefix="newsroom-pg-"))
    pgdata, pwfile = folder / "data", folder / "pw"
    pwfile.write_text(PASSWORD + "\n", encoding="utf-8")
    if root:
        shutil.chown(folder, "postgres", "postgres")
        shutil.chown(pwfile, "postgres", "postgres")
    port = free_port()
    pg_ctl = [*as_owner, str(bin_dir / "pg_ctl"), "-D", str(pgdata), "-w", "-t", "30"]
    try:
        subprocess.run([*as_owner, str(bin_dir / "initdb"), "-D", str(pgdata), "-U", USER, "--pwfile", str(pwfile),
                        "--auth-local=scram-sha-256", "--auth-host=scram-sha-256", "-E", "UTF8", "--locale=C.UTF-8"],
                       check=True, capture_output=True, text=True)
        options = f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={folder} -c fsync=off"
        subprocess.run([*pg_ctl, "-o", options, "-l", str(folder / "log"), "start"],
                       check=True, capture_output=True, text=True)
        import psycopg
        deadline = time.monotonic() + 30
        while True:
            try:
                with psycopg.connect(host="127.0.0.1", port=port, user=USER, password=PASSWORD, dbname="postgres",
                                     autocommit=True) as conn:
                    conn.execute(f'CREATE DATABASE "{DATABASE}"')
                break
            except psycopg.OperationalError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        yield f"postgres://{USER}:{quote(PASSWORD, safe='')}@127.0.0.1:{port}/{DATABASE}"
    finally:
        if (pgdata / "postmaster.pid").exists():
            subprocess.run([*pg_ctl, "-m", "immediate", "stop"], capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
