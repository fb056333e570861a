"""Publishing the site from the newsroom: after 终审 (issue #21), and the
whole site or a rollback from the 发布网站 page.

It is the path of `make publish` without make: the release gate
(deploy.gate.release_gate: `check --release` and a trial build, here into
the data folder), the policy check of the built pages
(deploy.commands.check_policy), then deploy.publish.publish, which copies the
site into a new release and switches `current` atomically, keeping the
earlier releases for rollback. A gate that finds an error stops before
publish is called: the target is not touched.

Why a background thread, not the request: the gate builds the whole site,
which for the real content takes longer than a reviewer should wait and
than gunicorn's worker timeout (30 s), whose kill would cut a publish
midway. The request commits the 终审, starts the thread and answers; the
item page reads the outcome. One publish at a time in the newsroom
(PUBLISH_LOCK, flock in the data folder: the trial builds share a folder;
the target has its own lock against `make publish` from elsewhere); the
review actions never wait for it.

Outcomes are operational state, not content: one JSON file in the data
folder (OUTCOMES), keyed by item (`kind/id`) or SITE, each with the account
that caused it. A publish whose process died (a worker restarted) is seen
by its pid and shown as interrupted. Every action is also one line in the
data folder's publish.log, with the account (the target's history.log
records the switches, in its own fixed format).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import json
import logging
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from ..deploy.commands import check_policy
from ..deploy.gate import NOT_BUILT, release_gate
from ..deploy.publish import HISTORY_SHOWN, PUBLISH, ROLLBACK, PublishError, Target, listing, \
    publish as publish_site, rollback as rollback_site
from ..editor.files import write_atomic

log = logging.getLogger(__name__)
TZ = ZoneInfo("Asia/Shanghai")
OUTCOMES = "publishing.json"
PUBLISH_LOCK = "publish.lock"
JOURNAL = "publish.log"
SITE = "site"                                   # the key of a whole-site publish
QUEUED, RUNNING, PUBLISHED, REFUSED, FAILED = "queued", "running", "published", "refused", "failed"
BUSY = "正在发布网站（发布前检查和生成网站需要一些时间），请稍后刷新本页查看结果"
_threads: list[threading.Thread] = []


@dataclass(frozen=True)
class Place:
    """Where the newsroom publishes from and to."""
    repo: Path
    data: Path
    target: str                                 # "" when publishing from the newsroom is off

    @property
    def enabled(self) -> bool:
        return bool(self.target)


def _now() -> str:
    return dt.datetime.now(TZ).isoformat(timespec="seconds")


@contextlib.contextmanager
def _flock(path: Path, blocking: bool = True):
    """True when held; False (not blocking) when another holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a") as f:
        try:
            fcntl.flock(f, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(f, fcntl.LOCK_UN)


def _read(data: Path) -> dict:
    try:
        found = json.loads((data / OUTCOMES).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return found if isinstance(found, dict) else {}


def _record(data: Path, key: str, **fields) -> None:
    # Short read-modify-write under its own lock: never held while publishing.
    with _flock(data / (OUTCOMES + ".lock")):
        outcomes = _read(data)
        outcomes[key] = {**fields, "pid": os.getpid()}
        write_atomic(data / OUTCOMES, json.dumps(outcomes, ensure_ascii=False, indent=1).encode("utf-8"))


def journal(data: Path, account: str, text: str) -> None:
    log.info("%s：%s", account, text)
    with open(data / JOURNAL, "a", encoding="utf-8") as f:
        f.write(f"{_now()} {account} {' '.join(text.split())}\n")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def outcome(data: Path, key: str) -> dict | None:
    """The last publish for this key, as recorded; a queued or running one
    whose process is gone is reported as interrupted (state FAILED)."""
    found = _read(data).get(key)
    if not isinstance(found, dict):
        return None
    if found.get("state") in (QUEUED, RUNNING) and not _alive(int(found.get("pid") or 0)):
        return {**found, "state": FAILED,
                "message": "发布被中断（审稿系统重启了），网站未更新：请在“发布网站”页面重新发布"}
    return found


def item_key(kind: str, rid: str) -> str:
    return f"{kind}/{rid}"


def _gate_and_publish(place: Place, key: str, account: str, started: str) -> None:
    with _flock(place.data / PUBLISH_LOCK):
        _record(place.data, key, state=RUNNING, account=account, started=started)
        # An idle column only warns here: refusing an approved item would not
        # make the site fresher (make release still refuses it).
        problems, site = release_gate(place.repo, place.data / "release" / "site", stale_ok=True)
        errors = [str(p) for p in problems if p.level == "error"]
        if errors or site is None:
            errors = errors or [NOT_BUILT]
            _record(place.data, key, state=REFUSED, account=account, started=started, finished=_now(),
                    problems=errors)
            journal(place.data, account, f"发布（{key}）：发布前检查发现 {len(errors)} 个错误，网站未发布")
            return
        target = Target.parse(place.target)
        check_policy(site, target, None)
        release = publish_site(site, target)
        _record(place.data, key, state=PUBLISHED, account=account, started=started, finished=_now(),
                release=release.id, previous=release.previous or "")
        journal(place.data, account, f"发布（{key}）：版本 {release.id} 正在使用（此前 {release.previous or '无'}）")


def _run(place: Place, key: str, account: str, started: str) -> None:
    try:
        _gate_and_publish(place, key, account, started)
    except PublishError as e:
        _record(place.data, key, state=FAILED, account=account, started=started, finished=_now(), message=str(e))
        journal(place.data, account, f"发布（{key}）失败：{e}")
    except Exception as e:   # whatever it was, the page says so rather than "running" for ever
        log.exception("发布（%s）出错", key)
        message = f"程序内部错误：{type(e).__name__}: {e}；网站未更新，请把这条消息发给技术人员"
        _record(place.data, key, state=FAILED, account=account, started=started, finished=_now(), message=message)
        journal(place.data, account, f"发布（{key}）出错：{type(e).__name__}: {e}")


def start(place: Place, key: str, account: str) -> threading.Thread | None:
    """Gate and publish in the background (see the module's docstring); None when off."""
    if not place.enabled:
        return None
    started = _now()
    _record(place.data, key, state=QUEUED, account=account, started=started)
    journal(place.data, account, f"开始发布（{key}）")
    thread = threading.Thread(target=_run, args=(place, key, account, started), name=f"publish {key}", daemon=True)
    _threads[:] = [t for t in _threads if t.is_alive()] + [thread]
    thread.start()
    return thread


def wait(timeout: float | None = None) -> None:
    """Until the publishes this process started have ended (tests; /publish/'s answer)."""
    for t in list(_threads):
        t.join(timeout)


def after_final_approval(place: Place, kind: str, rid: str, account: str) -> None:
    if place.enabled:
        start(place, item_key(kind, rid), account)


def rollback(place: Place, account: str) -> str:
    """Back to the release live before this one; the answer in Chinese.
    Refused while the newsroom publishes (it would switch under the publish)."""
    with _flock(place.data / PUBLISH_LOCK, blocking=False) as held:
        if not held:
            raise PublishError("网站正在发布，暂时不能回退：请等发布结束后再操作")
        try:
            done = rollback_site(Target.parse(place.target))
        except PublishError as e:
            journal(place.data, account, f"回退失败：{e}")
            raise
    journal(place.data, account, f"回退：正在使用的版本由 {done.old} 改为 {done.new}")
    answer = f"已回退：正在使用的版本由 {done.old} 改为 {done.new}。"
    if done.note:
        answer = done.note + answer
    return answer + (f"再次回退将回到 {done.next}。" if done.next else "再往前已没有可回退的版本。")


def releases(place: Place) -> dict:
    """The target's releases and last switches, as `make releases` lists them."""
    state = listing(Target.parse(place.target))
    actions = {PUBLISH: "发布", ROLLBACK: "回退"}
    switches = [{"time": s.time.replace("T", " ").rstrip("Z"), "action": actions.get(s.action, "回退到指定版本"),
                 "old": s.old or "（无）", "new": s.new} for s in reversed(state.history[-HISTORY_SHOWN:])]
    return {"names": [{"name": n, "live": n == state.live, "next": n == state.next} for n in reversed(state.names)],
            "switches": switches}


def journal_tail(data: Path, count: int = HISTORY_SHOWN) -> list[str]:
    try:
        lines = (data / JOURNAL).read_text(encoding="utf-8").splitlines()
    except OSError:
        return []
    return list(reversed(lines[-count:]))
