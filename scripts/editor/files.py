"""The workbench's file backend: Decap CMS's local protocol (the `proxy`
backend's actions), answered in Python, on the record and media files only.

It replaces decap-server (npm), which the workbench used before, because a
security review (issue #20) found that decap-server
- checks neither Host nor Origin: a page of another site, through DNS
  rebinding, could read the Makefile and write files;
- reads and writes anywhere in the repository: Makefile, scripts/, .git/config
  (a `core.fsmonitor` line there runs a command at the next `git status`,
  which `make save` runs), .git/hooks/, .venv/bin/;
- writes in place, not atomically: a killed save left a truncated record;
- overwrites a photo of the same name that another record uses.

So here every path is confined to exactly the folders the model names: the
record files of each kind (schema.yaml's `path`, with a valid id) and the
media folders of the generated Decap configuration (decap.py), and, for the
workbench's 网站设置 form, the one settings file (site_config.SETTINGS_FILE),
symlinks refused; files are written beside and renamed into place; an upload gets the
name the editor gave it plus a short hash of its bytes (“支部活动-3fa9c2d1.jpg”:
a different photo can never take another one's name, the same photo keeps
its name), photos are cleaned of their location (photos.py) or refused, and
a media file that records use is never replaced nor deleted.

The protocol, as decap-server 3.11 speaks it (src/middlewares/localFs):
actions info, entriesByFolder, entriesByFiles, getEntry, persistEntry,
getMedia, getMediaFile, persistMedia, deleteFile, deleteFiles,
getDeployPreview; entries are {data, file: {path, label, id}}, media
{id, content (base64), encoding, path, name}.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..records.loader import parse_file
from ..records.schema import ID_RE, MEDIA_SUFFIXES, Kind, Schema
from ..records.yaml_reader import YamlFault
from ..site_config import SETTINGS_FILE
from .bridge import Bridge, Refused
from .decap import MAX_FILE, MAX_FILE_MB, MEDIA_FOLDERS
from .photos import NotAPhoto, clean, needs_cleaning

MEDIA_SUFFIX_SET = {s for suffixes in MEDIA_SUFFIXES.values() for s in suffixes}
HASH_LENGTH = 8
TEMP_PREFIX = ".zlt-saving-"          # a save's file before it is renamed into place
ALLOWED = "只能读写记录和照片文件"
# Windows' reserved letters, the URL escape (never decoded here, so never
# allowed), and the path separators of other systems.
BAD_CHARS = re.compile(r'[\\%:*?"<>|]')


class ApiError(Exception):
    """A request the backend answers with an error; the message is for the editor."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status = status


def forbidden(value: object, why: str = "") -> ApiError:
    shown = value if isinstance(value, str) else repr(value)
    shown = shown.encode("utf-8", "backslashreplace").decode("utf-8")[:200]
    return ApiError(403, f"{ALLOWED}：{shown}" + (f"（{why}）" if why else ""))


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def hashed_name(name: str, data: bytes) -> str:
    """The upload's name with the first characters of its bytes' hash: kept
    as it is when it already ends so (the workbench's page names uploads so
    before it sends them), else given them."""
    stem, suffix = os.path.splitext(name)
    short = content_hash(data)[:HASH_LENGTH]
    return name if stem.endswith(f"-{short}") else f"{stem}-{short}{suffix}"


def is_photo(name: str, data: bytes) -> bool:
    """An image by its name or by its bytes (HEIC, GIF… too: clean() refuses those)."""
    return needs_cleaning(name, data)


def write_atomic(path: Path, data: bytes) -> None:
    """Write beside, flush to disk, rename over: a kill at any moment leaves
    either the old file or the new one, never a part."""
    tmp = path.with_name(f"{TEMP_PREFIX}{secrets.token_hex(6)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    try:
        dir_fd = os.open(path.parent, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(dir_fd)          # the rename itself, on disk
    except OSError:
        pass
    finally:
        os.close(dir_fd)


def read_plain(path: Path) -> bytes:
    """A regular file's bytes; a symlink put there since the check is refused."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
    with os.fdopen(fd, "rb") as f:
        return f.read()


@dataclass(frozen=True)
class Target:
    rel: str
    path: Path
    kind: Kind | None       # a record file's kind; None for a media file or a folder


class Files:
    """Decap's actions on the repository at root."""

    def __init__(self, root: Path, schema: Schema, bridge: Bridge, settings: bool = False):
        """settings: the department's settings file may be read and written
        too (the workbench's form of it); never deleted, nor anything else
        at the top of the repository."""
        self.root, self.schema, self.bridge = root, schema, bridge
        self.real_root = root.resolve()
        self.record_folders = {str(PurePosixPath(k.path).parent) for k in schema.kinds.values()}
        self.media_folders = set(MEDIA_FOLDERS)
        self.settings_file = SETTINGS_FILE if settings else None

    # --- where it may read and write --------------------------------------------

    def _parts(self, value: object) -> PurePosixPath:
        if not isinstance(value, str) or not value:
            raise forbidden(value, "路径应为文字")
        if value.startswith("/") or re.match(r"[A-Za-z]:", value):
            raise forbidden(value, "不能用绝对路径")
        if BAD_CHARS.search(value) or any(unicodedata.category(c) in ("Cc", "Cf", "Cs") for c in value):
            raise forbidden(value, "路径中有不允许的字符")
        parts = value.split("/")
        if any(p == "" or p.startswith(".") or p != p.strip() for p in parts):
            raise forbidden(value, "路径中不能有 ..、以点开头或空的部分")
        return PurePosixPath(value)

    def _real(self, rel: PurePosixPath, value: str) -> Path:
        """The path on disk, if no symlink on the way leads out of its folder."""
        path = self.root / rel
        folder = self.real_root / rel.parent
        if path.parent.resolve() != folder:
            raise forbidden(value, "文件夹是指向别处的链接")
        if path.is_symlink():
            raise forbidden(value, "是指向别处的链接")
        if path.exists() and not path.is_file():
            raise forbidden(value, "不是文件")
        return path

    def folder(self, value: object, media: bool) -> Target:
        rel = self._parts(value)
        if str(rel) not in (self.media_folders if media else self.record_folders):
            raise forbidden(value, "不是记录或照片的文件夹")
        path = self.root / rel
        if path.resolve() != self.real_root / rel:
            raise forbidden(value, "文件夹是指向别处的链接")
        return Target(str(rel), path, None)

    def record(self, value: object) -> Target:
        """A record file, or the settings file (kind None, like a media file's)."""
        rel = self._parts(value)
        if self.settings_file is not None and str(rel) == self.settings_file:
            return Target(str(rel), self._real(rel, value), None)
        kind = self.schema.kind_for_path(str(rel))
        if kind is None or not ID_RE.match(rel.stem) or rel.name != PurePosixPath(kind.path).name.replace("*", rel.stem):
            raise forbidden(value, "不是记录文件")
        return Target(str(rel), self._real(rel, value), kind)

    def media(self, value: object) -> Target:
        rel = self._parts(value)
        if str(rel.parent) not in self.media_folders or rel.suffix.lower() not in MEDIA_SUFFIX_SET:
            raise forbidden(value, "不是照片、视频或字幕文件")
        return Target(str(rel), self._real(rel, value), None)

    def remove_leftovers(self) -> None:
        """A save killed before its rename leaves its temporary file: removed at
        the next start (`make save` would commit whatever is in the folders)."""
        folders = self.record_folders | self.media_folders | ({"."} if self.settings_file else set())
        for folder in folders:
            for path in (self.root / folder).glob(f"{TEMP_PREFIX}*"):
                path.unlink(missing_ok=True)

    def any_file(self, value: object) -> Target:
        try:
            return self.record(value)
        except ApiError:
            return self.media(value)

    # --- Decap's actions ---------------------------------------------------------

    def handle(self, body: object) -> tuple[int, object]:
        if not isinstance(body, dict):
            raise ApiError(400, "请求无法识别：应为一个 JSON 对象")
        action, params = body.get("action"), body.get("params")
        if params is None:
            params = {}
        if not isinstance(params, dict):
            raise ApiError(400, "请求无法识别：params 应为 JSON 对象")
        method = getattr(self, f"do_{action}", None) if isinstance(action, str) and action.isidentifier() else None
        if method is None:
            raise ApiError(422, f"工作台不支持这个操作：{str(action)[:50]}")
        return 200, method(params)

    def do_info(self, params: dict):
        return {"repo": self.root.name, "publish_modes": ["simple"], "type": "local_fs"}

    def do_getDeployPreview(self, params: dict):
        return None

    def do_entriesByFolder(self, params: dict):
        folder = self.folder(params.get("folder"), media=False)
        extension = _text(params, "extension")
        entries = []
        if folder.path.is_dir():
            for path in sorted(folder.path.iterdir()):
                if path.name.endswith(extension) and not path.is_symlink() and path.is_file():
                    try:
                        target = self.record(f"{folder.rel}/{path.name}")
                    except ApiError:
                        continue          # not a record's name: `make check` names it
                    entries.append(self._entry(target))
        return self.bridge.response_to_browser("entriesByFolder", entries)

    def do_entriesByFiles(self, params: dict):
        files = params.get("files")
        if not isinstance(files, list) or not all(isinstance(f, dict) for f in files):
            raise ApiError(400, "请求无法识别：files 应为文件列表")
        entries = [self._entry(self.record(f.get("path")), f.get("label")) for f in files]
        return self.bridge.response_to_browser("entriesByFiles", entries)

    def do_getEntry(self, params: dict):
        return self.bridge.response_to_browser("getEntry", self._entry(self.record(params.get("path"))))

    def do_getMedia(self, params: dict):
        folder = self.folder(params.get("mediaFolder"), media=True)
        found = []
        if folder.path.is_dir():
            for path in sorted(folder.path.iterdir()):
                if path.suffix.lower() in MEDIA_SUFFIX_SET and not path.is_symlink() and path.is_file():
                    try:
                        found.append(self._media_file(self.media(f"{folder.rel}/{path.name}")))
                    except ApiError:
                        continue
        return found

    def do_getMediaFile(self, params: dict):
        target = self.media(params.get("path"))
        if not target.path.is_file():
            raise ApiError(404, f"找不到文件：{target.rel}")
        return self._media_file(target)

    def do_persistMedia(self, params: dict):
        asset = params.get("asset")
        if not isinstance(asset, dict):
            raise ApiError(400, "请求无法识别：缺少要上传的文件（asset）")
        target, data = self._prepare_asset(asset)
        self.before_write([], [(target, data)])
        self._write_media(target, data)
        return self._media_file(target)

    def do_persistEntry(self, params: dict):
        data_files = params.get("dataFiles")
        if data_files is None and params.get("entry") is not None:
            data_files = [params["entry"]]
        assets = params.get("assets") or []
        if not isinstance(data_files, list) or not all(isinstance(f, dict) for f in data_files):
            raise ApiError(400, "请求无法识别：缺少要保存的记录（dataFiles）")
        if not isinstance(assets, list) or not all(isinstance(a, dict) for a in assets):
            raise ApiError(400, "请求无法识别：assets 应为文件列表")
        # Everything checked before anything is written.
        records = []
        for data_file in data_files:
            target = self.record(data_file.get("path"))
            raw = _text(data_file, "raw")
            new = self.record(data_file["newPath"]) if data_file.get("newPath") is not None else None
            records.append((target, raw, new))
        prepared = [self._prepare_asset(a) for a in assets]
        renamed = {a["path"]: t.rel for a, (t, _) in zip(assets, prepared) if a["path"] != t.rel}
        texts = []
        for target, raw, new in records:
            for old, now in renamed.items():
                raw = re.sub(rf"(?<![\w./-]){re.escape(old)}(?![\w.-])", now, raw)
            dest = new or target
            try:
                texts.append((dest, self.bridge.record_to_disk(dest.rel, raw, self.fixed_fields(target, raw)),
                              target if new else None))
            except Refused as e:
                raise ApiError(409, str(e)) from None
        self.before_write(texts, prepared)
        for target, data in prepared:
            self._write_media(target, data)
        for dest, text, moved_from in texts:
            if moved_from is not None and dest.path.exists():
                raise ApiError(409, f"{dest.rel} 已存在：编号全站唯一，请换一个")
            dest.path.parent.mkdir(parents=True, exist_ok=True)
            write_atomic(dest.path, text.encode("utf-8"))
            if moved_from is not None:
                moved_from.path.unlink(missing_ok=True)
        self.bridge.note_writes([d.rel for d, _, _ in texts] + [t.rel for t, _ in prepared])
        return {"message": "entry persisted", "assets": [{"path": t.rel} for t, _ in prepared]}

    def do_deleteFile(self, params: dict):
        self._delete([self.any_file(params.get("path"))])
        return {"message": "deleted"}

    def do_deleteFiles(self, params: dict):
        paths = params.get("paths")
        if not isinstance(paths, list) or not paths:
            raise ApiError(400, "请求无法识别：paths 应为文件列表")
        self._delete([self.any_file(p) for p in paths])
        return {"message": "deleted"}

    # --- what a server in front of the backend decides (the newsroom) ----------

    def fixed_fields(self, target: Target, raw: str) -> dict | None:
        """Fields of the record at target that the form does not decide
        (bridge.record_to_disk's `fixed`); the workbench: none."""
        return None

    def before_write(self, records: list[tuple[Target, str, Target | None]],
                     assets: list[tuple[Target, bytes]]) -> None:
        """Called once everything of a save is checked, before anything is
        written: [(file, its text, the file it moves from or None)], [(media
        file, its bytes)]; raises ApiError to refuse the save. The workbench: no more rules."""

    def before_delete(self, targets: list[Target]) -> None:
        """Called before files are deleted; raises ApiError to refuse."""

    # --- the parts ---------------------------------------------------------------

    def _entry(self, target: Target, label: object = None) -> dict:
        file = {"path": target.rel, "label": label if isinstance(label, str) else None, "id": None}
        try:
            content = read_plain(target.path)
        except OSError:
            return {"data": None, "file": file}
        file["id"] = content_hash(content)
        return {"data": content.decode("utf-8", errors="replace"), "file": file}

    def _media_file(self, target: Target) -> dict:
        try:
            size = target.path.lstat()
            if size.st_size > MAX_FILE:
                # A film copied in by hand: listed so that the form can choose
                # it, not read (nor sent to the browser) each time.
                content, key = b"", f"{size.st_size}:{size.st_mtime_ns}".encode()
            else:
                content = key = read_plain(target.path)
        except OSError as e:
            raise ApiError(404, f"无法读取 {target.rel}（{e.strerror}）") from None
        return {"id": content_hash(key), "content": base64.b64encode(content).decode("ascii"),
                "encoding": "base64", "path": target.rel, "name": target.path.name}

    def _prepare_asset(self, asset: dict) -> tuple[Target, bytes]:
        """The upload's final place (its name given its hash) and bytes (a
        photo cleaned); refused if it would replace a different file."""
        given = self.media(asset.get("path"))
        if asset.get("encoding", "base64") != "base64":
            raise ApiError(400, "上传的文件编码不对：应为 base64")
        content = _text(asset, "content")
        if len(content) > (MAX_FILE * 4 // 3) + 4:
            raise ApiError(413, f"文件过大（超过 {MAX_FILE_MB} MB）：{given.rel}")
        try:
            data = base64.b64decode(content, validate=True)
        except (binascii.Error, ValueError):
            raise ApiError(400, f"上传的文件内容无法识别（不是有效的 base64）：{given.rel}") from None
        if len(data) > MAX_FILE:
            raise ApiError(413, f"文件过大（超过 {MAX_FILE_MB} MB）：{given.rel}")
        rel = PurePosixPath(given.rel)
        target = self.media(str(rel.with_name(hashed_name(rel.name, data))))
        if is_photo(rel.name, data):
            try:
                data = clean(data)
            except NotAPhoto as e:
                raise ApiError(422, f"{rel.name}：{e}") from None
        if target.path.exists():
            try:
                same = read_plain(target.path) == data
            except OSError:
                same = False
            if not same:
                raise ApiError(409, self._in_use_message(target.rel, "已有另一个同名文件") + "：请换一个文件名再上传")
        return target, data

    def _write_media(self, target: Target, data: bytes) -> None:
        if target.path.exists() and read_plain(target.path) == data:
            return              # the same photo again: nothing to write
        target.path.parent.mkdir(parents=True, exist_ok=True)
        if target.path.parent.resolve() != self.real_root / PurePosixPath(target.rel).parent:
            raise forbidden(target.rel, "文件夹是指向别处的链接")
        write_atomic(target.path, data)
        self.bridge.note_writes([target.rel])

    def _delete(self, targets: list[Target]) -> None:
        if any(t.rel == self.settings_file for t in targets):
            raise forbidden(self.settings_file, "网站设置不能删除")
        self.before_delete(targets)
        for target in targets:
            if target.kind is None and target.path.exists() and media_users(self.root, self.schema, target.rel):
                raise ApiError(409, self._in_use_message(target.rel, "不能删除"))
        for target in targets:
            target.path.unlink(missing_ok=True)
        self.bridge.note_writes([t.rel for t in targets])

    def _in_use_message(self, rel: str, what: str) -> str:
        users = media_users(self.root, self.schema, rel)
        named = "、".join(f"{title}（{path}）" for path, title in users)
        return f"{rel} {what}" + (f"，它被这些记录使用：{named}" if named else "")


def _text(params: dict, name: str) -> str:
    value = params.get(name)
    if not isinstance(value, str):
        raise ApiError(400, f"请求无法识别：{name} 应为文字")
    return value


def record_title(kind: Kind, rel: str, text: str) -> str:
    try:
        records, _ = parse_file(kind, rel, text.replace("\r\n", "\n"), PurePosixPath(rel).stem)
    except YamlFault:
        records = []
    return records[0].title if records else PurePosixPath(rel).stem


def media_users(root: Path, schema: Schema, rel: str) -> list[tuple[str, str]]:
    """The records whose files name a media file: [(record path, title)]."""
    pattern = re.compile(rf"(?<![\w./-])/?{re.escape(rel)}(?![\w.-])")
    found = []
    for kind in schema.kinds.values():
        for path in sorted(root.glob(kind.path)):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if pattern.search(text):
                record_rel = path.relative_to(root).as_posix()
                found.append((record_rel, record_title(kind, record_rel, text)))
    return found
