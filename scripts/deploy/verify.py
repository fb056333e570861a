"""Tamper protection on the web server (GA/T 1358: detect, restore, alarm):
what nginx serves from `current` is compared with the signed manifest of
the live release (manifest.py); changed, deleted or unreadable files are
restored from the release's pristine copy, files and folders the manifest
does not list (shell.php, index2.html, a planted symlink) are moved to
`quarantine/<time>/`, and every finding is an alarm line

    ZLT-TAMPER 2026-12-06T10:15:00+08:00 restored release=… path=about/index.html sha256=… was=…

on stderr (the journal, under systemd) and, once per run, a message to the
`--alarm-command` (sendmail, an SMS gateway's script) on its stdin.

Trust: the verifier trusts its own code and the public key file
(/etc/zhalantun-dangjian/publish.pub, root's, optionally pinned by its
fingerprint in the systemd unit), nothing in the target folder. Whoever
can write the web root can usually write the whole target (same account),
so the manifest, the pristine copy and the lock file are data to check:
the manifest must carry the signature of the key that never leaves the
publishing machine, and a pristine file is used only if its SHA-256 is the
manifest's. An untrusted manifest restores nothing: a distinct alarm, exit 3.
The hash cache (--state) must be outside the target, or a forged entry
would hide a change.

Symlinks are never followed: every file and folder is opened relative to its
folder's descriptor with O_NOFOLLOW, so a folder swapped for a link midway
fails to open instead of leading out of the tree.

One release at a time: the verifier takes the publish lock (publish.py's
.publish.lock, flock) without waiting; a publish running means this round is
skipped (a publish waits for a verifier, publish.py's LOCK_STEP). A lock held
for hours is itself an alarm: it would silence the verifier.

Speed: files whose inode, size, mtime and ctime are as when last hashed are
not hashed again (ctime cannot be set by a user, only by the clock), and all
of them are every FULL_EVERY. Measured on the development machine (2 cores,
files in the page cache): 20,000 files (10,000 pages and their .gz, 380 MB)
hash in 0.73 s, stat in 0.16 s.
"""
from __future__ import annotations

import argparse
import fcntl
import json
import os
import re
import socket
import stat
import subprocess
import sys
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from email.header import Header
from pathlib import Path

from . import manifest as mf
from .publish import _ID_RE, LOCK, PRISTINE, VERIFIER_MARK
from .verify_args import OK, REFUSED, REPAIRED, UNDELIVERED, USAGE, USAGE_TEXT, _Parser

O_DIR = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
O_FILE = os.O_RDONLY | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK   # NONBLOCK: a planted FIFO does not hang us
QUARANTINE = "quarantine"
FULL_EVERY = 3600          # seconds between full re-hashes (the cache trusted in between)
LOCK_STUCK = 3 * 3600      # a publish holding the lock longer than this is an alarm
ALARM_REPEAT = 3600        # the same alarm (an untrusted manifest) re-sent at most hourly
ALARM_TIMEOUT = 120
MAX_MANIFEST = 512 * 1024 * 1024
FILE_MODE, DIR_MODE = 0o644, 0o755     # publish.py's rsync --chmod
STATE_FILE = "hashes.json"
SENT_FILE = "alarm-sent.json"


def _now() -> str:
    return datetime.now().astimezone().isoformat(timespec="seconds")


def _value(text: str) -> str:
    """A value for the alarm line that cannot break it: a planted name may hold
    spaces, newlines or bytes that are not UTF-8."""
    return "".join(c if c.isprintable() and not c.isspace() and c != "\\" else
                   (f"\\x{ord(c):02x}" if ord(c) < 0x100 else f"\\u{ord(c):04x}") for c in text) or '""'


@dataclass
class Alarm:
    event: str
    fields: dict[str, str] = field(default_factory=dict)

    def line(self, when: str) -> str:
        return " ".join(["ZLT-TAMPER", when, self.event, *(f"{k}={_value(str(v))}" for k, v in self.fields.items())])


# What each alarm means, for the message to the administrator.
MEANING = {
    "restored": "被改动或删除的文件已从只读副本恢复",
    "quarantined": "清单中没有的文件（可能是植入的网页或后门）已移出网站目录",
    "manifest-untrusted": "文件清单的签名不对（被改动或用别的密钥签名）：没有据此恢复任何文件",
    "manifest-missing": "正在使用的版本没有文件清单（旧版工具发布？）：无法检查",
    "key-missing": "服务器上的发布公钥读不到：无法检查",
    "key-changed": "服务器上的发布公钥与定时检查配置中记下的指纹不同（公钥被替换？）：没有检查",
    "key-unsafe": "发布公钥文件或其目录不只属于 root（别人能替换它）：没有检查",
    "current-untrusted": "current 链接不指向 releases/ 下的某个版本：网站目录被改动",
    "restore-failed": "文件无法恢复（只读副本缺失或被改动）：网站仍有被篡改的文件",
    "lock-stuck": "发布锁被占用太久，检查无法进行",
}


@dataclass
class Report:
    release: str | None = None
    files: int = 0
    hashed: int = 0
    alarms: list[Alarm] = field(default_factory=list)
    refused: bool = False      # untrusted or unrepaired: exit REFUSED
    skipped: str = ""          # why this round did nothing (a publish running)

    def alarm(self, event: str, **fields) -> None:
        self.alarms.append(Alarm(event, {"release": self.release or "-", **fields}))

    @property
    def code(self) -> int:
        return REFUSED if self.refused else REPAIRED if self.alarms else OK


class _Refused(Exception):
    """Stop here: the reason is already an alarm in the report."""


# --- walking with descriptors ---------------------------------------------------------

def _open_dir(parent: int, name: str) -> int:
    return os.open(name, O_DIR, dir_fd=parent)


def _open_path(root: int, parts: list[str], create: bool = False, owner: tuple[int, int] | None = None) -> int:
    """The folder root/parts… (each component without following links),
    made (mode 755) when `create`."""
    fd = os.dup(root)
    try:
        for part in parts:
            try:
                child = _open_dir(fd, part)
            except FileNotFoundError:
                if not create:
                    raise
                os.mkdir(part, DIR_MODE, dir_fd=fd)
                child = _open_dir(fd, part)
                os.fchmod(child, DIR_MODE)
                if owner:
                    os.fchown(child, *owner)
            os.close(fd)
            fd = child
        return fd
    except BaseException:
        os.close(fd)
        raise


def _hash_at(parent: int, name: str) -> tuple[os.stat_result, str] | None:
    """(stat, sha256) of the regular file `name`, None if it is not one."""
    try:
        fd = os.open(name, O_FILE, dir_fd=parent)
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            return None
        return st, mf.file_digest(fd)
    finally:
        os.close(fd)


def _stat_key(st: os.stat_result) -> list[int]:
    return [st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns]


# --- the verifier -----------------------------------------------------------------------

@dataclass
class Verifier:
    target: Path
    public_key: Path
    fingerprint: str = ""          # pinned in the systemd unit
    state: Path | None = None      # hash cache and alarm memory, outside the target
    alarm_command: str = ""
    stamp: str = field(default_factory=lambda: datetime.now().strftime("%Y%m%d-%H%M%S-%f"))
    _full: float = 0.0             # when the cache's last full hash began

    def run(self) -> Report:
        report = Report()
        try:
            key = self._key(report)
            tfd = os.open(self.target, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except FileNotFoundError:
            report.skipped = f"{self.target} 不存在：还没有发布过网站"
            return report
        except _Refused:
            return report
        try:
            lock = self._lock(tfd, report)
            if lock is None:
                return report
            try:
                self._verify(tfd, key, report)
            except _Refused:
                pass
            finally:
                if lock >= 0:
                    os.close(lock)      # drops the flock
        finally:
            os.close(tfd)
        return report

    def _key(self, report: Report):
        try:
            key = mf.load_public_key(self.public_key)
        except mf.ManifestError as e:
            report.alarm("key-missing", file=str(self.public_key), reason=str(e))
            report.refused = True
            raise _Refused from None
        if os.geteuid() == 0:
            # Root's file in root's folder: nobody else can put their own key there.
            for path in (self.public_key, self.public_key.parent):
                st = os.stat(path)
                if st.st_uid != 0 or st.st_mode & 0o022:
                    report.alarm("key-unsafe", file=str(path), owner=str(st.st_uid), mode=f"{stat.S_IMODE(st.st_mode):o}")
                    report.refused = True
                    raise _Refused
        found = mf.fingerprint(key)
        if self.fingerprint and found != self.fingerprint:
            report.alarm("key-changed", file=str(self.public_key), fingerprint=found, expected=self.fingerprint)
            report.refused = True
            raise _Refused
        return key

    def _lock(self, tfd: int, report: Report) -> int | None:
        """The publish lock's descriptor (-1 when the target has none yet), or
        None when this round is skipped."""
        try:
            fd = os.open(LOCK, os.O_WRONLY | os.O_APPEND | os.O_NOFOLLOW | os.O_CLOEXEC, dir_fd=tfd)
        except FileNotFoundError:
            return -1
        except OSError as e:
            report.alarm("current-untrusted", reason=f"{LOCK}: {e.strerror}")
            report.refused = True
            return None
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            os.close(fd)
            report.alarm("current-untrusted", reason=f"{LOCK} 不是普通文件")
            report.refused = True
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            holder = self._read_small(tfd, LOCK).split("\n", 1)[0]
            if holder.startswith(VERIFIER_MARK):
                report.skipped = "上一次检查还在进行"
                return None
            started = re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", holder)
            age = time.time() - datetime.strptime(started.group(0), "%Y-%m-%dT%H:%M:%SZ").replace(
                tzinfo=timezone.utc).timestamp() if started else 0
            if age > LOCK_STUCK:
                report.alarm("lock-stuck", holder=holder, minutes=str(int(age // 60)))
                report.refused = True
            else:
                report.skipped = f"正在发布或回退（{holder}），本次检查跳过"
            return None
        os.ftruncate(fd, 0)
        os.write(fd, f"{VERIFIER_MARK}：防篡改检查，{_now()} 开始（服务器上的进程 {os.getpid()}）\n".encode())
        return fd

    @staticmethod
    def _read_small(tfd: int, name: str, limit: int = 4096) -> str:
        try:
            fd = os.open(name, O_FILE, dir_fd=tfd)
        except OSError:
            return ""
        try:
            return os.read(fd, limit).decode("utf-8", "replace")
        finally:
            os.close(fd)

    def _verify(self, tfd: int, key, report: Report) -> None:
        try:
            link = os.readlink("current", dir_fd=tfd)
        except FileNotFoundError:
            report.skipped = "还没有发布过网站（没有 current）"
            return
        except OSError:
            report.alarm("current-untrusted", reason="current 不是符号链接")
            report.refused = True
            raise _Refused from None
        rid = link.removeprefix("releases/")
        if not link.startswith("releases/") or not _ID_RE.match(rid):
            report.alarm("current-untrusted", link=link)
            report.refused = True
            raise _Refused
        report.release = rid
        manifest = self._manifest(tfd, rid, key, report)
        releases = _open_dir(tfd, "releases")
        try:
            root = _open_dir(releases, rid)
        finally:
            os.close(releases)
        try:
            owner = os.fstat(root)
            self._repair(tfd, root, manifest, report, (owner.st_uid, owner.st_gid))
        finally:
            os.close(root)

    def _manifest(self, tfd: int, rid: str, key, report: Report) -> mf.Manifest:
        name = rid + mf.SUFFIX
        try:
            folder = _open_dir(tfd, mf.MANIFESTS)
            try:
                fd = os.open(name, O_FILE, dir_fd=folder)
            finally:
                os.close(folder)
        except OSError:
            report.alarm("manifest-missing", file=f"{mf.MANIFESTS}/{name}")
            report.refused = True
            raise _Refused from None
        try:
            st = os.fstat(fd)
            if not stat.S_ISREG(st.st_mode) or st.st_size > MAX_MANIFEST:
                data = b""
            else:
                with os.fdopen(os.dup(fd), "rb") as f:
                    data = f.read()
        finally:
            os.close(fd)
        try:
            return mf.verify(data, key, rid)
        except mf.ManifestError as e:
            report.alarm("manifest-untrusted", file=f"{mf.MANIFESTS}/{name}", reason=str(e))
            report.refused = True
            raise _Refused from None

    # -- the tree ----------------------------------------------------------------------------

    def _repair(self, tfd: int, root: int, manifest: mf.Manifest, report: Report, owner) -> None:
        cache = self._load_cache(manifest.release)
        fresh: dict[str, list] = {}
        seen_files: set[str] = set()
        seen_dirs: set[str] = set()
        to_restore: dict[str, str] = {}      # path → what was there

        def scan(fd: int, prefix: str) -> None:
            with os.scandir(fd) as entries:
                names = sorted(e.name for e in entries)
            for name in names:
                rel = prefix + name
                try:
                    st = os.stat(name, dir_fd=fd, follow_symlinks=False)
                except FileNotFoundError:
                    continue
                if stat.S_ISDIR(st.st_mode) and rel in manifest.dirs:
                    try:
                        child = _open_dir(fd, name)
                    except OSError:            # swapped for a link since the stat
                        self._quarantine(tfd, fd, name, rel, "link", report)
                        continue
                    try:
                        seen_dirs.add(rel)
                        if stat.S_IMODE(st.st_mode) != DIR_MODE:
                            os.fchmod(child, DIR_MODE)
                            report.alarm("restored", path=rel + "/", was=f"mode:{stat.S_IMODE(st.st_mode):o}")
                        scan(child, rel + "/")
                    finally:
                        os.close(child)
                elif stat.S_ISREG(st.st_mode) and rel in manifest.files:
                    seen_files.add(rel)
                    size, digest = manifest.files[rel]
                    cached = cache.get(rel)
                    if cached and cached[:5] == _stat_key(st):
                        found = cached[5]
                    else:
                        hashed = _hash_at(fd, name)
                        report.hashed += 1
                        if hashed is None:
                            to_restore[rel] = "unreadable"
                            continue
                        st, found = hashed
                    if found != digest or st.st_size != size:
                        to_restore[rel] = found
                        continue
                    fresh[rel] = [*_stat_key(st), found]
                    if stat.S_IMODE(st.st_mode) != FILE_MODE:
                        # Read-only for the world, unreadable for nginx: both are changes.
                        self._chmod(fd, name)
                        report.alarm("restored", path=rel, sha256=digest, was=f"mode:{stat.S_IMODE(st.st_mode):o}")
                        fresh.pop(rel)
                else:
                    kind = ("link" if stat.S_ISLNK(st.st_mode) else "folder" if stat.S_ISDIR(st.st_mode)
                            else "file" if stat.S_ISREG(st.st_mode) else "special")
                    hashed = _hash_at(fd, name) if kind == "file" else None
                    self._quarantine(tfd, fd, name, rel, kind, report, hashed[1] if hashed else "")
                    if rel in manifest.files:
                        to_restore[rel] = kind

        scan(root, "")
        report.files = len(manifest.files)
        for rel in sorted(manifest.dirs - seen_dirs):
            fd = _open_path(root, rel.split("/"), create=True, owner=owner)
            os.close(fd)
            report.alarm("restored", path=rel + "/", was="missing")
        for rel in sorted(set(manifest.files) - seen_files - set(to_restore)):
            to_restore[rel] = "missing"
        if to_restore:
            pristine = self._pristine(tfd, manifest.release)
            for rel, was in sorted(to_restore.items()):
                self._restore(root, pristine, rel, manifest.files[rel], was, report, owner)
            if pristine >= 0:
                os.close(pristine)
        self._save_cache(manifest.release, fresh)

    @staticmethod
    def _chmod(fd: int, name: str) -> None:
        file = os.open(name, O_FILE, dir_fd=fd)
        try:
            os.fchmod(file, FILE_MODE)
        finally:
            os.close(file)

    def _quarantine(self, tfd: int, fd: int, name: str, rel: str, kind: str, report: Report, digest: str = "") -> None:
        """Move `name` (never followed) out of the web root, to quarantine/<time>/<path>."""
        where = [QUARANTINE, self.stamp, *rel.split("/")[:-1]]
        dest = _open_path(tfd, where, create=True)
        try:
            os.rename(name, name, src_dir_fd=fd, dst_dir_fd=dest)
        finally:
            os.close(dest)
        fields = {"path": rel, "kind": kind, "to": "/".join([*where, name])}
        if digest:
            fields["sha256"] = digest
        report.alarm("quarantined", **fields)

    def _pristine(self, tfd: int, rid: str) -> int:
        try:
            folder = _open_dir(tfd, PRISTINE)
            try:
                return _open_dir(folder, rid)
            finally:
                os.close(folder)
        except OSError:
            return -1

    def _restore(self, root: int, pristine: int, rel: str, expected: tuple[int, str], was: str,
                 report: Report, owner) -> None:
        size, digest = expected
        parts = rel.split("/")
        source = -1
        try:
            if pristine < 0:
                raise FileNotFoundError(f"{PRISTINE}/{report.release}")
            folder = _open_path(pristine, parts[:-1])
            try:
                source = os.open(parts[-1], O_FILE, dir_fd=folder)
            finally:
                os.close(folder)
            os.set_blocking(source, True)
            st = os.fstat(source)
            if not stat.S_ISREG(st.st_mode) or st.st_size != size or mf.file_digest(source) != digest:
                raise ValueError("只读副本中的这个文件也被改动过")
            os.lseek(source, 0, os.SEEK_SET)
            dest = _open_path(root, parts[:-1], create=True, owner=owner)
            try:
                tmp = f".zlt-restore-{os.getpid()}-{parts[-1]}"[:255]
                out = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW | os.O_CLOEXEC, FILE_MODE,
                              dir_fd=dest)
                try:
                    while chunk := os.read(source, 1 << 20):
                        os.write(out, chunk)
                    os.fchmod(out, FILE_MODE)
                    if os.geteuid() == 0:
                        os.fchown(out, *owner)
                    os.fsync(out)
                finally:
                    os.close(out)
                os.rename(tmp, parts[-1], src_dir_fd=dest, dst_dir_fd=dest)
            finally:
                os.close(dest)
        except (OSError, ValueError) as e:
            report.alarm("restore-failed", path=rel, sha256=digest, was=was,
                         reason=str(e) if isinstance(e, ValueError) else f"{e.strerror or e}: {e.filename or ''}")
            report.refused = True
            return
        finally:
            if source >= 0:
                os.close(source)
        report.alarm("restored", path=rel, sha256=digest, was=was)

    # -- the cache (outside the target) ------------------------------------------------------

    def _load_cache(self, rid: str) -> dict[str, list]:
        if not self.state:
            return {}
        try:
            data = json.loads((self.state / STATE_FILE).read_text(encoding="utf-8"))
            if data.get("release") == rid and time.time() - float(data.get("full", 0)) < FULL_EVERY:
                self._full = float(data["full"])
                return dict(data["files"])
        except (OSError, ValueError, KeyError, TypeError):
            pass
        self._full = time.time()
        return {}

    def _save_cache(self, rid: str, fresh: dict[str, list]) -> None:
        if self.state:
            _write_private(self.state / STATE_FILE, json.dumps({"release": rid, "full": self._full, "files": fresh}))

    # -- the alarm ---------------------------------------------------------------------------

    def raise_alarm(self, report: Report, out=sys.stderr) -> int:
        """Write the alarm lines; run the hook; the exit code."""
        when = _now()
        lines = [a.line(when) for a in report.alarms]
        # Under systemd, the kernel-style prefix sets the journal's priority (crit).
        prefix = "<2>" if os.environ.get("JOURNAL_STREAM") else ""
        for line in lines:
            print(prefix + line, file=out, flush=True)
        code = report.code
        if not lines or not self.alarm_command or not self._worth_sending(report):
            return code
        host = socket.gethostname()
        events = sorted({a.event for a in report.alarms})
        summary = f"扎兰屯党建网防篡改报警（{host}）：" + "、".join(f"{e} {sum(a.event == e for a in report.alarms)} 条"
                                                         for e in events)
        body = [summary, "", *(f"{e}：{MEANING.get(e, '')}" for e in events), "",
                "检查结果：" + ("已全部恢复，网站与发布时一致。" if code == REPAIRED else
                             "未能全部恢复或无法检查，请管理员立即处理（见 README“防篡改”中的“报警之后”）。"),
                f"发布目标：{self.target}", "", *lines, ""]
        message = (f"Subject: {Header(summary, 'utf-8').encode()}\nContent-Type: text/plain; charset=utf-8\n"
                   "Content-Transfer-Encoding: 8bit\nMIME-Version: 1.0\n\n" + "\n".join(body))
        env = {**os.environ, "ZLT_TAMPER_SUMMARY": summary, "ZLT_TAMPER_EVENTS": " ".join(events)}
        try:
            done = subprocess.run(["/bin/sh", "-c", self.alarm_command], input=message.encode("utf-8"), env=env,
                                  capture_output=True, timeout=ALARM_TIMEOUT)
            failed = f"rc={done.returncode}" if done.returncode else ""
            detail = done.stderr.decode("utf-8", "replace").strip().splitlines()[-1:] if failed else []
        except subprocess.TimeoutExpired:
            failed, detail = f"timeout={ALARM_TIMEOUT}s", []
        if failed:
            print(prefix + Alarm("alarm-command-failed", {"command": self.alarm_command, "result": failed,
                                                          "stderr": " ".join(detail)}).line(_now()),
                  file=out, flush=True)
            return UNDELIVERED
        self._remember_sent(report)
        return code

    def _signature(self, report: Report) -> str:
        return json.dumps(sorted([a.event, sorted(a.fields.items())] for a in report.alarms), ensure_ascii=False)

    def _worth_sending(self, report: Report) -> bool:
        """A condition that persists (an untrusted manifest) is sent again at
        most every ALARM_REPEAT; every repair is news and always sent."""
        if not self.state or any(a.event in ("restored", "quarantined") for a in report.alarms):
            return True
        try:
            sent = json.loads((self.state / SENT_FILE).read_text(encoding="utf-8"))
            return not (sent["alarms"] == self._signature(report) and time.time() - sent["time"] < ALARM_REPEAT)
        except (OSError, ValueError, KeyError, TypeError):
            return True

    def _remember_sent(self, report: Report) -> None:
        if self.state:
            _write_private(self.state / SENT_FILE, json.dumps({"alarms": self._signature(report), "time": time.time()}))


def _write_private(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    tmp.replace(path)


# --- command line -----------------------------------------------------------------------------

def _check_parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m scripts verify", description="防篡改检查（在网站服务器上运行）", usage=USAGE_TEXT)
    p.add_argument("--target", required=True, help="发布目标，如 /srv/zhalantun-dangjian（本机目录）")
    p.add_argument("--public-key", default=mf.DEFAULT_PUBLIC_KEY, help=f"发布公钥，默认 {mf.DEFAULT_PUBLIC_KEY}")
    p.add_argument("--key-fingerprint", default="", help="公钥的指纹（sha256:…）：公钥文件被替换时报警")
    p.add_argument("--state", type=Path, help="散列缓存和报警记录的目录（须在发布目标之外，只有 root 可写）")
    p.add_argument("--alarm-command", default="", help="报警时运行的命令（sh -c），报警内容从标准输入读入")
    return p


def _keygen(argv: list[str]) -> int:
    p = _Parser(prog="python -m scripts verify keygen", usage=USAGE_TEXT)
    p.add_argument("--key", type=Path, help=f"私钥文件，默认 {mf.default_key_path()}（或环境变量 {mf.KEY_ENV}）")
    args = p.parse_args(argv)
    path = (args.key or mf.default_key_path()).expanduser()
    created = not path.exists() and mf.create_key(path)
    try:
        key = mf.load_key(path)
    except mf.ManifestError as e:
        print(e, file=sys.stderr)
        return USAGE
    public = mf.public_path(path)
    if not public.exists():
        public.write_text(mf.public_pem(key), encoding="ascii")
    print(("已生成" if created else "已有") + f"防篡改签名私钥：{path}（权限 600，只留在本机，勿放入仓库、勿外传）")
    print(f"公钥：{public}，指纹 {mf.fingerprint(key.public_key())}\n")
    print("请服务器管理员把下面的公钥安装为 /etc/zhalantun-dangjian/publish.pub（属主 root，权限 644）：\n")
    print(mf.public_pem(key))
    return 0


def _check(argv: list[str]) -> int:
    args = _check_parser().parse_args(argv)
    target = Path(args.target)
    if not target.is_absolute():
        print(f"发布目标 {target} 应为本机的绝对路径（检查在网站服务器上运行）", file=sys.stderr)
        return USAGE
    state = args.state.resolve() if args.state else None
    if state and state.is_relative_to(target.resolve()):
        print(f"--state {state} 不能在发布目标之内：能改网站的人会伪造散列缓存", file=sys.stderr)
        return USAGE
    started = time.monotonic()
    verifier = Verifier(target, Path(args.public_key), args.key_fingerprint.strip(), state, args.alarm_command)
    report = verifier.run()
    code = verifier.raise_alarm(report)
    result = {OK: "intact", REPAIRED: "repaired", REFUSED: "refused", UNDELIVERED: "alarm-undelivered"}[code]
    if report.skipped and not report.alarms:
        print(f"zlt-verify skipped：{report.skipped}")
    else:
        print(f"zlt-verify {result} release={report.release or '-'} files={report.files} hashed={report.hashed} "
              f"alarms={len(report.alarms)} seconds={time.monotonic() - started:.2f}")
    return code


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["keygen"]:
        return _keygen(argv[1:])
    if argv[:1] == ["config"]:
        from .verifyconf import main as config_main
        return config_main(argv[1:])
    if argv[:1] in (["-h"], ["--help"]) or not argv:
        print(USAGE_TEXT)
        return 0 if argv else USAGE
    return _check(argv)


if __name__ == "__main__":
    sys.exit(main())
