"""Publishing a built site: atomically, one build at a time, reproducibly.

site/ is replaced in one step (renameat2 RENAME_EXCHANGE on Linux, two
renames elsewhere, with recovery on the next run), so a reader or a killed
build never sees a half-written site. Dates that the builders embed come from
SOURCE_DATE_EPOCH, so the same input gives the same bytes.
"""
from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import errno
import fcntl
import os
import shutil
import subprocess
import time
from pathlib import Path

TEMP_PREFIX = ".building-"
# Used when the content is not in git: any fixed date keeps builds identical.
FALLBACK_EPOCH = 1704067200  # 2024-01-01
RENAME_EXCHANGE = 2


def checkpoint(name: str) -> None:
    """Test hook: with ZLT_BUILD_PAUSE=<name>, report the point reached on
    into the file ZLT_BUILD_PAUSE_FILE and wait (to be killed)."""
    if os.environ.get("ZLT_BUILD_PAUSE") == name:
        Path(os.environ["ZLT_BUILD_PAUSE_FILE"]).write_text(name)
        time.sleep(600)


@contextlib.contextmanager
def locked(work: Path):
    """Hold the build lock: one build at a time swaps site/ and .build/docs."""
    work.mkdir(parents=True, exist_ok=True)
    with open(work / "build.lock", "w") as f:
        fcntl.flock(f, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _old(target: Path) -> Path:
    return target.with_name(target.name + ".old")


def recover(target: Path) -> None:
    """Finish a two-rename swap that was interrupted (fallback path only)."""
    old = _old(target)
    if old.exists():
        if target.exists():
            shutil.rmtree(old)
        else:
            os.rename(old, target)


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths atomically; False where the system cannot."""
    libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    at_fdcwd = -100
    rc = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), RENAME_EXCHANGE)
    if rc == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap_in(new: Path, target: Path, keep: Path | None = None) -> None:
    """Replace target by new so that target is always whole; new is consumed.
    `keep`: where the previous target goes instead of being deleted (the
    next incremental build starts from it, build.incremental)."""
    if keep is not None:
        shutil.rmtree(keep, ignore_errors=True)
    if not target.exists():
        os.rename(new, target)
        return
    if _exchange(new, target):
        if keep is not None:
            os.rename(new, keep)    # now the previous target
        else:
            shutil.rmtree(new)
        return
    old = _old(target)              # fallback: two renames, recovered by recover()
    if old.exists():
        shutil.rmtree(old)
    os.rename(target, old)
    os.rename(new, target)
    if keep is not None:
        os.rename(old, keep)
    else:
        shutil.rmtree(old, ignore_errors=True)


def spare_of(target: Path) -> Path:
    """Where swap_in keeps the previous site for the next incremental build."""
    return target.with_name(f"{TEMP_PREFIX}spare-{target.name}")


def remove_stale_temps(folder: Path) -> None:
    """Temporary folders left by builds that were killed (their pid is gone)."""
    for p in folder.glob(TEMP_PREFIX + "*"):
        if p.name.startswith(TEMP_PREFIX + "spare-"):
            continue
        try:
            pid = int(p.name[len(TEMP_PREFIX):].split("-")[-2])
            os.kill(pid, 0)
        except ProcessLookupError:
            shutil.rmtree(p, ignore_errors=True)
        except (ValueError, IndexError, PermissionError):
            pass


def _epoch(root: Path) -> str:
    try:
        out = subprocess.run(["git", "-C", str(root), "log", "-1", "--format=%ct"],
                             capture_output=True, text=True, timeout=30)
        if out.returncode == 0 and out.stdout.strip().isdigit():
            return out.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pass
    return str(FALLBACK_EPOCH)


@contextlib.contextmanager
def source_date_epoch(root: Path):
    """SOURCE_DATE_EPOCH for the build: as given, else the last commit's date."""
    given = os.environ.get("SOURCE_DATE_EPOCH")
    if not given:
        os.environ["SOURCE_DATE_EPOCH"] = _epoch(root)
    try:
        yield int(os.environ["SOURCE_DATE_EPOCH"])
    finally:
        if not given:
            del os.environ["SOURCE_DATE_EPOCH"]
