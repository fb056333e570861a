"""Publishing a built site to the web server, and rolling it back.

The target is a folder on this machine (`/srv/zhalantun-dangjian`) or on
another reached over SSH (`user@host:/srv/zhalantun-dangjian`), laid out so:

    releases/20261127-140501-123456/   one folder per publish, never changed after
    current -> releases/20261127-140501-123456    what nginx serves (nginx.py)

A publish writes the site's .gz copies (precompress.py), copies it with rsync into `releases/.incoming-<id>/`,
renames it to `releases/<id>` and then switches `current` with one rename(2)
of a new symlink over the old one (`mv -T`), so a reader gets the old site
or the new one, never a mixture; a publish killed at any point leaves
`current` as it was. Files that did not change are hard links to the previous
release's (rsync --link-dest, compared by content), so a release costs only
what changed and unchanged files keep their dates (browsers revalidate them
with a 304). The newest N releases are kept, and always the live one.

The same shell steps run on this machine (`sh -s`) or over `ssh host sh -s`:
one code path for both kinds of target. rsync and OpenSSH are the
well-kept tools for the copying and the transport; what no tool does is the
release layout and its switch, written here.
"""
from __future__ import annotations

import re
import shlex
import subprocess
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from ..build.swap import checkpoint
from .precompress import precompress

DEFAULT_KEEP = 5
INCOMING = ".incoming-"
STALE_MINUTES = 60     # an incoming folder older than this was left by a killed publish
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
    previous: str | None      # the release that was live before, if any


def new_id(now: datetime | None = None) -> str:
    """A release's name: its UTC time, which sorts as the releases were made."""
    return (now or datetime.now(timezone.utc)).strftime("%Y%m%d-%H%M%S-%f")


PREPARE = r"""set -eu
mkdir -p "$T/releases"
cd "$T"
if [ -e current ] && [ ! -L current ]; then
  echo "NOT_A_LINK" >&2; exit 3
fi
find releases -mindepth 1 -maxdepth 1 -name '.incoming-*' -mmin +"$STALE" -exec rm -rf {} +
if [ -L current ]; then readlink current; fi
"""

SWITCH = r"""set -eu
cd "$T"
[ -d "releases/.incoming-$ID" ]
sync
mv "releases/.incoming-$ID" "releases/$ID"
ln -s "releases/$ID" ".current-$ID"
mv -T ".current-$ID" current
live=$(readlink current)
ls -1 releases | sort -r | awk -v keep="$KEEP" 'NR > keep' | while IFS= read -r old; do
  if [ "releases/$old" != "$live" ]; then rm -rf "releases/$old"; fi
done
"""

ROLLBACK = r"""set -eu
cd "$T"
[ -L current ] || { echo "NO_CURRENT" >&2; exit 3; }
live=$(readlink current); live=${live#releases/}
to=$TO
if [ -z "$to" ]; then
  to=$(ls -1 releases | sort | awk -v live="$live" '$0 < live' | tail -n 1)
fi
[ -n "$to" ] || { echo "NO_PREVIOUS" >&2; exit 4; }
[ -d "releases/$to" ] || { echo "NO_SUCH" >&2; exit 5; }
ln -s "releases/$to" ".current-rollback-$$"
mv -T ".current-rollback-$$" current
echo "$live $to"
"""

LIST = r"""set -eu
cd "$T" 2>/dev/null || exit 0
if [ -L current ]; then echo "current $(readlink current)"; fi
ls -1 releases 2>/dev/null | sort
"""


def _failed(step: str, done: subprocess.CompletedProcess) -> PublishError:
    detail = (done.stderr or done.stdout or "").strip().splitlines()[-3:]
    return PublishError(f"{step}失败（返回值 {done.returncode}）：" + " / ".join(detail))


def _release_name(link: str) -> str | None:
    name = link.strip().removeprefix("releases/")
    return name if _ID_RE.match(name) else None


def publish(site: Path, target: Target, keep: int = DEFAULT_KEEP, bwlimit: int | None = None,
            release_id: str | None = None) -> Release:
    """Copy `site` to a new release of `target` and make it live. The site
    gets its .gz copies first (precompress.py), as nginx's gzip_static serves them."""
    if keep < 2:
        raise PublishError("至少保留 2 个版本（当前版本和上一个），回退才有版本可用")
    if not (site / "index.html").is_file():
        raise PublishError(f"{site} 不是已生成的网站（没有 index.html）：请先运行 make site")
    precompress(site)
    rid = release_id or new_id()
    done = target.run(PREPARE, "准备发布目录", STALE=STALE_MINUTES)
    if done.returncode == 3 and "NOT_A_LINK" in done.stderr:
        raise PublishError(f"{target}/current 已存在但不是符号链接：请管理员把原来的网站目录移走后再发布")
    if done.returncode != 0:
        raise _failed("准备发布目录", done)
    previous = _release_name(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else None

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
    checkpoint("publish-copied")     # test hook: a publish killed before the switch

    done = target.run(SWITCH, "切换到新版本", ID=rid, KEEP=int(keep))
    if done.returncode != 0:
        raise _failed("切换到新版本", done)
    return Release(rid, previous)


def rollback(target: Target, to: str | None = None) -> tuple[str, str]:
    """Make the release before the live one (or `to`) live: (from, to)."""
    if to is not None and not _ID_RE.match(to):
        raise PublishError(f"版本名“{to}”格式不对，应如 20261127-140501-123456（见 make releases）")
    done = target.run(ROLLBACK, "回退", TO=to or "")
    reasons = {3: f"{target} 还没有发布过网站，无法回退",
               4: "没有更早的版本可以回退（只保留最近几个版本）",
               5: f"没有版本 {to}（可用的版本见 make releases）"}
    if done.returncode in reasons:
        raise PublishError(reasons[done.returncode])
    if done.returncode != 0:
        raise _failed("回退", done)
    live, back = done.stdout.split()[-2:]
    return live, back


def releases(target: Target) -> tuple[str | None, list[str]]:
    """(the live release, every release, oldest first)."""
    done = target.run(LIST, "列出版本")
    if done.returncode != 0:
        raise _failed("列出版本", done)
    live, names = None, []
    for line in done.stdout.splitlines():
        if line.startswith("current "):
            live = _release_name(line.split(" ", 1)[1])
        elif _ID_RE.match(line.strip()):
            names.append(line.strip())
    return live, names


def read_file(target: Target, path: str) -> str | None:
    """A text file on the target's machine (the nginx configuration in use)."""
    if not target.host:
        p = Path(path)
        return p.read_text(encoding="utf-8") if p.is_file() else None
    done = subprocess.run([*target.ssh, target.host, f"cat {shlex.quote(path)}"], capture_output=True, text=True)
    return done.stdout if done.returncode == 0 else None
