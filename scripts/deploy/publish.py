"""Publishing a built site to the web server, and rolling it back.

The target is a folder on this machine (`/srv/zhalantun-dangjian`) or on
another reached over SSH (`user@host:/srv/zhalantun-dangjian`), laid out so:

    releases/20261127-140501-123456/   one folder per publish, never changed after
    current -> releases/20261127-140501-123456    what nginx serves (nginx.py)
    pristine/20261127-140501-123456/   a read-only copy of it (the verifier restores from it)
    manifests/20261127-140501-123456.manifest   its signed list of files (manifest.py)
    history.log                        one line per switch of `current`
    .publish.lock                      held (flock) by the publish or rollback running

A publish writes the site's .gz copies (precompress.py), copies it with rsync into `releases/.incoming-<id>/`,
renames it to `releases/<id>` and then switches `current` with one rename(2)
of a new symlink over the old one (`mv -T`), so a reader gets the old site
or the new one, never a mixture; a publish killed at any point leaves
`current` as it was. Files that did not change are hard links to the previous
release's (rsync --link-dest, compared by content), so a release costs only
what changed and unchanged files keep their dates (browsers revalidate them
with a 304).

One publish or rollback at a time: each runs in one shell on the target's
machine (`sh -s`, or `ssh host sh -s`: one code path for both kinds of
target) that takes `flock` on `.publish.lock` first and is fed its steps one
by one, rsync running between them; a second one is refused. The kernel
drops the lock when that shell ends, however it ends (its stdin closes when
the publisher dies), so a lock is never stale; and with it held, every
`releases/.incoming-*` is a killed publish's leftover, removed.

Every switch of `current` is appended to `history.log` (time, action, from,
to). `rollback` goes back along that history like an undo: to the release
that was live before the live one went live (what the publish message
named), and again to the one before that, skipping deleted releases. The
releases kept (`keep`) are the live one and those successive rollbacks would
reach, then the newest others: a release rolled back from goes first. A
target written before the history existed rolls back by name order.

Tamper protection (verify.py) needs, beside each release and outside
what nginx serves, the manifest signed on this machine and a pristine
copy: hard links among pristine copies only, never with a release, so that
a served file written in place does not change its pristine copy too. Both
are in place before `current` switches, and go with the release when it is
pruned.

rsync and OpenSSH are the well-kept tools for the copying and the
transport; what no tool does is the release layout, its switch and its
history, written here.
"""
from __future__ import annotations

import base64
import re
import shlex
import socket
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..build.swap import checkpoint
from . import manifest as manifests
from .precompress import precompress

DEFAULT_KEEP = 5
INCOMING = ".incoming-"
HISTORY = "history.log"
LOCK = ".publish.lock"
PRISTINE = "pristine"
# The verifier's mark in the lock file: a publish waits for it (seconds), never
# refused because of it.
VERIFIER_MARK = "zlt-verify"
VERIFIER_WAIT = 600
HISTORY_SHOWN = 10     # switches `releases` lists
PUBLISH, ROLLBACK, ROLLBACK_TO = "publish", "rollback", "rollback-to"
_REMOTE_RE = re.compile(r"^(?:(?P<user>[^@/:\s]+)@)?(?P<host>[A-Za-z0-9._-]+|\[[0-9a-fA-F:]+\]):(?P<path>/.*)$")
_ID_RE = re.compile(r"^\d{8}-\d{6}-\d{6}$")


class PublishError(Exception):
    """A publish or rollback that did not happen; the message is for the administrator, in Chinese."""


@dataclass
class Target:
    """Where releases go: a local folder, or `[user@]host:/path` over SSH."""
    path: str
    host: str = ""                        # "user@host", or "" for this machine
    ssh: list[str] = field(default_factory=lambda: ["ssh", "-o", "BatchMode=yes"])

    @classmethod
    def parse(cls, spec: str, ssh: str | None = None) -> "Target":
        spec = (spec or "").strip()
        if not spec:
            raise PublishError("没有指定发布目标：请写 DEPLOY_TARGET=/srv/zhalantun-dangjian"
                               "（本机目录）或 DEPLOY_TARGET=用户@服务器:/srv/zhalantun-dangjian（远程）")
        ssh_command = shlex.split(ssh) if ssh else ["ssh", "-o", "BatchMode=yes"]
        m = _REMOTE_RE.match(spec)
        if m:
            user = f"{m.group('user')}@" if m.group("user") else ""
            return cls(m.group("path").rstrip("/") or "/", user + m.group("host"), ssh_command)
        path = Path(spec).expanduser()
        if not path.is_absolute():
            raise PublishError(f"发布目标“{spec}”应为绝对路径，如 /srv/zhalantun-dangjian")
        return cls(str(path).rstrip("/") or "/", "", ssh_command)

    def __str__(self) -> str:
        return f"{self.host}:{self.path}" if self.host else self.path

    def run(self, script: str, step: str, **variables) -> subprocess.CompletedProcess:
        """A POSIX shell script on the target's machine, with T (the target's
        folder) and `variables` set first."""
        command = [*self.ssh, self.host, "sh -s"] if self.host else ["sh", "-s"]
        prelude = "".join(f"{k}={shlex.quote(str(v))}\n" for k, v in {"T": self.path, **variables}.items())
        try:
            return subprocess.run(command, input=prelude + script, capture_output=True, text=True, timeout=3600)
        except FileNotFoundError as e:
            raise PublishError(f"{step}失败：找不到命令 {e.filename}") from None

    def rsync_destination(self, folder: str) -> str:
        return f"{self.host}:{self.path}/{folder}/" if self.host else f"{self.path}/{folder}/"


@dataclass
class Release:
    id: str
    previous: str | None      # the release that was live before, if any: where rollback goes
    leftovers: list[str] = field(default_factory=list)   # killed publishes' folders removed
    files: int = 0            # in its signed manifest
    key: Path | None = None   # the signing key
    key_created: bool = False # made by this publish: its public key must go to the server


@dataclass(frozen=True)
class Switch:
    """One line of history.log: `current` went from `old` to `new`."""
    time: str                 # UTC, 2026-11-27T14:05:01Z
    action: str               # PUBLISH, ROLLBACK or ROLLBACK_TO (rollback to a named release)
    old: str | None
    new: str

    def line(self) -> str:
        return f"{self.time} {self.action} {self.old or '-'} {self.new}"

    @classmethod
    def parse(cls, line: str) -> "Switch | None":
        """None for what is not a whole line (one cut by a crash)."""
        parts = line.split()
        if len(parts) != 4 or parts[1] not in (PUBLISH, ROLLBACK, ROLLBACK_TO):
            return None
        old = None if parts[2] == "-" else parts[2]
        if (old and not _ID_RE.match(old)) or not _ID_RE.match(parts[3]):
            return None
        return cls(parts[0], parts[1], old, parts[3])


@dataclass
class Rollback:
    old: str
    new: str
    note: str = ""            # how the release was chosen, when not by history
    next: str | None = None   # where another rollback would go


@dataclass
class State:
    """What a target holds: the live release, every release (oldest first), the history."""
    live: str | None = None
    names: list[str] = field(default_factory=list)
    history: list[Switch] = field(default_factory=list)
    leftovers: list[str] = field(default_factory=list)
    next: str | None = None   # where a rollback would go (`listing` only)


def new_id(now: datetime | None = None) -> str:
    """A release's name: its UTC time, which sorts as the releases were made."""
    return (now or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M%S-%f")


def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


# The first step of a session: the lock. flock(1) is util-linux's, on every
# Debian and Ubuntu; fd 9 stays open in the session's shell until it ends.
LOCK_STEP = r"""set -eu
if [ "$CREATE" = 1 ]; then mkdir -p "$T/releases"; fi
cd "$T" 2>/dev/null || { echo NO_TARGET; exit 3; }
command -v flock >/dev/null 2>&1 || { echo NO_FLOCK; exit 6; }
exec 9>>""" + LOCK + r"""
if ! flock -n 9; then
  case "$(head -n 1 """ + LOCK + r""")" in
    """ + VERIFIER_MARK + r"""*) flock -w """ + str(VERIFIER_WAIT) + r""" 9 || { echo "LOCKED $(head -n 1 """ + LOCK + r""")"; exit 7; } ;;
    *) echo "LOCKED $(head -n 1 """ + LOCK + r""")"; exit 7 ;;
  esac
fi
printf '%s（服务器上的进程 %s）\n' "$WHO" "$$" > """ + LOCK + r"""
"""

# What the target holds; with CLEAN=1 (under the lock) the killed publishes'
# incoming folders are removed first.
STATE = r"""if [ -e current ] && [ ! -L current ]; then echo NOT_A_LINK; exit 4; fi
if [ -L current ]; then echo "live $(readlink current)"; fi
if [ "$CLEAN" = 1 ]; then
  for d in releases/.incoming-*; do
    [ -e "$d" ] || continue
    rm -rf "$d"
    echo "removed ${d#releases/}"
  done
  for d in pristine/.incoming-*; do
    [ -e "$d" ] || continue
    find "$d" -type d -exec chmod u+w {} +
    rm -rf "$d"
  done
  rm -f manifests/.incoming-*
fi
if [ -d releases ]; then ls -1 releases | sed 's/^/release /'; fi
if [ -f """ + HISTORY + r""" ]; then sed 's/^/history /' """ + HISTORY + r"""; fi
"""

LIST = 'set -eu\ncd "$T" 2>/dev/null || exit 0\nCLEAN=0\n' + STATE

# The history line is written after the switch: a publish killed between the
# two leaves a history whose last `to` is not live, which _rollback_order reads
# as the switch it was.
# The pristine copy, made on the target's machine from the release just copied
# (nothing sent twice), linked to the previous pristine copy only; read-only.
PRISTINE_COPY = r"""set -eu
mkdir -p pristine manifests
LINK=
if [ -n "$PREVIOUS" ] && [ -d "pristine/$PREVIOUS" ]; then LINK="--link-dest=$T/pristine/$PREVIOUS"; fi
rsync --recursive --links --checksum $LINK "releases/.incoming-$ID/" "pristine/.incoming-$ID/"
chmod -R a-w "pristine/.incoming-$ID"
base64 -d > "manifests/.incoming-$ID.manifest" <<'ZLT_MANIFEST_END'
$MANIFEST
ZLT_MANIFEST_END
"""

# (Not dropping -w from a pruned pristine copy's files: they are hard links
# shared with the copies kept. Removing a file needs only its folder writable.)
SWITCH = r"""[ -d "releases/.incoming-$ID" ]
sync
mv "pristine/.incoming-$ID" "pristine/$ID"
mv "manifests/.incoming-$ID.manifest" "manifests/$ID.manifest"
mv "releases/.incoming-$ID" "releases/$ID"
ln -s "releases/$ID" ".current-$ID"
mv -T ".current-$ID" current
[ ! -s """ + HISTORY + r""" ] || [ -z "$(tail -c 1 """ + HISTORY + r""")" ] || echo >> """ + HISTORY + r"""
printf '%s\n' "$LINE" >> """ + HISTORY + r"""
for old in $PRUNE; do
  rm -rf "releases/$old"
  if [ -d "pristine/$old" ]; then find "pristine/$old" -type d -exec chmod u+w {} +; rm -rf "pristine/$old"; fi
  rm -f "manifests/$old.manifest"
done
"""

SWITCH_BACK = r"""[ -d "releases/$TO" ] || { echo NO_SUCH; exit 5; }
ln -s "releases/$TO" ".current-rollback-$$"
mv -T ".current-rollback-$$" current
[ ! -s """ + HISTORY + r""" ] || [ -z "$(tail -c 1 """ + HISTORY + r""")" ] || echo >> """ + HISTORY + r"""
printf '%s\n' "$LINE" >> """ + HISTORY + r"""
"""

_MARK = "@@zlt-step-done"


class _StepFailed(Exception):
    def __init__(self, code: int, lines: list[str]):
        super().__init__(code)
        self.code, self.lines = code, lines


class Session:
    """One shell on the target's machine for a whole publish or rollback,
    fed its steps one at a time; its first step takes the target's lock."""

    def __init__(self, target: Target, step: str):
        self.target, self.step = target, step
        command = [*target.ssh, target.host, "sh -s"] if target.host else ["sh", "-s"]
        try:
            self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.STDOUT, text=True, encoding="utf-8",
                                            errors="replace")
        except FileNotFoundError as e:
            raise PublishError(f"{step}失败：找不到命令 {e.filename}") from None

    def run(self, script: str, **variables) -> list[str]:
        """The lines the step printed; _StepFailed when the shell ended instead."""
        prelude = "".join(f"{k}={shlex.quote(str(v))}\n" for k, v in {"T": self.target.path, **variables}.items())
        try:
            # The newline first: a step's last line may lack one (a history line cut by a crash).
            self.process.stdin.write(prelude + script + f"\necho; echo {_MARK}\n")
            self.process.stdin.flush()
        except BrokenPipeError:
            pass                      # the shell is gone: read what it said
        lines = []
        for line in self.process.stdout:
            line = line.rstrip("\n")
            if line == _MARK:
                return lines
            if line:
                lines.append(line)
        raise _StepFailed(self.process.wait(), lines)

    def lock(self, what: str, create: bool) -> None:
        who = f"{what}，{_now()} 开始，发布机 {socket.gethostname()}"
        try:
            self.run(LOCK_STEP, CREATE=int(create), WHO=who)
        except _StepFailed as e:
            said = " ".join(e.lines)
            if e.code == 3 and "NO_TARGET" in said:
                raise PublishError(f"{self.target} 还没有发布过网站") from None
            if e.code == 6 and "NO_FLOCK" in said:
                raise PublishError(f"{self.step}失败：服务器上没有 flock 命令（util-linux），"
                                   "请管理员安装：apt-get install util-linux") from None
            if e.code == 7:
                holder = said.split("LOCKED", 1)[1].strip() if "LOCKED" in said else ""
                raise PublishError(
                    f"另一个发布或回退正在进行（{holder or '未知'}），{self.step}没有进行。请等它结束后再运行；"
                    "它被中断时锁会自动解除（见 README“上线与发布”中的“同时只能有一个发布”）") from None
            raise _failed(self.step, e) from None

    def state(self, clean: bool) -> State:
        try:
            return _parse_state(self.run(STATE, CLEAN=int(clean)))
        except _StepFailed as e:
            if e.code == 4 and "NOT_A_LINK" in e.lines:
                raise PublishError(f"{self.target}/current 已存在但不是符号链接：请管理员把原来的网站目录移走后再发布") \
                    from None
            raise _failed(self.step, e) from None

    def close(self) -> None:
        """End the shell (its stdin closed), which drops the lock."""
        try:
            self.process.stdin.close()
        except BrokenPipeError:
            pass
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()

    def __enter__(self) -> "Session":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _parse_state(lines: list[str]) -> State:
    state = State()
    for line in lines:
        kind, _, value = line.partition(" ")
        if kind == "live":
            state.live = _release_name(value)
        elif kind == "release" and _ID_RE.match(value.strip()):
            state.names.append(value.strip())
        elif kind == "history" and (switch := Switch.parse(value)):
            state.history.append(switch)
        elif kind == "removed" and value.startswith(INCOMING):
            state.leftovers.append(value)
    state.names.sort()
    return state


def _rollback_order(history: list[Switch], live: str | None, existing: set[str]) -> list[str]:
    """The releases successive plain rollbacks would make live, nearest first.

    history is replayed as an undo stack: a publish or a rollback to a named
    release pushes the release it leaves, a plain rollback pops down to the
    one it went to. A gap (a line whose `from` is not the previous line's
    `to`, or a live release the last line does not name) is a switch that was
    not written, replayed as one."""
    stack: list[str] = []
    at: str | None = None
    for switch in history:
        if at is not None and switch.old != at:
            stack.append(at)
        if switch.action == ROLLBACK:
            while stack and stack.pop() != switch.new:
                pass
        elif switch.old:
            stack.append(switch.old)
        at = switch.new
    if at is not None and live and live != at:
        stack.append(at)
    order: list[str] = []
    for name in reversed(stack):
        if name != live and name in existing and name not in order:
            order.append(name)
    return order


def _rollback_target(history: list[Switch], live: str, existing: set[str]) -> tuple[str | None, str]:
    """Where a plain rollback goes, and a note when history does not say."""
    order = _rollback_order(history, live, existing)
    if order:
        return order[0], ""
    # Releases made before history.log existed: today's rule, by name.
    if not history or history[0].old is not None:
        older = [n for n in sorted(existing) if n < live]
        if older:
            return older[-1], (f"发布目标上没有更早的切换记录（{HISTORY}，旧版发布工具不写），"
                               f"按版本名回退到 {live} 之前的版本。")
    return None, ""


def _kept(history: list[Switch], live: str, existing: set[str], keep: int) -> set[str]:
    """The live release, those successive rollbacks reach, then the newest."""
    kept = {live, *_rollback_order(history, live, existing)[:keep - 1]}
    for name in sorted(existing, reverse=True):
        if len(kept) >= keep:
            break
        kept.add(name)
    return kept


def _failed(step: str, done: "subprocess.CompletedProcess | _StepFailed") -> PublishError:
    if isinstance(done, _StepFailed):
        code, detail = done.code, [line for line in done.lines if line.strip()][-3:]
    else:
        code, detail = done.returncode, (done.stderr or done.stdout or "").strip().splitlines()[-3:]
    return PublishError(f"{step}失败（返回值 {code}）：" + " / ".join(detail))


def _release_name(link: str) -> str | None:
    name = link.strip().removeprefix("releases/")
    return name if _ID_RE.match(name) else None


def publish(site: Path, target: Target, keep: int = DEFAULT_KEEP, bwlimit: int | None = None,
            release_id: str | None = None, signing_key: Path | None = None) -> Release:
    """Copy `site` to a new release of `target` and make it live. The site
    gets its .gz copies first (precompress.py), as nginx's gzip_static serves
    them, then its manifest, signed with `signing_key` (default:
    manifest.default_key_path(), created on first use)."""
    if keep < 2:
        raise PublishError("至少保留 2 个版本（当前版本和上一个），回退才有版本可用")
    if not (site / "index.html").is_file():
        raise PublishError(f"{site} 不是已生成的网站（没有 index.html）：请先运行 make site")
    precompress(site)
    rid = release_id or new_id()
    try:
        key, key_path, key_created = manifests.ensure_key(signing_key)
        listed = manifests.build(site, rid, _now())
    except manifests.ManifestError as e:
        raise PublishError(str(e)) from None
    signed = base64.b64encode(manifests.sign(listed, key)).decode("ascii")
    # 76-column lines, as base64(1) writes them: no shell or heredoc limit near.
    signed = "\n".join(signed[i:i + 76] for i in range(0, len(signed), 76))
    with Session(target, "发布") as session:
        session.lock(f"发布版本 {rid}", create=True)
        state = session.state(clean=True)
        previous = state.live

        command = ["rsync", "--recursive", "--links", "--delete", "--checksum",
                   "--chmod=D755,F644", "--omit-dir-times"]
        if previous:
            command.append(f"--link-dest={target.path}/releases/{previous}")
        if bwlimit:
            command.append(f"--bwlimit={int(bwlimit)}")
        if target.host:
            command += ["-e", shlex.join(target.ssh)]
        command += [f"{site}/", target.rsync_destination(f"releases/{INCOMING}{rid}")]
        try:
            copied = subprocess.run(command, capture_output=True, text=True)
        except FileNotFoundError:
            raise PublishError("找不到 rsync：请运行 make system-deps（或 apt-get install rsync）") from None
        if copied.returncode != 0:
            raise _failed("复制网站文件（rsync）", copied)
        try:
            session.run(PRISTINE_COPY.replace("$MANIFEST", signed), ID=rid, PREVIOUS=previous or "")
        except _StepFailed as e:
            raise _failed("保存只读副本和文件清单", e) from None
        checkpoint("publish-copied")     # test hook: a publish killed before the switch

        switch = Switch(_now(), PUBLISH, previous, rid)
        existing = {*state.names, rid}
        kept = _kept([*state.history, switch], rid, existing, keep)
        try:
            session.run(SWITCH, ID=rid, LINE=switch.line(), PRUNE=" ".join(sorted(existing - kept)))
        except _StepFailed as e:
            raise _failed("切换到新版本", e) from None
    return Release(rid, previous, state.leftovers, len(listed.files), key_path, key_created)


def rollback(target: Target, to: str | None = None) -> Rollback:
    """Make live the release that was live before the live one, by the
    target's history (or `to`)."""
    if to is not None and not _ID_RE.match(to):
        raise PublishError(f"版本名“{to}”格式不对，应如 20261127-140501-123456（见 make releases）")
    with Session(target, "回退") as session:
        session.lock(f"回退{f'到版本 {to}' if to else ''}", create=False)
        state = session.state(clean=False)
        if state.live is None:
            raise PublishError(f"{target} 还没有发布过网站，无法回退")
        existing = set(state.names)
        note = ""
        if to:
            if to not in existing:
                raise PublishError(f"没有版本 {to}（可用的版本见 make releases）")
            if to == state.live:
                raise PublishError(f"版本 {to} 正在使用，无需回退")
            action = ROLLBACK_TO
        else:
            to, note = _rollback_target(state.history, state.live, existing)
            if to is None:
                raise PublishError("没有更早的版本可以回退（只保留最近几个版本；"
                                   "要回到某个仍保留的版本，用 TO=版本名，见 make releases）")
            action = ROLLBACK
        switch = Switch(_now(), action, state.live, to)
        try:
            session.run(SWITCH_BACK, TO=to, LINE=switch.line())
        except _StepFailed as e:
            raise _failed("回退", e) from None
    following, _ = _rollback_target([*state.history, switch], to, existing)
    return Rollback(state.live, to, note, following)


def listing(target: Target) -> State:
    """What `target` holds, with where a rollback would go; read without the
    lock (a publish running may change it a moment later)."""
    done = target.run(LIST, "列出版本")
    if done.returncode == 4 and "NOT_A_LINK" in done.stdout:
        raise PublishError(f"{target}/current 已存在但不是符号链接（不是本工具发布的网站）")
    if done.returncode != 0:
        raise _failed("列出版本", done)
    state = _parse_state(done.stdout.splitlines())
    if state.live:
        state.next = _rollback_target(state.history, state.live, set(state.names))[0]
    return state


def releases(target: Target) -> tuple[str | None, list[str]]:
    """(the live release, every release, oldest first)."""
    state = listing(target)
    return state.live, state.names


def read_file(target: Target, path: str) -> str | None:
    """A text file on the target's machine (the nginx configuration in use)."""
    if not target.host:
        p = Path(path)
        return p.read_text(encoding="utf-8") if p.is_file() else None
    done = subprocess.run([*target.ssh, target.host, f"cat {shlex.quote(path)}"], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None
