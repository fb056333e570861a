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
    lines = listed.stdout.splitlines()
    assert lines[:2] == [first.split("/")[1] + "  ← make rollback 将回到此版本", second.split("/")[1] + "  ← 正在使用"]
    assert re.fullmatch(rf"\S+ \S+  发布  {first.split('/')[1]} → {second.split('/')[1]}", lines[-1])

    done = make("rollback", f"DEPLOY_TARGET={target}")
    assert done.returncode == 0, done.stderr
    assert f"由 {second.split('/')[1]} 改为 {first.split('/')[1]}" in done.stdout
    assert "再往前已没有可回退的版本" in done.stdout
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


def test_the_live_release_and_those_rollback_reaches_are_kept(live, tmp_path):
    site = build_site(live.path, tmp_path / "site")
    target = Target.parse(str(tmp_path / "www"))
    made = [publish(site, target, keep=2).id for _ in range(3)]
    live_id, names = releases(target)
    assert names == made[1:] and live_id == made[2]
    rollback(target)                                     # made[1] is live; made[2] was rolled back from
    made.append(publish(site, target, keep=2).id)
    # Kept: the live one and the one rollback goes to (made[1]), not the newer made[2].
    live_id, names = releases(target)
    assert live_id == made[3] and names == [made[1], made[3]]
    assert rollback(target).new == made[1]
    rollback(target, made[3])
    made.append(publish(site, target, keep=2).id)
    assert releases(target) == (made[4], made[3:])
    with pytest.raises(PublishError, match="至少保留 2 个版本"):
        publish(site, target, keep=1)


def small_site(tmp_path) -> Path:
    """What publish needs of a site (the build is tested elsewhere): an index."""
    site = tmp_path / "small-site"
    site.mkdir(exist_ok=True)
    (site / "index.html").write_text("<!doctype html><title>首页</title>", encoding="utf-8")
    return site


def history(target: Path) -> list[list[str]]:
    return [line.split()[1:] for line in (target / "history.log").read_text(encoding="utf-8").splitlines()]


def test_rollback_goes_back_along_the_history_the_publish_message_names(tmp_path):
    site, www = small_site(tmp_path), tmp_path / "www"
    target = Target.parse(str(www))
    r1, r2, r3 = (publish(site, target) for _ in range(3))
    assert (r1.previous, r2.previous, r3.previous) == (None, r1.id, r2.id)
    # Rollback after rollback goes further back.
    assert (rollback(target).new, rollback(target).new) == (r2.id, r1.id)
    with pytest.raises(PublishError, match="没有更早的版本可以回退"):
        rollback(target)
    # Then a publish: its message names the live one (r1), and rollback goes there,
    # not to r3, the newest by name, which was rolled back from.
    r4 = publish(site, target)
    assert r4.previous == r1.id
    back = rollback(target)
    assert (back.old, back.new, back.next) == (r4.id, r1.id, None)
    assert os.readlink(www / "current") == f"releases/{r1.id}"
    assert history(www) == [["publish", "-", r1.id], ["publish", r1.id, r2.id], ["publish", r2.id, r3.id],
                            ["rollback", r3.id, r2.id], ["rollback", r2.id, r1.id], ["publish", r1.id, r4.id],
                            ["rollback", r4.id, r1.id]]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", line.split()[0])
               for line in (www / "history.log").read_text(encoding="utf-8").splitlines())
    # A rollback to a named release is undone by the next plain one.
    rollback(target, r3.id)
    back = rollback(target)
    assert (back.old, back.new) == (r3.id, r1.id)


def test_rollback_skips_deleted_releases_and_reads_gaps_in_the_history(tmp_path):
    site, www = small_site(tmp_path), tmp_path / "www"
    target = Target.parse(str(www))
    made = [publish(site, target, keep=3).id for _ in range(5)]
    assert releases(target)[1] == made[2:]
    assert rollback(target).new == made[3]
    assert rollback(target).new == made[2]
    with pytest.raises(PublishError, match="没有更早的版本"):      # made[1] and made[0] are deleted
        rollback(target)
    # `current` switched by hand (or by a publish killed before its line was
    # written): rollback goes back to what history last made live.
    (www / "hand").symlink_to(f"releases/{made[4]}")
    (www / "hand").replace(www / "current")
    assert rollback(target).new == made[2]
    # A line cut by a crash is ignored.
    with open(www / "history.log", "a", encoding="utf-8") as f:
        f.write("2026-11-27T14:05:01Z publ")
    assert releases(target)[0] == made[2]
    assert rollback(target, made[4]).new == made[4]


def test_a_target_without_history_rolls_back_by_name_and_says_so(tmp_path):
    site, www = small_site(tmp_path), tmp_path / "www"
    target = Target.parse(str(www))
    made = [publish(site, target).id for _ in range(3)]
    (www / "history.log").unlink()                   # as published by the tool before history.log
    listed = subprocess.run([sys.executable, "-m", "scripts", "releases", "--target", str(www)], cwd=ROOT,
                            capture_output=True, text=True)
    assert "还没有切换记录 history.log" in listed.stdout
    done = subprocess.run([sys.executable, "-m", "scripts", "rollback", "--target", str(www)], cwd=ROOT,
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "按版本名回退" in done.stdout and f"改为 {made[1]}" in done.stdout
    assert rollback(target).new == made[0]           # still by name: nothing older in the history


def test_a_killed_publishs_leftovers_go_with_the_next_publish(tmp_path):
    site, www = small_site(tmp_path), tmp_path / "www"
    target = Target.parse(str(www))
    publish(site, target)
    for name in (".incoming-20261127-140501-123456", ".incoming-x"):    # fresh, not an hour old
        (www / "releases" / name / "a").mkdir(parents=True)
    done = publish(site, target)
    assert sorted(done.leftovers) == [".incoming-20261127-140501-123456", ".incoming-x"]
    assert not list((www / "releases").glob(".*"))


def hold_lock(target: Path):
    """The target's lock, as a publish running holds it."""
    import fcntl
    f = open(target / ".publish.lock", "a")
    fcntl.flock(f, fcntl.LOCK_EX)
    return f


def test_one_publish_or_rollback_at_a_time(tmp_path):
    site, www = small_site(tmp_path), tmp_path / "www"
    target = Target.parse(str(www))
    first = publish(site, target).id
    second = publish(site, target).id
    with hold_lock(www):
        for attempt in (lambda: publish(site, target), lambda: rollback(target)):
            with pytest.raises(PublishError, match="另一个发布或回退正在进行"):
                attempt()
        assert releases(target) == (second, [first, second])        # reading needs no lock
    assert rollback(target).new == first


REPOSITORY_TARGETS = ["site", "preview", "serve", "check", "release", "new", "offline", "print", "samples", "schema",
                      "clean-photos", "edit", "save", "nginx-conf", "publish", "rollback", "releases"]


@pytest.mark.parametrize("variable", ["CONTENT", "REPO"])
def test_every_make_target_that_reads_a_repository_is_given_CONTENT(variable, tmp_path):
    done = subprocess.run(["make", "-n", "-C", str(ROOT), *REPOSITORY_TARGETS, f"{variable}={tmp_path}"],
                          capture_output=True, text=True)
    commands = [line for line in done.stdout.splitlines() if "python -m scripts " in line]
    assert len(commands) >= len(REPOSITORY_TARGETS)
    assert all(f'--root "{tmp_path}"' in line for line in commands), commands


def test_make_check_and_release_read_the_CONTENT_repository(live):
    done = make("release", f"CONTENT={live.path}")      # the main repository, with its samples, would fail
    assert done.returncode == 0 and "发布前检查通过" in done.stdout, done.stdout + done.stderr
    live.write("exemplars/units/broken-zlt.md", "---\nname: 坏党支部\nsector: 火星\n---\n")
    for target in ("check", "release"):
        done = make(target, f"CONTENT={live.path}")
        assert done.returncode != 0 and "exemplars/units/broken-zlt.md" in done.stdout, done.stdout + done.stderr
    done = make("check")
    assert done.returncode == 0 and "broken-zlt" not in done.stdout + done.stderr, done.stdout + done.stderr


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
            status, _, body = get(site_address(instance) + "banben/")
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
        live.write("content/downloads/large.webm", b"\x1a\x45\xdf\xa3" + os.urandom(3 * 1024 * 1024))  # WebM: its header
        process = start_publish(live, target, None, "--bwlimit", "300")
        def copying() -> bool:
            assert process.poll() is None, process.communicate()     # still running: not refused
            return any(p.name.startswith(".") for d in (target / "releases").glob(".incoming-*")
                       for p in (d / "downloads").glob("*")) if (target / "releases").exists() else False
        wait_for(copying)
        kill(process)
        assert os.readlink(target / "current") == first
        assert "版本甲" in served()
        assert get(site_address(instance) + "downloads/large.webm")[0] == 404

        # A publish that runs to the end goes live whole; the killed ones never did.
        done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(live.path), "publish",
                               "--target", str(target)], cwd=ROOT, capture_output=True, text=True)
        assert done.returncode == 0, done.stdout + done.stderr
        assert "版本乙" in served()
        status, _, body = get(site_address(instance) + "downloads/large.webm")
        assert status == 200 and body == (live.path / "content/downloads/large.webm").read_bytes()
        assert not list((target / "releases").glob(".incoming-*"))     # the killed ones' copies are gone
        done = make("rollback", f"DEPLOY_TARGET={target}")
        assert done.returncode == 0 and "版本甲" in served()


def lock_is_free(target: Path) -> bool:
    import fcntl
    with open(target / ".publish.lock", "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True


def test_a_second_publish_is_refused_while_one_runs_and_the_lock_ends_with_it(live, tmp_path):
    target = tmp_path / "www"
    pause = tmp_path / "paused"
    process = start_publish(live, target, "publish-copied", pause_file=pause)
    wait_for(pause.exists)
    incoming = list((target / "releases").glob(".incoming-*"))
    assert len(incoming) == 1
    for command in ("publish", "rollback"):
        done = make(command, f"CONTENT={live.path}", f"DEPLOY_TARGET={target}")
        assert done.returncode != 0
        assert "另一个发布或回退正在进行（发布版本 " in done.stderr and "网站未改变" in done.stderr
    assert incoming[0].is_dir() and (incoming[0] / "index.html").is_file()   # the running one's copy is untouched
    # Only the publisher dies (its shell on the target is left): the lock goes with it.
    os.kill(process.pid, signal.SIGKILL)
    process.communicate()
    wait_for(lambda: lock_is_free(target), 20)
    done = make("publish", f"CONTENT={live.path}", f"DEPLOY_TARGET={target}")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "已删除此前中断的发布留下的临时目录 1 个" in done.stdout
    assert not list((target / "releases").glob(".incoming-*")) and "版本甲" in live_text(target)


def get(url: str):
    from tests.browser.test_nginx import get as fetch
    return fetch(url)


def site_address(instance) -> str:
    from tests.browser.test_nginx import address
    return address(instance)


# --- the Content-Security-Policy: pages it blocks, a server that differs ---

def test_publish_refuses_inline_script_and_a_server_policy_that_would_block_the_site(live, tmp_path):
    target = tmp_path / "www"
    site = build_site(live.path, tmp_path / "site")
    config = nginx.write(live.path, site, tmp_path / "nginx.conf", nginx.Server(root=f"{target}/current"))
    done = make("publish", f"CONTENT={live.path}", f"DEPLOY_TARGET={target}", f"NGINX_CONF={config}")
    assert done.returncode == 0, done.stdout + done.stderr
    first = os.readlink(target / "current")
    # A theme change brings an inline script: refused (never allowed by hash),
    # with or without the server's configuration named.
    main = live.path / "templates/overrides/main.html"
    original = main.read_text(encoding="utf-8")
    main.write_text(original.replace('{% block extrahead %}',
                                     '{% block extrahead %}\n  <script>window.zltChanged = 1</script>', 1),
                    encoding="utf-8")
    for extra in ([f"NGINX_CONF={config}"], []):
        done = make("publish", f"CONTENT={live.path}", f"DEPLOY_TARGET={target}", *extra)
        assert done.returncode != 0
        assert "内联脚本" in done.stderr and "index.html" in done.stderr and "网站未发布" in done.stderr
        assert os.readlink(target / "current") == first
    main.write_text(original, encoding="utf-8")
    # A server whose policy lacks what the site's own files need (here an
    # older configuration without media-src 'self') is named before publishing.
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("media-src 'self'", "media-src 'none'"), encoding="utf-8")
    done = make("publish", f"CONTENT={live.path}", f"DEPLOY_TARGET={target}", f"NGINX_CONF={config}")
    assert done.returncode != 0
    assert "media-src 'self'" in done.stderr and "make nginx-conf" in done.stderr
    assert os.readlink(target / "current") == first
    nginx.write(live.path, site, config, nginx.Server(root=f"{target}/current"))
    assert csp.missing_from(nginx.policy_of(config.read_text(encoding="utf-8"))) == []
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
    with hold_lock(remote):           # as a publish from another machine would
        done = make("rollback", f"DEPLOY_TARGET={spec}", f"DEPLOY_SSH={sshd}")
        assert done.returncode != 0 and "另一个发布或回退正在进行" in done.stderr
    assert os.readlink(remote / "current") == second
    done = make("rollback", f"DEPLOY_TARGET={spec}", f"DEPLOY_SSH={sshd}")
    assert done.returncode == 0 and os.readlink(remote / "current") == first
    assert "版本甲" in live_text(remote)
    assert [line.split()[1] for line in (remote / "history.log").read_text().splitlines()] == \
        ["publish", "publish", "rollback"]
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
