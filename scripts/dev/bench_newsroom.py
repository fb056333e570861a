"""Load test of the newsroom (issue #21): N contributors, each signed in,
save one new news post through /edit/api/v1 (persistEntry, as Decap sends
it) and submit it (送审), spread over a window of S seconds, against
gunicorn started with the deploy-config's own command and worker count on
127.0.0.1 (SQLite in a tmp data folder, plain HTTP as `serve`'s local
try-out: NEWSROOM_LOCAL=1, no nginx in front).

Afterwards nothing may be lost: every post on disk with status review, one
git commit per save and one per submit, each authored by its contributor,
the working tree clean, and every request answered as expected (no
connection error, no refusal). Prints a Markdown section of BENCHMARKS.md
(`--out FILE` writes it too); exit status 1 when anything was lost.

    python -m scripts.dev.bench_newsroom [--contributors 60] [--seconds 60] [--out FILE]

Bounded: at most --concurrency contributors in flight, every request with a
timeout, the whole run with a deadline, only 127.0.0.1.
"""
from __future__ import annotations

import argparse
import datetime as dt
import http.client
import json
import math
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .machine import machine, package_versions
from .nginx_server import free_port

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "site"
REQUEST_TIMEOUT = 60          # gunicorn's own (serverconf.TIMEOUT): a request slower than this is lost anyway
ACTIONS = ("login page", "sign in", "edit/api/info", "save", "item page", "submit")
GIT_ENV = {"GIT_AUTHOR_NAME": "编辑部", "GIT_AUTHOR_EMAIL": "office@example.org",
           "GIT_COMMITTER_NAME": "编辑部", "GIT_COMMITTER_EMAIL": "office@example.org"}
SUBMIT_SUBJECT = "提交审核："    # views.act's commit subject for 送审
BODY = ("支部全体党员集中学习党的二十届三中全会精神，结合本单位实际交流学习体会。"
        "会上，支部书记领学了有关文件，党员们围绕为民办实事、基层治理等方面逐一发言。") * 4


def _git(root: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=True,
                          env={**os.environ, **GIT_ENV}, timeout=120).stdout


def make_repository(root: Path) -> None:
    """A content repository as tests/conftest.py's Repo makes it: the project's
    configuration, templates and hand-written pages, the fixture's records."""
    root.mkdir(parents=True)
    for name in ("mkdocs.yml", "网站设置.yml"):
        shutil.copyfile(ROOT / name, root / name)
    shutil.copytree(ROOT / "templates", root / "templates")
    shutil.copytree(ROOT / "content", root / "content", ignore=lambda d, names: names if Path(d).name == "posts" else [])
    (root / "content" / "news" / "posts").mkdir(parents=True, exist_ok=True)
    shutil.copytree(FIXTURE / "content", root / "content", dirs_exist_ok=True)
    shutil.copytree(FIXTURE / "exemplars", root / "exemplars", dirs_exist_ok=True)
    _git(root, "init", "-q")
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", "初始内容")


def child_accounts(count: int) -> None:
    """In a child process with the newsroom's environment (its own Django):
    `count` contributors, as `user add` makes them (argon2 hashes), tied to
    the repository's units in turn: several contributors of a branch, each
    writing their own news posts. Prints JSON [[account, name, password, unit]]."""
    from scripts.newsroom.__main__ import _setup
    _setup()
    from django.conf import settings

    from scripts.newsroom import accounts
    from scripts.newsroom.repository import unit_ids
    units = sorted(unit_ids(settings.NEWSROOM_REPO))
    made = []
    for i in range(count):
        # "撰稿人007号": no name inside another (review.owns matches the name in 作者).
        name, full, unit = f"writer{i:03d}", f"撰稿人{i:03d}号", units[i % len(units)]
        made.append([name, full, accounts.add(name, ["撰稿"], [unit], full), unit])
    print(json.dumps(made, ensure_ascii=False))


@dataclass
class Contributor:
    account: str
    name: str
    password: str
    unit: str
    rid: str = ""
    cookies: dict = field(default_factory=dict)
    token: str = ""


@dataclass
class Sample:
    action: str
    account: str
    seconds: float
    status: int | None           # None: no HTTP answer (connection error, timeout)
    ok: bool
    detail: str = ""


class Client:
    """HTTP/1.1 to the newsroom on 127.0.0.1, one connection per request
    (gunicorn's sync workers close it anyway), cookies kept per contributor,
    Origin sent as a browser sends it (Django's CSRF check)."""

    def __init__(self, port: int, samples: list, lock: threading.Lock):
        self.port, self.samples, self.lock = port, samples, lock
        self.origin = f"http://127.0.0.1:{port}"

    def request(self, who: Contributor, action: str, method: str, path: str, body: bytes = b"",
                headers: dict | None = None, expect: int = 200) -> tuple[int | None, dict, bytes]:
        head = {"Host": f"127.0.0.1:{self.port}", "Connection": "close", **(headers or {})}
        if who.cookies:
            head["Cookie"] = "; ".join(f"{k}={v}" for k, v in who.cookies.items())
        if method == "POST":
            head["Origin"] = self.origin
        start = time.perf_counter()
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=REQUEST_TIMEOUT)
        try:
            conn.request(method, path, body=body if method == "POST" else None, headers=head)
            response = conn.getresponse()
            data = response.read()
            status, answer = response.status, response.headers
        except (OSError, http.client.HTTPException) as e:
            self._note(Sample(action, who.account, time.perf_counter() - start, None, False, repr(e)))
            return None, {}, b""
        finally:
            conn.close()
        took = time.perf_counter() - start
        for line in answer.get_all("Set-Cookie") or []:
            name, _, rest = line.partition("=")
            who.cookies[name.strip()] = rest.split(";", 1)[0]
        ok = status == expect
        self._note(Sample(action, who.account, took, status, ok,
                          "" if ok else data[:300].decode("utf-8", "replace")))
        return status, dict(answer.items()), data

    def _note(self, sample: Sample) -> None:
        with self.lock:
            self.samples.append(sample)


def _form(fields: dict) -> tuple[bytes, dict]:
    return urllib.parse.urlencode(fields).encode(), {"Content-Type": "application/x-www-form-urlencoded"}


def sign_in(client: Client, who: Contributor) -> bool:
    """The login page's form, then /edit/api/info for the token workbench.js
    adds to Decap's requests (Django rotates the token at login)."""
    status, _, page = client.request(who, "login page", "GET", "/login/", expect=200)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page or b"")
    if status != 200 or not token:
        return False
    body, head = _form({"csrfmiddlewaretoken": token[1].decode(), "username": who.account, "password": who.password})
    status, _, _ = client.request(who, "sign in", "POST", "/login/", body, head, expect=302)
    if status != 302:
        return False
    status, _, info = client.request(who, "edit/api/info", "GET", "/edit/api/info", expect=200)
    if status != 200:
        return False
    who.token = json.loads(info)["csrf"]
    return True


def write_and_submit(client: Client, who: Contributor, day: str) -> None:
    """What the contributor's browser sends: Decap's persistEntry of a new
    news post, then the item page and its 送审 form."""
    rel = f"content/news/posts/{who.rid}.md"
    raw = (f"---\nid: {who.rid}\ntitle: {who.name}所在支部开展主题党日活动\ndate: {day}\n"
           f"author: {who.name}\n---\n\n{BODY}\n\n{BODY}\n")
    entry = {"path": rel, "raw": raw, "slug": who.rid}
    body = json.dumps({"action": "persistEntry", "params": {"dataFiles": [entry], "assets": [], "options": {}}},
                      ensure_ascii=False).encode()
    status, _, _ = client.request(who, "save", "POST", "/edit/api/v1", body,
                                  {"Content-Type": "application/json", "X-CSRFToken": who.token}, expect=200)
    if status != 200:
        return
    item = f"/item/news/{who.rid}/"
    status, _, page = client.request(who, "item page", "GET", item, expect=200)
    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page or b"")
    if status != 200 or not token or b'name="action" value="submit"' not in page:
        return
    body, head = _form({"csrfmiddlewaretoken": token[1].decode(), "action": "submit", "comment": ""})
    client.request(who, "submit", "POST", item + "act/", body, head, expect=302)


def _newsroom(env: dict, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "scripts.newsroom", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        raise RuntimeError(f"python -m scripts.newsroom {shlex.join(args)}：{done.stdout}{done.stderr}")
    return done.stdout


def start_server(repo: Path, data: Path, env: dict, log: Path) -> tuple[subprocess.Popen, int, list[str]]:
    """gunicorn with the command and worker count `deploy-config` writes into
    the systemd unit, bound to 127.0.0.1:PORT instead of the unix socket."""
    from scripts.newsroom import serverconf
    port = free_port()
    dep = serverconf.Deployment(server_name="newsroom.test", data=data, repo=repo, static=data.parent / "static",
                                socket=f"127.0.0.1:{port}")
    cmd = serverconf.gunicorn_command(dep)
    with open(log, "w") as out:
        proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
    end = time.monotonic() + 60
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn 退出了：{log.read_text(encoding='utf-8')[-2000:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/login/")
            if conn.getresponse().status == 200:
                conn.close()
                return proc, port, cmd
            conn.close()
        except OSError:
            pass
        if time.monotonic() > end:
            stop_server(proc)
            raise RuntimeError(f"gunicorn 60 秒内没有应答：{log.read_text(encoding='utf-8')[-2000:]}")
        time.sleep(0.2)


def stop_server(proc: subprocess.Popen) -> None:
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)
    except ProcessLookupError:
        pass
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)


@dataclass
class Result:
    contributors: int
    seconds: float
    concurrency: int
    workers: int
    samples: list[Sample]
    window: float                 # first save's start to the last submit's answer
    late: float                   # most a contributor started after their planned time
    problems: list[str]           # what was lost or wrong; empty: nothing
    commits: int                  # new commits found and verified
    server_command: list[str]
    repo: Path
    base: str                     # the commit before the first save
    people: list[Contributor]
    records: int                  # record files in the repository before the run
    elapsed: float                # the whole run: repository, accounts, server, load, checks

    def by_action(self, action: str) -> list[Sample]:
        return [s for s in self.samples if s.action == action]


def verify(repo: Path, base: str, people: list[Contributor]) -> tuple[list[str], int]:
    """Every post on disk with status review; since `base`, exactly one save
    commit and one submit commit per contributor, authored by them, touching
    their post only; nothing left uncommitted."""
    problems = []
    for who in people:
        path = repo / "content" / "news" / "posts" / f"{who.rid}.md"
        if not path.exists():
            problems.append(f"{who.account}: {path.name} 不存在")
            continue
        head = path.read_text(encoding="utf-8").split("---", 2)[1]
        status = (yaml.safe_load(head) or {}).get("status")
        if status != "review":
            problems.append(f"{who.account}: {path.name} 的状态是 {status!r}，应为 review")
    log = _git(repo, "log", "--format=%x00%an%x09%ae%x09%s", "--name-only", f"{base}..HEAD")
    commits = [c.strip().split("\n") for c in log.split("\x00") if c.strip()]
    seen: dict[str, list[str]] = {}
    for lines in commits:
        name, email, subject = lines[0].split("\t", 2)
        files = [f for f in lines[1:] if f]
        kind = "submit" if subject.startswith(SUBMIT_SUBJECT) else "save"
        account = email.removesuffix("@newsroom")
        who = next((p for p in people if p.account == account), None)
        if who is None or who.name != name:
            problems.append(f"提交“{subject}”的作者 {name} <{email}> 不是撰稿人之一")
            continue
        if files != [f"content/news/posts/{who.rid}.md"]:
            problems.append(f"{account} 的提交“{subject}”改动了 {files}")
        seen.setdefault(account, []).append(kind)
    for who in people:
        kinds = sorted(seen.get(who.account, []))
        if kinds != ["save", "submit"]:
            problems.append(f"{who.account}: 提交应为一次保存、一次送审，实为 {kinds}")
    dirty = _git(repo, "status", "--porcelain", "--untracked-files=all")
    if dirty.strip():
        problems.append(f"工作区有未提交的改动：{dirty.strip()[:300]}")
    return problems, len(commits)


def run(contributors: int = 60, seconds: float = 60, concurrency: int = 12, work: Path | None = None) -> Result:
    """The whole load test in `work` (a tmp folder by default, removed after)."""
    own = work is None
    work = Path(tempfile.mkdtemp(prefix="bench-newsroom-")) if own else work
    try:
        return _run(contributors, seconds, concurrency, work)
    finally:
        if own:
            shutil.rmtree(work, ignore_errors=True)


def _run(contributors: int, seconds: float, concurrency: int, work: Path) -> Result:
    began = time.monotonic()
    repo, data = work / "repo", work / "data"
    make_repository(repo)
    records = sum(1 for folder in ("exemplars", "content/news/posts") for _ in (repo / folder).rglob("*.md"))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("NEWSROOM_", "DJANGO_"))}
    env.update(NEWSROOM_REPO=str(repo), NEWSROOM_DATA=str(data), NEWSROOM_STATIC=str(work / "static"),
               NEWSROOM_LOCAL="1", DJANGO_SETTINGS_MODULE="scripts.newsroom.settings", PYTHONDONTWRITEBYTECODE="1")
    _newsroom(env, "init")
    made = subprocess.run([sys.executable, "-c", "import sys; from scripts.dev.bench_newsroom import child_accounts; "
                                                 "child_accounts(int(sys.argv[1]))", str(contributors)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    if made.returncode != 0:
        raise RuntimeError(f"建立账号失败：{made.stderr[-2000:]}")
    people = [Contributor(*row) for row in json.loads(made.stdout)]
    for i, who in enumerate(people):
        who.rid = f"bench-post-{i:03d}"
    base = _git(repo, "rev-parse", "HEAD").strip()

    samples: list[Sample] = []
    proc, port, cmd = start_server(repo, data, env, work / "gunicorn.log")
    try:
        client = Client(port, samples, threading.Lock())
        # Signing in is before the window: people log in in the morning, then write.
        with ThreadPoolExecutor(max_workers=min(concurrency, 4)) as pool:
            signed = list(pool.map(lambda w: sign_in(client, w), people, timeout=600))
        day = dt.date.today().isoformat()
        late = [0.0]
        lock = threading.Lock()

        def one(who: Contributor, planned: float) -> None:
            with lock:
                late[0] = max(late[0], time.monotonic() - planned)
            write_and_submit(client, who, day)

        # Staggered evenly over the window: contributor i starts at i × S / N.
        start = time.monotonic()
        step = seconds / contributors
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            futures = []
            for i, (who, ok) in enumerate(zip(people, signed)):
                if not ok:
                    continue
                planned = start + i * step
                time.sleep(max(0.0, planned - time.monotonic()))
                futures.append(pool.submit(one, who, planned))
            for f in futures:
                f.result(timeout=REQUEST_TIMEOUT * 4 + seconds)
        window = time.monotonic() - start
    finally:
        stop_server(proc)

    problems, commits = verify(repo, base, people)
    problems += [f"{who.account}: 未能登录" for who, ok in zip(people, signed) if not ok]
    problems += [f"{s.account} {s.action}: " + (f"HTTP {s.status} {s.detail}" if s.status else f"无应答 {s.detail}")
                 for s in samples if not s.ok]
    return Result(contributors, seconds, concurrency, len(_workers(cmd)), samples, window, late[0], problems,
                  commits, cmd, repo, base, people, records, time.monotonic() - began)


def _workers(cmd: list[str]) -> range:
    return range(int(cmd[cmd.index("--workers") + 1]))


def percentile(values: list[float], q: float) -> float:
    """Nearest rank: the smallest value with at least q of them at or below it."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


def _machine() -> list[str]:
    m = machine()
    return [f"CPU: {m.cpu}; cores (nproc) {m.cores}",
            f"Python {m.python} on {m.system}",
            "Packages: " + ", ".join(package_versions(["Django", "gunicorn", "argon2-cffi", "django-axes"])),
            f"Load average (1 min) before / after: {_load[0]:.1f} / {os.getloadavg()[0]:.1f} (other work on the "
            "machine makes latencies longer)"]


_load = os.getloadavg()


def report(result: Result, command: str) -> str:
    ms = lambda s: f"{s * 1000:,.0f}"   # noqa: E731
    answered = sum(1 for s in result.samples if s.status is not None)
    rows = []
    for action in ACTIONS:
        done = result.by_action(action)
        times = [s.seconds for s in done]
        if not times:
            continue
        rows.append(f"| {action} | {len(done)} | {sum(1 for s in done if not s.ok)} | {ms(percentile(times, .5))} | "
                    f"{ms(percentile(times, .95))} | {ms(max(times))} |")
    lost = "nothing" if not result.problems else f"**{len(result.problems)} problem(s)**"
    lines = [
        f"{result.contributors} contributors, each signed in (before the window), then saving one new news post "
        f"through /edit/api/v1 (persistEntry, as Decap sends it), opening its item page and submitting it (送审), "
        f"their starts spread evenly over {result.seconds:g} s (at most {result.concurrency} in flight; the latest "
        f"start {result.late:.1f} s after its plan). gunicorn as `deploy-config` runs it ({result.workers} workers, "
        f"SQLite), on 127.0.0.1 over plain HTTP (no nginx); each request on a new connection. The content "
        f"repository: the project's configuration and templates with tests/fixtures/site's records "
        f"({result.records} record files), under git.",
        "",
        "Command:", "", "```", command, "```", "",
        "Machine:", "", *[f"- {m}" for m in _machine()],
        f"- Total run time of the benchmark: {result.elapsed:.0f} s", "",
        "Latency of each request from sending it to the whole answer read, in milliseconds (nearest rank). "
        "`sign in` is the login form's POST (an argon2 hash by design); `save` is persistEntry: the record "
        "checked, written and committed under the repository's lock; `submit` is 送审: a commit too.", "",
        "| action | requests | errors | p50 ms | p95 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
        *rows, "",
        f"Requests: {len(result.samples)}, answered {answered} (every one needs an HTTP answer); the saves and "
        f"submits took {result.window:.1f} s from the first start to the last answer.",
        "",
        f"Verified afterwards: {result.commits} new commits (expected {2 * result.contributors}: one per save, one "
        f"per submit, each authored by its contributor and touching only their post), every post on disk with "
        f"status review, the working tree clean. Lost or wrong: {lost}.",
    ]
    if result.problems:
        lines += ["", *[f"- {p}" for p in result.problems[:30]]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.dev.bench_newsroom", description=__doc__.split("\n\n")[0])
    parser.add_argument("--contributors", type=int, default=60, help="撰稿人数（默认 60）")
    parser.add_argument("--seconds", type=float, default=60, help="保存和送审分布的时长，秒（默认 60）")
    parser.add_argument("--concurrency", type=int, default=12, help="同时进行中的撰稿人最多几个（默认 12）")
    parser.add_argument("--out", help="把 Markdown 段落另写入这个文件")
    args = parser.parse_args(argv)
    if not 1 <= args.contributors <= 500 or not 1 <= args.seconds <= 600 or not 1 <= args.concurrency <= 64:
        parser.error("--contributors 应在 1–500，--seconds 在 1–600，--concurrency 在 1–64 之间")
    try:
        result = run(args.contributors, args.seconds, args.concurrency)
    except RuntimeError as e:
        print(f"压力测试未能进行：{e}", file=sys.stderr)
        return 1
    command = shlex.join(["python", "-m", "scripts.dev.bench_newsroom", *(argv if argv is not None else sys.argv[1:])])
    section = "## Newsroom under load (scripts/dev/bench_newsroom.py)\n\n" + report(result, command)
    print(section)
    if args.out:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(section, encoding="utf-8")
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main())
