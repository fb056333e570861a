"""Publishing (scripts/deploy/publish.py) and rollback, to a local web root
and over SSH (a sshd of the test's own on 127.0.0.1, real rsync), with
`make publish` / `make rollback`; a publish killed midway, checked through
Debian's nginx serving the target's `current`; the release gate in front."""
from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from scripts.build.pipeline import build_site
from scripts.deploy import csp, nginx
from scripts.deploy.publish import PublishError, Target, publish, releases, rollback
from scripts.dev import nginx_server
from tests.test_release import clean_repo

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow
PAGE = "content/banben.md"       # a page whose text says which version is live


def set_version(repo, text: str) -> None:
    repo.write(PAGE, f"# 版本说明\n\n本页为{text}。\n")


@pytest.fixture
def live(repo):
    """A repository that passes the release gate, at 版本甲."""
    clean_repo(repo)
    set_version(repo, "版本甲")
    return repo


def make(*args: str, **env) -> subprocess.CompletedProcess:
    done = subprocess.run(["make", "-s", "--no-print-directory", "-C", str(ROOT), *args], capture_output=True,
                          text=True, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", **env})
    assert "Traceback" not in done.stderr, done.stderr
    return done


def live_text(target: Path) -> str:
    return (target / "current" / "banben" / "index.html").read_text(encoding="utf-8")


def test_make_publish_to_a_local_folder_and_make_rollback(live, tmp_path):
    target = tmp_path / "www"
    done = make("publish", f"CONTENT={live.path}", f"DEPLOY_TARGET={target}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert re.search(r"已发布：版本 \d{8}-\d{6}-\d{6} 正在使用", done.stdout)
    first = os.readlink(target / "current")
    assert re.fullmatch(r"releases/\d{8}-\d{6}-\d{6}", first)
    assert "版本甲" in live_text(target)
    # What is published is the site the gate built and checked.
    assert (target / first / "index.html.gz").is_file() and (target / first / "404.html").is_file()

    set_version(live, "版本乙")
    done = make("publish", f"CONTENT={live.path}", f"DEPLOY_TARGET={target}")
    assert done.returncode == 0, done.stdout + done.stderr
    second = os.readlink(target / "current")
    assert second > first and "版本乙" in live_text(target)
    assert f"如需回退到上一个版本 {first.split('/')[1]}" in done.stdout
    # Unchanged files are shared with the previous release, not copied again.
    shared = target / second / "assets/zlt/reading.js"
    assert shared.stat().st_ino == (target / first / "assets/zlt/reading.js").stat().st_ino
    assert (target / second / "banben/index.html").stat().st_ino != (target / first / "banben/index.html").stat().st_ino

    listed = make("releases", f"DEPLOY_TARGET={target}")
    assert listed.stdout.splitlines() == [first.split("/")[1], second.split("/")[1] + "  ← 正在使用"]

    done = make("rollback", f"DEPLOY_TARGET={target}")
    assert done.returncode == 0, done.stderr
    assert f"由 {second.split('/')[1]} 改为 {first.split('/')[1]}" in done.stdout
    assert os.readlink(target / "current") == first and "版本甲" in live_text(target)
    # Nothing older: the rollback says so and changes nothing.
    done = make("rollback", f"DEPLOY_TARGET={target}")
    assert done.returncode != 0 and "没有更早的版本可以回退" in done.stderr
    assert os.readlink(target / "current") == first
    # Forward again, by name.
    done = make("rollback", f"DEPLOY_TARGET={target}", f"TO={second.split('/')[1]}")
    assert done.returncode == 0 and "版本乙" in live_text(target)


def test_the_gate_stops_a_publish_and_names_the_problems(live, tmp_path):
    live.write("exemplars/units/s.md", "---\nname: 示例党支部\nsector: 农村\nsample: true\n---\n")
    target = tmp_path / "www"
    done = make("publish", f"CONTENT={live.path}", f"DEPLOY_TARGET={target}")
    assert done.returncode != 0
    assert "exemplars/units/s.md:4: sample（示例记录）" in done.stdout
    assert "网站未发布" in done.stderr
    assert not (target / "current").exists()
    done = make("publish", f"CONTENT={live.path}")
    assert done.returncode != 0 and "没有指定发布目标" in done.stderr


def test_the_newest_releases_and_the_live_one_are_kept(live, tmp_path):
    site = build_site(live.path, tmp_path / "site")
    target = Target.parse(str(tmp_path / "www"))
    made = [publish(site, target, keep=2).id for _ in range(3)]
    live_id, names = releases(target)
    assert names == made[1:] and live_id == made[2]
    rollback(target)                                     # made[1] is live
    made.append(publish(site, target, keep=2).id)        # made[2] and made[3] are newest
    live_id, names = releases(target)
    assert live_id == made[3] and names == made[2:]
    rollback(target, made[2])
    made.append(publish(site, target, keep=2).id)
    assert releases(target) == (made[4], made[3:])
    with pytest.raises(PublishError, match="至少保留 2 个版本"):
        publish(site, target, keep=1)


def test_a_web_root_that_is_a_plain_folder_is_not_overwritten(live, tmp_path):
    site = build_site(live.path, tmp_path / "site")
    (tmp_path / "www" / "current").mkdir(parents=True)
    (tmp_path / "www" / "current" / "index.html").write_text("原来的网站")
    with pytest.raises(PublishError, match="current 已存在但不是符号链接"):
        publish(site, Target.parse(str(tmp_path / "www")))
    assert (tmp_path / "www" / "current" / "index.html").read_text() == "原来的网站"


# --- killed midway, seen through nginx ------------------------------------

def start_publish(repo, target: Path, pause: str | None, *extra: str, pause_file: Path | None = None):
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    if pause:
        env.update(ZLT_BUILD_PAUSE=pause, ZLT_BUILD_PAUSE_FILE=str(pause_file))
    return subprocess.Popen([sys.executable, "-m", "scripts", "--root", str(repo.path), "publish",
                             "--target", str(target), *extra], cwd=ROOT, env=env, start_new_session=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def kill(process: subprocess.Popen) -> None:
    os.killpg(process.pid, signal.SIGKILL)     # the publisher and its rsync, as a power cut would
    process.communicate()


def wait_for(condition, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_publish_killed_midway_leaves_the_previous_release_serving(live, tmp_path):
    target = tmp_path / "www"
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(live.path), "publish",
                           "--target", str(target)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    first = os.readlink(target / "current")
    instance = nginx_server.prepare(live.path, target / "current", tmp_path / "nginx", web_root=target / "current")
    with nginx_server.running(instance):
        def served() -> str:
            status, _, body = get(instance.https + "banben/")
            assert status == 200
            return body.decode()
        assert "版本甲" in served()

        # 1. Killed after the copy, just before the switch.
        set_version(live, "版本乙")
        pause = tmp_path / "paused"
        process = start_publish(live, target, "publish-copied", pause_file=pause)
        wait_for(pause.exists)
        incoming = list((target / "releases").glob(".incoming-*"))
        assert len(incoming) == 1 and "版本乙" in (incoming[0] / "banben/index.html").read_text(encoding="utf-8")
        kill(process)
        assert os.readlink(target / "current") == first
        assert "版本甲" in served()

        # 2. Killed in the middle of copying a large file (upload speed limited).
        live.write("content/downloads/large.bin", os.urandom(3 * 1024 * 1024))
        process = start_publish(live, target, None, "--bwlimit", "300")
        def copying() -> bool:
            return any(p.name.startswith(".") for d in (target / "releases").glob(".incoming-*")
                       for p in (d / "downloads").glob("*")) if (target / "releases").exists() else False
        wait_for(copying)
        kill(process)
        assert os.readlink(target / "current") == first
        assert "版本甲" in served()
        assert get(instance.https + "downloads/large.bin")[0] == 404

        # A publish that runs to the end goes live whole; the killed ones never did.
        done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(live.path), "publish",
                               "--target", str(target)], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "版本乙" in served()
        status, _, body = get(instance.https + "downloads/large.bin")
        assert status == 200 and body == (live.path / "content/downloads/large.bin").read_bytes()
        done = make("rollback", f"DEPLOY_TARGET={target}")
        assert done.returncode == 0 and "版本甲" in served()


def get(url: str):
    from tests.browser.test_nginx import get as fetch
    return fetch(url)


# --- the server's policy must allow the new pages --------------------------

def test_publish_refuses_pages_the_servers_policy_would_block(live, tmp_path):
    target = tmp_path / "www"
    site = build_site(live.path, tmp_path / "site")
    config = nginx.write(live.path, site, tmp_path / "nginx.conf", nginx.Server(root=f"{target}/current"))
    done = make("publish", f"CONTENT={live.path}", f"DEPLOY_TARGET={target}", f"NGINX_CONF={config}")
    assert done.returncode == 0, done.stdout + done.stderr
    first = os.readlink(target / "current")
    # A theme change brings an inline script the installed policy does not know.
    main = live.path / "templates/overrides/main.html"
    main.write_text(main.read_text(encoding="utf-8").replace(
        '{% block extrahead %}', '{% block extrahead %}\n  <script>window.zltChanged = 1</script>', 1),
        encoding="utf-8")
    done = make("publish", f"CONTENT={live.path}", f"DEPLOY_TARGET={target}", f"NGINX_CONF={config}")
    assert done.returncode != 0
    assert "服务器现用的安全策略会拦住它们" in done.stderr and "make nginx-conf" in done.stderr
    assert os.readlink(target / "current") == first
    # Regenerated from the new site, the policy allows it.
    site = build_site(live.path, tmp_path / "site")
    assert csp.missing_from(nginx.policy_of(config.read_text(encoding="utf-8")), csp.scan_site(site))
    nginx.write(live.path, site, config, nginx.Server(root=f"{target}/current"))
    done = make("publish", f"CONTENT={live.path}", f"DEPLOY_TARGET={target}", f"NGINX_CONF={config}")
    assert done.returncode == 0, done.stdout + done.stderr


# --- over SSH ---------------------------------------------------------------

@pytest.fixture
def sshd(tmp_path):
    """OpenSSH's server on a free port of 127.0.0.1, for this test only:
    key login as root with a key made here; yields the ssh command."""
    sshd_binary = "/usr/sbin/sshd"
    assert Path(sshd_binary).exists() and shutil.which("rsync"), "需要 openssh-server 和 rsync：请运行 make system-deps"
    folder = tmp_path / "sshd"
    folder.mkdir()
    for name in ("host", "client"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(folder / name)], check=True)
    (folder / "authorized_keys").write_text((folder / "client.pub").read_text())
    port = nginx_server.free_port()
    (folder / "sshd_config").write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {folder / 'host'}\nPidFile {folder / 'sshd.pid'}\n"
        f"AuthorizedKeysFile {folder / 'authorized_keys'}\nPermitRootLogin prohibit-password\n"
        "PasswordAuthentication no\nKbdInteractiveAuthentication no\nUsePAM no\nStrictModes no\n"
        "Subsystem sftp internal-sftp\n")
    Path("/run/sshd").mkdir(exist_ok=True)     # sshd's privilege separation folder
    process = subprocess.Popen([sshd_binary, "-D", "-e", "-f", str(folder / "sshd_config")],
                               stderr=subprocess.PIPE, text=True)
    # The test's own known_hosts (never /dev/null: ssh may rewrite that file by renaming over it).
    (folder / "known_hosts").write_text(f"[127.0.0.1]:{port} {(folder / 'host.pub').read_text()}")
    ssh = (f"ssh -p {port} -i {folder / 'client'} -o BatchMode=yes -o StrictHostKeyChecking=yes "
           f"-o UserKnownHostsFile={folder / 'known_hosts'} -o UpdateHostKeys=no -o LogLevel=ERROR")
    try:
        wait_for(lambda: subprocess.run([*ssh.split(), "root@127.0.0.1", "true"]).returncode == 0, 20)
        yield ssh
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_publish_and_rollback_over_ssh(live, tmp_path, sshd):
    remote = tmp_path / "server" / "www"
    spec = f"root@127.0.0.1:{remote}"
    done = make("publish", f"CONTENT={live.path}", f"DEPLOY_TARGET={spec}", f"DEPLOY_SSH={sshd}")
    assert done.returncode == 0, done.stdout + done.stderr
    first = os.readlink(remote / "current")
    set_version(live, "版本乙")
    done = make("publish", f"CONTENT={live.path}", f"DEPLOY_TARGET={spec}", f"DEPLOY_SSH={sshd}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "版本乙" in live_text(remote)
    second = os.readlink(remote / "current")
    assert (remote / second / "assets/zlt/reading.js").stat().st_ino == \
        (remote / first / "assets/zlt/reading.js").stat().st_ino
    done = make("rollback", f"DEPLOY_TARGET={spec}", f"DEPLOY_SSH={sshd}")
    assert done.returncode == 0 and os.readlink(remote / "current") == first
    assert "版本甲" in live_text(remote)
    # A host that cannot be reached: a Chinese message, nothing changed.
    done = make("rollback", f"DEPLOY_TARGET=root@127.0.0.1:{remote}",
                f"DEPLOY_SSH=ssh -p {nginx_server.free_port()} -o BatchMode=yes -o ConnectTimeout=5")
    assert done.returncode != 0 and "回退失败" in done.stderr
    assert os.readlink(remote / "current") == first


def test_targets_are_read_as_written():
    t = Target.parse("deploy@dangjian.zhalantun.gov.cn:/srv/zhalantun-dangjian/")
    assert (t.host, t.path) == ("deploy@dangjian.zhalantun.gov.cn", "/srv/zhalantun-dangjian")
    t = Target.parse("/srv/zhalantun-dangjian", "ssh -p 2222")
    assert (t.host, t.path) == ("", "/srv/zhalantun-dangjian")
    assert Target.parse("web1:/srv/x", "ssh -p 2222 -i /k").ssh == ["ssh", "-p", "2222", "-i", "/k"]
    for bad in ("", "srv/x"):
        with pytest.raises(PublishError):
            Target.parse(bad)
