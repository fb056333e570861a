"""`make save`: the editors' work into git, after the check, with a message
that says what changed in the editors' words:
“新增先进典型：某某社区党委；修改专题片：《希望的田野》；新增照片：支部活动.jpg（某某社区党委）”.
A photo (or film, subtitles) is named with every record that uses it, so
that a changed picture never goes unnoticed under a file name alone.

Only content is committed (the record folders, content/, media/, wording/,
the department's settings file 网站设置.yml): a changed template or
mkdocs.yml is the developers' and is left as it is.
With an error anywhere, nothing is committed, and the errors are listed
(photos that still carry their location are errors too).
"""
from __future__ import annotations

import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..check import check_repository, errors
from ..records.loader import parse_file
from ..records.schema import Schema
from ..records.yaml_reader import YamlFault
from ..site_config import SETTINGS_FILE

CONTENT_DIRS = ("content", "media", "wording")
ACTIONS = {"A": "新增", "M": "修改", "D": "删除"}
MEDIA_WORDS = {(".jpg", ".jpeg", ".png", ".webp"): "照片", (".mp4", ".webm"): "视频", (".vtt",): "字幕"}
TITLE_MAX = 24
SUBJECT_MAX = 100


@dataclass(frozen=True)
class Change:
    action: str      # A, M or D
    path: str        # relative to the repository root


def _git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=check)


def content_paths(schema: Schema) -> list[str]:
    folders = {str(PurePosixPath(k.path).parent) for k in schema.kinds.values()}
    return sorted(folders | set(CONTENT_DIRS) | {SETTINGS_FILE})


def changes(root: Path, schema: Schema) -> list[Change]:
    """The changed content files, as git sees them (new files included)."""
    out = _git(root, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames",
               "--", *content_paths(schema)).stdout
    found = []
    for entry in filter(None, out.split("\0")):
        code, path = entry[:2], entry[3:]
        action = "A" if "?" in code or "A" in code else "D" if "D" in code else "M"
        found.append(Change(action, path))
    return sorted(found, key=lambda c: c.path)


def _short(text: str) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= TITLE_MAX else text[:TITLE_MAX] + "……"


def _title(root: Path, schema: Schema, change: Change) -> str:
    """The record's title, from the file (or, when deleted, from the last commit)."""
    kind = schema.kind_for_path(change.path)
    stem = PurePosixPath(change.path).stem
    if change.action == "D":
        shown = _git(root, "show", f"HEAD:{change.path}", check=False)
        text = shown.stdout if shown.returncode == 0 else ""
    else:
        text = (root / change.path).read_text(encoding="utf-8", errors="replace")
    try:
        records, _ = parse_file(kind, change.path, text.replace("\r\n", "\n"), stem)
    except YamlFault:
        records = []
    return _short(records[0].title) if records else stem


def _users(root: Path, schema: Schema, change: Change) -> list[str]:
    """The titles of the records that name a media file: in the working tree,
    or, for a deleted file, in the last commit."""
    from .files import media_users

    if change.action != "D":
        return [_short(title) for _, title in media_users(root, schema, change.path)]
    folders = sorted({str(PurePosixPath(k.path).parent) for k in schema.kinds.values()})
    found = _git(root, "grep", "-l", "-F", "-e", change.path, "HEAD", "--", *folders, check=False).stdout
    order = list(schema.kinds)
    paths = [line.split(":", 1)[1] for line in found.splitlines() if ":" in line]
    paths = sorted((p for p in paths if schema.kind_for_path(p)),
                   key=lambda p: (order.index(schema.kind_for_path(p).name), p))   # as media_users lists them
    return [_title(root, schema, Change("D", p)) for p in paths]


def _media_word(path: str) -> str | None:
    suffix = PurePosixPath(path).suffix.lower()
    return next((word for suffixes, word in MEDIA_WORDS.items() if suffix in suffixes), None)


def message(root: Path, schema: Schema, found: list[Change]) -> str:
    """新增先进典型：甲、乙；修改专题片：丙；新增照片：a.jpg（甲） — in the model's
    order of kinds, then media, then pages and wording."""
    groups: dict[tuple[str, str], list[str]] = {}
    order = {name: i for i, name in enumerate(schema.kinds)}

    def add(rank: int, action: str, what: str, item: str):
        groups.setdefault((f"{rank:03d}{'AMD'.index(action)}", f"{ACTIONS[action]}{what}"), []).append(item)

    for change in found:
        kind = schema.kind_for_path(change.path)
        if kind is not None:
            add(order[kind.name], change.action, kind.label, _title(root, schema, change))
        elif _media_word(change.path):
            users = _users(root, schema, change)
            add(900, change.action, _media_word(change.path),
                PurePosixPath(change.path).name + (f"（{'、'.join(users)}）" if users else ""))
        elif change.path == SETTINGS_FILE:
            add(960, change.action, "网站设置", change.path)
        elif change.path.startswith("wording/"):
            add(950, change.action, "用语表", PurePosixPath(change.path).name)
        else:
            add(920, change.action, "页面", change.path)
    parts = [f"{label}：{'、'.join(items)}" for (_, label), items in sorted(groups.items())]
    subject = "；".join(parts)
    if len(subject) <= SUBJECT_MAX:
        return subject
    head = "；".join(parts[:2])
    return f"{head[:SUBJECT_MAX]}等（共 {len(found)} 个文件）\n\n" + "\n".join(parts)


def save(root: Path, dry_run: bool = False) -> int:
    if _git(root, "rev-parse", "--is-inside-work-tree", check=False).returncode != 0:
        print("这里不是 git 仓库，无法保存修改记录：请在网站内容仓库的文件夹里运行 make save。", file=sys.stderr)
        return 1
    snap, problems = check_repository(root)
    found = changes(root, snap.schema)
    if not found:
        print("没有需要保存的修改。")
        return 0
    bad = errors(problems)
    if bad:
        for p in bad:
            print(p, file=sys.stderr)
        print(f"没有保存：发现 {len(bad)} 个错误，请按提示改正后再运行 make save"
              "（在编辑工作台中，每条记录右侧的“检查结果”也会列出）。", file=sys.stderr)
        return 1
    text = message(root, snap.schema, found)
    paths = [c.path for c in found]
    if dry_run:
        print(f"将要提交：{text}")
        print("\n".join(f"  {ACTIONS[c.action]} {c.path}" for c in found))
        return 0
    _git(root, "add", "-A", "--", *paths)
    done = _git(root, "commit", "-q", "-m", text, "--", *paths, check=False)
    if done.returncode != 0:
        why = done.stderr.strip() or done.stdout.strip()
        if "Please tell me who you are" in why or "user.email" in why:
            print('git 还不知道提交人是谁：请先运行 git config user.name "您的姓名" 和 '
                  'git config user.email "您的邮箱"，再运行 make save。', file=sys.stderr)
        else:
            print(f"没有保存：git 提交失败（{why}）", file=sys.stderr)
        return 1
    print(f"已提交到 git：{text.splitlines()[0]}（{len(paths)} 个文件）。")
    print("要让其他人看到，请再运行 git push（上传后自动检查并生成网站）。")
    return 0
