"""What the workbench changes between Decap CMS's forms and the record files
(files.py reads and writes them).

Decap writes YAML in its own order and style, empty fields as "" and [], no
comments. On the way to disk the workbench makes each record file what the
project writes by hand (record_file: the model's field order, empty fields
left out, the leading comment lines kept), and carries over the fields the
form does not show (a field the model does not know, a newer model's field).
A new record's id must be unused by every kind (Decap only looks in its
folder). On the way to the browser, each record gets its id (the file name)
as the form's 编号 field.
"""
from __future__ import annotations

import re
import threading
import time
from pathlib import Path, PurePosixPath

from ..records.loader import read_repository
from ..records.schema import Kind, Schema
from ..records.yaml_reader import YamlFault, parse_yaml, split_front_matter
from ..site_config import SETTINGS_FILE
from .record_file import is_empty, leading_comments, prune, record_text
from .settings_file import SettingsError, settings_to_disk


class Refused(Exception):
    """A save the workbench will not pass on; the message is for the editor."""


class Bridge:
    def __init__(self, root: Path, schema: Schema):
        self.root, self.schema = root, schema
        self.writes: dict[str, float] = {}      # rel path → when the workbench last wrote it
        self.lock = threading.Lock()

    # --- to disk ---------------------------------------------------------------

    def note_writes(self, paths) -> None:
        now = time.time()
        with self.lock:
            self.writes.update((p.lstrip("/"), now) for p in paths if p)

    def last_write(self, rel: str) -> float:
        with self.lock:
            return self.writes.get(rel, 0.0)

    def kind_of(self, rel: str) -> Kind | None:
        return self.schema.kind_for_path(rel)

    def record_to_disk(self, rel: str, raw: str, fixed: dict | None = None) -> str:
        """The file's text for the form's raw text. fixed: fields whose values
        the form does not decide (the newsroom's status and review), set to
        these values, or left out where None."""
        if rel == SETTINGS_FILE:
            return self._settings_to_disk(raw)
        kind = self.kind_of(rel)
        if kind is None:
            return raw
        path = self.root / rel
        data, body = self._parse(kind, raw)
        data.pop("id", None)            # the file name is the id
        comments: list[str] = []
        if path.is_file():
            old_text = path.read_text(encoding="utf-8", errors="replace")
            try:
                old, _ = self._parse(kind, old_text)
            except (YamlFault, Refused):
                old = {}
            # Fields the form does not show: kept as they were, never dropped.
            for key, value in old.items():
                if key not in kind.fields and key != "id" and key not in data:
                    data[key] = value
            comments = leading_comments(split_front_matter(old_text)[0] if kind.front_matter else old_text)
        else:
            self.refuse_taken_id(kind, PurePosixPath(rel).stem)
        for key, value in (fixed or {}).items():
            data.pop(key, None)
            if value is not None:
                data[key] = value
        return record_text(kind, prune(data), body, comments)

    def _settings_to_disk(self, raw: str) -> str:
        path = self.root / SETTINGS_FILE
        try:
            old = path.read_text(encoding="utf-8") if path.is_file() else None
        except (OSError, UnicodeDecodeError):
            old = None
        try:
            return settings_to_disk(raw.replace("\r\n", "\n"), old)
        except SettingsError as e:
            raise Refused(str(e)) from None

    def _parse(self, kind: Kind, raw: str) -> tuple[dict, str]:
        text = raw.replace("\r\n", "\n")
        try:
            if kind.front_matter:
                front, body, _ = split_front_matter(text)
                data, _ = parse_yaml(front)
            else:
                data, _ = parse_yaml(text)
                body = ""
        except YamlFault as fault:
            raise Refused(f"无法读取表单内容（第 {fault.line} 行：{fault.message}）") from None
        if not isinstance(data, dict):
            raise Refused("无法读取表单内容：不是“字段: 值”的形式")
        return {k: v for k, v in data.items() if not (k in kind.fields and is_empty(v))}, body

    def refuse_taken_id(self, kind: Kind, rid: str) -> None:
        for other in self.schema.kinds.values():
            taken = self.root / other.path.replace("*", rid)
            if taken.exists():
                rel = taken.relative_to(self.root).as_posix()
                raise Refused(f"编号“{rid}”已被{other.label}使用（{rel}）：编号全站唯一，请换一个")

    # --- to the browser ----------------------------------------------------------

    def response_to_browser(self, action: str, response):
        """The backend's answer, with each record's id in its form."""
        if action in ("entriesByFolder", "entriesByFiles") and isinstance(response, list):
            for entry in response:
                self._add_id(entry)
        elif action == "getEntry" and isinstance(response, dict):
            self._add_id(response)
        return response

    def _add_id(self, entry: dict) -> None:
        path, data = (entry.get("file") or {}).get("path"), entry.get("data")
        kind = self.kind_of(path) if path else None
        if kind is None or not isinstance(data, str):
            return
        rid = PurePosixPath(path).stem
        if kind.front_matter:
            m = re.match(r"---[ \t]*\r?\n", data)
            front_end = data.find("\n---", m.end() - 1) if m else -1
            if m and not re.search(r"^id\s*:", data[m.end():front_end if front_end > 0 else None], re.M):
                entry["data"] = f"{data[:m.end()]}id: {rid}\n{data[m.end():]}"
        elif not re.search(r"^id\s*:", data, re.M):
            entry["data"] = f"id: {rid}\n{data}"

    # --- what the widgets ask ------------------------------------------------------

    def records(self, kinds: list[str]) -> list[dict]:
        snap = read_repository(self.root, self.schema)
        return [{"id": r.id, "title": r.title, "kind": r.kind.name, "label": r.kind.label}
                for r in snap.records if not kinds or r.kind.name in kinds]
