"""Tamper protection (scripts/deploy/manifest.py, verify.py, verifyconf.py):
a publish signs its manifest and keeps a pristine copy; the verifier,
against Debian's nginx serving the target's `current`, restores changed and
deleted pages, moves planted files out, never follows a planted symlink,
raises its alarm lines and calls the hook; a forged manifest, a replaced
key, a damaged pristine copy are refused with their own alarms."""
from __future__ import annotations

import fcntl
import os
import re
import shutil
import subprocess
import sys
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import quote

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from scripts.deploy import manifest as mf
from scripts.deploy.publish import PublishError, Target, publish
from scripts.dev import nginx_server

ROOT = Path(__file__).resolve().parent.parent
ALARM = re.compile(r"^ZLT-TAMPER \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d (\S+) (.*)$")
PAGE = "<!doctype html><html lang=\"zh-CN\"><title>{0}</title><h1>{0}</h1>"


def make_site(folder: Path) -> Path:
    """A built site as publish and nginx see it (the build is tested elsewhere)."""
    files = {"index.html": PAGE.format("首页"), "404.html": PAGE.format("页面不存在"),
             "about/index.html": PAGE.format("党建工作介绍"), "assets/site.css": "body { color: #333 }\n",
             "党建 动态/index.html": PAGE.format("党建动态")}
    for rel, text in files.items():
        (folder / rel).parent.mkdir(parents=True, exist_ok=True)
        (folder / rel).write_text(text, encoding="utf-8")
    return folder


def alarms(stderr: str) -> list[tuple[str, dict[str, str]]]:
    found = []
    for line in stderr.splitlines():
        m = ALARM.match(line)
        assert m, f"not an alarm line: {line!r}"
        found.append((m.group(1), dict(kv.split("=", 1) for kv in m.group(2).split(" "))))
    return found


@pytest.fixture
def setup(tmp_path):
    key = tmp_path / "keys" / "publish-signing-key.pem"
    assert mf.create_key(key)
    site = make_site(tmp_path / "site")
    www = tmp_path / "www"
    release = publish(site, Target.parse(str(www)), signing_key=key)
    return tmp_path, key, site, www, release


def verify(www: Path, key: Path, *extra: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scripts.deploy.verify", "--target", str(www),
                           "--public-key", str(mf.public_path(key)), *extra],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


# --- the manifest ----------------------------------------------------------------------

def test_a_signed_manifest_verifies_and_any_change_or_other_key_is_refused(tmp_path):
    site = make_site(tmp_path / "site")
    key, other = Ed25519PrivateKey.generate(), Ed25519PrivateKey.generate()
    listed = mf.build(site, "20261206-101500-000000", "2026-12-06T02:15:00Z")
    assert listed.dirs == {"about", "assets", "党建 动态"}
    assert listed.files["about/index.html"][1] == \
        __import__("hashlib").sha256((site / "about/index.html").read_bytes()).hexdigest()
    data = mf.sign(listed, key)
    back = mf.verify(data, key.public_key(), "20261206-101500-000000")
    assert back.files == listed.files and back.dirs == listed.dirs
    # One byte of the body changed: the hash of about/index.html made to match a forged page.
    forged = data.replace(listed.files["about/index.html"][1].encode(), b"0" * 64)
    with pytest.raises(mf.ManifestError, match="签名之后被改动过"):
        mf.verify(forged, key.public_key(), "20261206-101500-000000")
    with pytest.raises(mf.ManifestError, match="不是用服务器认可的密钥签名的"):
        mf.verify(mf.sign(listed, other), key.public_key(), "20261206-101500-000000")
    # Another release's genuine manifest put in its place.
    with pytest.raises(mf.ManifestError, match="不是正在使用的版本"):
        mf.verify(data, key.public_key(), "20261206-101501-000000")
    for broken in (b"", b"{}", data.split(b"\n", 1)[1]):
        with pytest.raises(mf.ManifestError):
            mf.verify(broken, key.public_key(), "20261206-101500-000000")
    # Even a correctly signed path that leaves the tree is refused.
    listed.files["../outside"] = (1, "0" * 64)
    with pytest.raises(mf.ManifestError, match="不安全的路径"):
        mf.verify(mf.sign(listed, key), key.public_key(), "20261206-101500-000000")


def test_a_site_with_a_symlink_is_not_published(tmp_path):
    site = make_site(tmp_path / "site")
    (site / "link.html").symlink_to(site / "index.html")
    key = tmp_path / "k.pem"
    with pytest.raises(PublishError, match="符号链接 link.html"):
        publish(site, Target.parse(str(tmp_path / "www")), signing_key=key)
    assert not (tmp_path / "www" / "current").exists()


def test_the_key_is_created_once_private_and_never_overwritten(tmp_path, monkeypatch):
    monkeypatch.setenv(mf.KEY_ENV, str(tmp_path / "conf" / "k.pem"))
    key, path, created = mf.ensure_key()
    assert created and path == tmp_path / "conf" / "k.pem"
    assert oct(path.stat().st_mode & 0o777) == "0o600" and oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert mf.public_path(path).read_text().startswith("-----BEGIN PUBLIC KEY-----")
    again, _, created = mf.ensure_key()
    assert not created and mf.fingerprint(again.public_key()) == mf.fingerprint(key.public_key())
    assert not mf.create_key(path)
    path.chmod(0o644)
    with pytest.raises(mf.ManifestError, match="chmod 600"):
        mf.load_key(path)
    done = subprocess.run([sys.executable, "-m", "scripts.deploy.verify", "keygen", "--key", str(tmp_path / "new.pem")],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and "已生成防篡改签名私钥" in done.stdout and "BEGIN PUBLIC KEY" in done.stdout
    done = subprocess.run([sys.executable, "-m", "scripts.deploy.verify", "keygen", "--key", str(tmp_path / "new.pem")],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and "已有防篡改签名私钥" in done.stdout


def test_the_release_layout_keeps_the_pristine_copy_apart_and_prunes_it(tmp_path):
    key = tmp_path / "k.pem"
    site, www = make_site(tmp_path / "site"), tmp_path / "www"
    made = [publish(site, Target.parse(str(www)), keep=2, signing_key=key).id for _ in range(3)]
    assert sorted(p.name for p in (www / "pristine").iterdir()) == made[1:]
    assert sorted(p.name for p in (www / "manifests").iterdir()) == [m + ".manifest" for m in made[1:]]
    served, pristine = www / "releases" / made[2] / "about/index.html", www / "pristine" / made[2] / "about/index.html"
    # Never the same inode as a served file (written in place, it would change too);
    # shared with the previous pristine copy; read-only.
    assert served.stat().st_ino != pristine.stat().st_ino
    assert pristine.stat().st_ino == (www / "pristine" / made[1] / "about/index.html").stat().st_ino
    assert pristine.stat().st_mode & 0o222 == 0 and pristine.parent.stat().st_mode & 0o222 == 0


# --- through nginx -----------------------------------------------------------------------

@pytest.mark.slow
def test_one_run_restores_and_removes_what_was_tampered_as_nginx_serves_it(setup, repo):
    from tests.browser.test_nginx import address, get
    tmp, key, site, www, release = setup
    live = www / "current"
    config = repo.path / "网站设置.yml"
    config.write_text(re.sub(r"(?m)^site_url:.*$", "site_url: https://dangjian.test/",
                             config.read_text(encoding="utf-8")), encoding="utf-8")
    instance = nginx_server.prepare(repo.path, live, tmp / "nginx", web_root=live)
    outside = tmp / "secret.txt"
    outside.write_text("网站以外的文件", encoding="utf-8")
    hook = tmp / "hook.txt"
    command = f"cat > {hook}; echo \"$ZLT_TAMPER_SUMMARY\" > {tmp / 'summary.txt'}"
    with nginx_server.running(instance):
        home = address(instance)
        assert verify(www, key).returncode == 0
        original = get(home + "about/")[2]
        # The attack: a page changed, a file deleted, two pages planted, a link out.
        (live / "about/index.html").write_text(PAGE.format("已被篡改"), encoding="utf-8")
        (live / "assets/site.css").unlink()
        (live / "shell.php").write_text("<?php system($_GET['c']); ?>")
        (live / "index2.html").write_text(PAGE.format("黑页"), encoding="utf-8")
        (live / "党建 动态/secret.txt").symlink_to(outside)
        assert "已被篡改" in get(home + "about/")[2].decode()
        assert get(home + "index2.html")[0] == 200
        # What nginx refuses even before the verifier runs: the webshell, the link out.
        assert get(home + "shell.php")[0] == 404
        assert get(home + quote("党建 动态/secret.txt"))[0] in (403, 404)

        done = verify(www, key, "--alarm-command", command)
        assert done.returncode == 1, done.stdout + done.stderr
        found = alarms(done.stderr)
        by_path = {fields["path"]: (event, fields) for event, fields in found}
        digest = mf.build(site, release.id, "-").files
        assert by_path["about/index.html"] == ("restored", {
            "release": release.id, "path": "about/index.html", "sha256": digest["about/index.html"][1],
            "was": __import__("hashlib").sha256(PAGE.format("已被篡改").encode()).hexdigest()})
        assert by_path["assets/site.css"][0] == "restored" and by_path["assets/site.css"][1]["was"] == "missing"
        for planted, kind in (("shell.php", "file"), ("index2.html", "file"), ("党建\\x20动态/secret.txt", "link")):
            event, fields = by_path[planted]
            assert event == "quarantined" and fields["kind"] == kind
            assert fields["to"].startswith("quarantine/")
        assert len(found) == 5
        assert re.search(r"zlt-verify repaired release=\S+ files=5 ", done.stdout)

        # nginx serves the release as published again.
        for rel, url in (("about/index.html", "about/"), ("assets/site.css", "assets/site.css")):
            status, _, body = get(home + url)
            assert status == 200 and body == (site / rel).read_bytes()
        assert get(home + "about/")[2] == original
        assert get(home + "index2.html")[0] == 404
        # The link was moved, never followed: the file it named is where it was, unchanged.
        assert outside.read_text(encoding="utf-8") == "网站以外的文件"
        moved = www / by_path["党建\\x20动态/secret.txt"][1]["to"].replace("\\x20", " ")
        assert moved.is_symlink() and os.readlink(moved) == str(outside)
        assert (www / by_path["shell.php"][1]["to"]).read_text().startswith("<?php")
        # The hook got the message (a mail: Subject, then the lines) and the summary.
        message = hook.read_text(encoding="utf-8")
        assert message.startswith("Subject: =?utf-8?")
        assert all(line in message for line in done.stderr.splitlines())
        assert "已全部恢复" in message
        assert (tmp / "summary.txt").read_text(encoding="utf-8").startswith("扎兰屯党建网防篡改报警")

        # Idempotent: nothing left to do, no alarm, no hook.
        hook.unlink()
        again = verify(www, key, "--alarm-command", command)
        assert again.returncode == 0 and again.stderr == "" and not hook.exists()
        # The manifest and the pristine copy are outside what nginx serves.
        for path in ("manifests/", f"../manifests/{release.id}.manifest", f"../pristine/{release.id}/index.html"):
            status, _, body = get(home + path)
            assert status in (400, 404) and b"zlt-signature" not in body


@pytest.mark.slow
def test_a_forged_manifest_or_a_replaced_key_restores_nothing(setup):
    tmp, key, site, www, release = setup
    manifest = www / "manifests" / f"{release.id}.manifest"
    page = www / "current" / "about/index.html"
    page.write_text("篡改者的网页", encoding="utf-8")
    forged_digest = __import__("hashlib").sha256("篡改者的网页".encode()).hexdigest()
    genuine = manifest.read_bytes()
    hook = tmp / "hook.txt"

    # 1. Edited so that the forged page is "right".
    manifest.write_bytes(genuine.replace(mf.build(site, release.id, "-").files["about/index.html"][1].encode(),
                                         forged_digest.encode()))
    done = verify(www, key, "--alarm-command", f"cat > {hook}")
    assert done.returncode == 3
    [(event, fields)] = alarms(done.stderr)
    assert event == "manifest-untrusted" and "签名之后被改动过" in fields["reason"]
    assert page.read_text(encoding="utf-8") == "篡改者的网页"      # nothing restored from it
    assert "manifest-untrusted" in hook.read_text(encoding="utf-8") and "未能全部恢复或无法检查" in hook.read_text()

    # 2. Signed anew with the attacker's own key.
    listed = mf.build(site, release.id, "-")
    listed.files["about/index.html"] = (len("篡改者的网页".encode()), forged_digest)
    manifest.write_bytes(mf.sign(listed, Ed25519PrivateKey.generate()))
    done = verify(www, key)
    [(event, fields)] = alarms(done.stderr)
    assert done.returncode == 3 and event == "manifest-untrusted" and "不是用服务器认可的密钥签名的" in fields["reason"]

    # 3. The public key replaced with the attacker's: the fingerprint pinned in the unit tells.
    manifest.write_bytes(genuine)
    pinned = mf.fingerprint(mf.load_public_key(mf.public_path(key)))
    attacker = tmp / "attacker.pem"
    mf.create_key(attacker)
    shutil.copyfile(mf.public_path(attacker), mf.public_path(key))
    done = verify(www, key, "--key-fingerprint", pinned)
    [(event, fields)] = alarms(done.stderr)
    assert done.returncode == 3 and event == "key-changed" and fields["expected"] == pinned
    assert page.read_text(encoding="utf-8") == "篡改者的网页"

    # 4. No manifest at all (a release from before, or deleted).
    mf_key = tmp / "keys" / "genuine.pub"
    mf_key.write_bytes(mf.public_pem(mf.load_key(key)).encode())
    manifest.unlink()
    done = subprocess.run([sys.executable, "-m", "scripts.deploy.verify", "--target", str(www), "--public-key",
                           str(mf_key)], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 3 and alarms(done.stderr)[0][0] == "manifest-missing"


@pytest.mark.slow
def test_a_damaged_pristine_copy_is_not_used(setup):
    tmp, key, site, www, release = setup
    pristine = www / "pristine" / release.id / "about/index.html"
    pristine.parent.chmod(0o755)
    pristine.unlink()
    pristine.write_text("副本也被改了", encoding="utf-8")
    page = www / "current" / "about/index.html"
    page.write_text("篡改", encoding="utf-8")
    done = verify(www, key)
    assert done.returncode == 3
    [(event, fields)] = alarms(done.stderr)
    assert event == "restore-failed" and fields["path"] == "about/index.html"
    assert page.read_text(encoding="utf-8") == "篡改"


@pytest.mark.slow
def test_the_cache_is_not_fooled_by_a_forged_mtime(setup):
    tmp, key, site, www, release = setup
    state = tmp / "state"
    first = verify(www, key, "--state", str(state))
    assert first.returncode == 0 and "hashed=5" in first.stdout
    second = verify(www, key, "--state", str(state))
    assert second.returncode == 0 and "hashed=0" in second.stdout
    page = www / "current" / "index.html"
    before = page.stat()
    page.write_text(PAGE.format("黑页"), encoding="utf-8")          # the same size
    assert page.stat().st_size == before.st_size
    os.utime(page, ns=(before.st_atime_ns, before.st_mtime_ns))
    done = verify(www, key, "--state", str(state))
    assert done.returncode == 1 and "hashed=1" in done.stdout
    assert alarms(done.stderr)[0][1]["path"] == "index.html"
    # The cache inside the target would be forgeable by whoever writes the site: refused.
    done = verify(www, key, "--state", str(www / "state"))
    assert done.returncode == 2 and "不能在发布目标之内" in done.stderr


@pytest.mark.slow
def test_the_verifier_and_a_publish_share_the_lock(setup):
    tmp, key, site, www, release = setup
    lock = www / ".publish.lock"
    with open(lock, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        lock.write_text(f"发布版本 x，{datetime.now(timezone.utc):%Y-%m-%dT%H:%M:%SZ} 开始，发布机 a（服务器上的进程 1）\n")
        (www / "current" / "index.html").write_text("篡改")
        done = verify(www, key)
        assert done.returncode == 0 and "本次检查跳过" in done.stdout and done.stderr == ""
        old = datetime.now(timezone.utc) - timedelta(hours=5)
        lock.write_text(f"发布版本 x，{old:%Y-%m-%dT%H:%M:%SZ} 开始，发布机 a（服务器上的进程 1）\n")
        done = verify(www, key)
        assert done.returncode == 3 and alarms(done.stderr)[0][0] == "lock-stuck"
    assert verify(www, key).returncode == 1

    # A publish that starts while the verifier holds the lock waits for it, not refused.
    with open(lock, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        lock.write_text("zlt-verify：防篡改检查\n")
        threading.Timer(1.5, lambda: fcntl.flock(held, fcntl.LOCK_UN)).start()
        started = time.monotonic()
        second = publish(site, Target.parse(str(www)), signing_key=key)
        assert time.monotonic() - started >= 1.4
    assert second.previous == release.id
    assert verify(www, key).returncode == 0


@pytest.mark.slow
def test_the_systemd_units(tmp_path):
    key = tmp_path / "k.pem"
    mf.create_key(key)
    out = tmp_path / "units"
    done = subprocess.run([sys.executable, "-m", "scripts.deploy.verify", "config", "--target", "/srv/zhalantun-dangjian",
                           "--public-key", str(mf.public_path(key)), "--alarm-command",
                           "sendmail -t admin@example.gov.cn # 100% $HOME", "--out", str(out)],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    service = (out / "zhalantun-dangjian-verify.service").read_text(encoding="utf-8")
    start = next(line for line in service.splitlines() if line.startswith("ExecStart="))
    fingerprint = mf.fingerprint(mf.load_key(key).public_key())
    assert f"--key-fingerprint {fingerprint}" in start and "--public-key /etc/zhalantun-dangjian/publish.pub" in start
    assert "'sendmail -t admin@example.gov.cn # 100%% $$HOME'" in start
    assert "ReadWritePaths=/srv/zhalantun-dangjian" in service
    timer = (out / "zhalantun-dangjian-verify.timer").read_text(encoding="utf-8")
    assert "OnUnitInactiveSec=60s" in timer
    if shutil.which("systemd-analyze"):
        verified = subprocess.run(["systemd-analyze", "verify", *(str(p) for p in sorted(out.iterdir()))],
                                  capture_output=True, text=True, cwd=out, timeout=60)
        assert "zhalantun-dangjian-verify" not in verified.stdout + verified.stderr, verified.stderr
    done = subprocess.run([sys.executable, "-m", "scripts.deploy.verify", "config", "--target", "srv",
                           "--public-key", str(tmp_path / "none.pub")], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 2 and "绝对路径" in done.stderr and "没有发布公钥" in done.stderr
    assert "Traceback" not in done.stderr
