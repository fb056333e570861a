"""编辑稿件: the editors' workbench's forms in the browser, behind the
newsroom's login (issue #21).

/edit/ serves the workbench's own page (scripts/editor/cms, Decap CMS from
tools/decap, the forms generated from the model by decap.py) to holders of
撰稿 or 编辑, and /edit/api/v1 answers Decap's actions with the workbench's
file backend (scripts/editor/files.py: only record and media files, atomic
writes, photos cleaned, upload names hashed, media in use kept), plus:

- who: an editor (编辑) reads and writes every record; a contributor (撰稿)
  only those of their units, by the rule of 三审 (review.owns: a news post
  is theirs when its 作者 names them, or they submitted it first), and new
  records only for their units. Photos may be uploaded by both; deleted by
  editors only.
- status and review are the newsroom's, never the form's: the form does not
  show them, and the server writes the file's current values whatever the
  request holds (a new record is a draft). A change of the content of a
  record under review or published puts it back to draft and clears its
  signatures, the thread of comments kept, and says so in the answer
  (`note`): a signature covers the content it was given, and a changed text
  must be reviewed again. A save that changes nothing of the signed content
  keeps the status.
- every accepted write (a record with its photos, a photo, a deletion) is
  one git commit authored by the signed-in person (`张三 <zhangsan@newsroom>`),
  its message made as `make save` makes it (save.message), under the
  repository's lock; a file with changes not in git is refused, as the
  review actions refuse it.
- conflicts: the session remembers the hash of each record file as the
  form last read it (getEntry); a save of a file that changed since is
  refused (409) with who changed it, when, and a diff from the version it
  read (found in git history) to the current one; a save of a record the
  session never opened does not replace an existing file.

The CSRF token: Decap's requests carry none, so /edit/api/info gives it to
the page (same-origin JSON) and workbench.js adds it as X-CSRFToken to
every request to /edit/api/; Django's CsrfViewMiddleware refuses a POST
without it (and checks Origin).

The preview pane shows the record's problems, a link to its item page, and,
when the newsroom runs its live preview (NEWSROOM_PREVIEW, preview.py), the
record's real page in a frame: /edit/api/info gives the preview's prefix,
/edit/api/record the page's address and whether the preview has caught up
with the file's last save (the pane waits, then reloads the frame). One
preview for everyone: it shows the repository, where every save is.
"""
from __future__ import annotations

import difflib
import functools
import hashlib
import datetime as dt
import logging
import subprocess
import threading
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.middleware.csrf import get_token
from django.urls import path, re_path, reverse
from django.views.decorators.http import require_GET, require_POST

from ..check import check_repository, errors
from ..editor import save as editor_save
from ..editor.bridge import Bridge, Refused
from ..editor.decap import MAX_FILE_MB, config_text
from ..editor.files import ApiError, Files, Target, content_hash, read_plain, write_atomic
from ..editor.new import pinyin_id, unique_id
from ..editor.workbench import API_POLICY, MAX_BODY, FILES_PER_SAVE, cms_file, decode_json, page_policy
from ..records.loader import Record, parse_file, read_repository
from ..records.schema import schema_for
from ..records.signatures import content_hash as signed_hash
from ..records.yaml_reader import YamlFault
from . import preview, repository, review
from .review import TZ, Person
from .roles import CONTRIBUTOR, EDITOR
from .access import may_read, person_of

log = logging.getLogger(__name__)
EDIT_ROLES = frozenset({CONTRIBUTOR, EDITOR})
MANAGED = ("status", "review")           # fields the newsroom decides, never the form
SEEN = "edit_seen"                       # session key: {record path: sha256 as the form read it}
WRITES = ("persistEntry", "persistMedia", "deleteFile", "deleteFiles")
HISTORY = 50                             # commits searched for the version a form read
PAGE_FILES = ("", "init.js", "workbench.js", "workbench.css")


class Conflict(ApiError):
    """A save refused because the file changed since the form read it."""

    def __init__(self, message: str, diff: str):
        super().__init__(409, message)
        self.diff = diff


def _root() -> Path:
    return settings.NEWSROOM_REPO


def _answer(status: int, data) -> JsonResponse:
    response = JsonResponse(data, status=status, safe=False, json_dumps_params={"ensure_ascii": False})
    response["Cache-Control"] = "no-store"
    response["Content-Security-Policy"] = API_POLICY
    return response


def editing_required(api: bool):
    """A session of a 撰稿 or 编辑 (the API answers JSON, the page redirects to the login)."""
    def wrap(view):
        @functools.wraps(view)
        def inner(request, *args, **kwargs):
            if not request.user.is_authenticated:
                if api:
                    return _answer(403, {"error": "请先登录审稿系统（登录已过期时，请刷新页面重新登录）"})
                return redirect_to_login(request.get_full_path())
            person = person_of(request.user)
            if not person.roles & EDIT_ROLES:
                message = "编辑稿件需要“撰稿”或“编辑”角色，请联系管理员"
                if api:
                    return _answer(403, {"error": message})
                from .views import refused
                return refused(request, message)
            request.person = person
            return view(request, *args, **kwargs)
        return inner
    return wrap


# --- the page -------------------------------------------------------------------

@editing_required(api=False)
@require_GET
def page(request, name: str = ""):
    """The workbench's page, its scripts and Decap's, as `make edit` serves them."""
    found = cms_file(name)
    if found is None:
        raise Http404
    response = FileResponse(open(found[0], "rb"), content_type=found[1])
    # Decap's bundle (5 MB) is the same for everyone until an upgrade.
    response["Cache-Control"] = "no-store" if name in PAGE_FILES else "private, max-age=3600"
    response["Content-Security-Policy"] = page_policy("")
    response["X-Frame-Options"] = "DENY"
    return response


@editing_required(api=False)
@require_GET
def config(request):
    text = config_text(_root(), proxy_url=reverse("newsroom:edit_api"), managed=MANAGED)
    response = HttpResponse(text.encode("utf-8"), content_type="text/yaml; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response


# --- what the page's widgets and pane ask ------------------------------------------

@editing_required(api=True)
@require_GET
def info(request):
    return _answer(200, {"preview": preview.prefix() if preview.address() else "",
                         "kinds": list(schema_for(_root()).kinds), "max_file_mb": MAX_FILE_MB,
                         "csrf": get_token(request)})


@editing_required(api=True)
@require_GET
def records(request):
    """Ids and titles for the reference widgets: a contributor's readable
    records and the published ones (public anyway)."""
    kinds = [k for k in request.GET.get("kinds", "").split(",") if k]
    person = request.person
    out = []
    for r in read_repository(_root()).records:
        if kinds and r.kind.name not in kinds:
            continue
        if EDITOR in person.roles or r.status == "published" or may_read(person, r):
            out.append({"id": r.id, "title": r.title, "kind": r.kind.name, "label": r.kind.label})
    return _answer(200, out)


@editing_required(api=True)
@require_GET
def new_id(request):
    name = request.GET.get("name", "")
    taken = {r.id for r in read_repository(_root()).records}
    return _answer(200, {"id": unique_id(pinyin_id(name), taken) if name.strip() else ""})


_checked: dict[str, tuple[str, list]] = {}
_check_lock = threading.Lock()


def _problems(root: Path) -> list:
    """The project's check, once per state of the repository (its commit and
    the files git sees changed): each save is a commit."""
    state = repository._git(root, "rev-parse", "HEAD").stdout + \
        repository._git(root, "status", "--porcelain", "--untracked-files=all").stdout
    key = hashlib.sha256(state.encode("utf-8")).hexdigest()
    with _check_lock:
        if _checked.get(str(root), ("",))[0] != key:
            _checked[str(root)] = (key, check_repository(root)[1])
        return _checked[str(root)][1]


@editing_required(api=True)
@require_GET
def record(request):
    """For the preview pane: the record's problems, its item page, and its
    page in the live preview once the preview shows the file as saved."""
    try:
        files = NewsroomFiles(_root(), request.person, {})
        target = files.record(request.GET.get("path", ""))
        files.check_read(target)
    except ApiError as e:
        return _answer(e.status, {"error": str(e)})
    exists = target.path.is_file()
    rid = PurePosixPath(target.rel).stem
    url = preview.record_url(files.root, request.person, target.kind, rid) if exists else ""
    if url and not preview.caught_up_with(files.root, target.rel):
        return _answer(200, {"path": target.rel, "ready": False})
    item = ""
    if exists and target.kind.name in repository.workflow_kinds(files.root):
        item = reverse("newsroom:item", args=[target.kind.name, rid])
    found = _problems(files.root)
    return _answer(200, {
        "path": target.rel, "ready": True, "url": url, "item": item, "exists": exists,
        "problems": [{"line": p.line, "field": p.field, "message": p.message, "level": p.level}
                     for p in found if p.path == target.rel],
        "elsewhere": sum(p.level == "error" and p.path != target.rel for p in found)})


# --- Decap's actions ----------------------------------------------------------------

@editing_required(api=True)
@require_POST
def api(request):
    person = request.person
    try:
        if request.content_type != "application/json":
            raise ApiError(415, "请求格式不对：应为 JSON（Content-Type: application/json）")
        length = request.META.get("CONTENT_LENGTH") or ""
        if not length.isdigit():
            raise ApiError(411, "请求缺少 Content-Length")
        if int(length) > MAX_BODY:
            raise ApiError(413, f"文件过大（超过 {MAX_FILE_MB} MB），或一次保存的文件合计超过 "
                                f"{FILES_PER_SAVE * MAX_FILE_MB} MB：请分几次上传")
        # request.read(), not request.body: a photo is bigger than Django's
        # form limit (DATA_UPLOAD_MAX_MEMORY_SIZE), and the size is checked above.
        body = decode_json(request.read())
        action = body.get("action") if isinstance(body, dict) else None
        seen = dict(request.session.get(SEEN) or {})
        files = NewsroomFiles(_root(), person, seen)
        if action in WRITES:
            with repository.locked(settings.NEWSROOM_DATA / "repository.lock"):
                try:
                    status, data = files.handle(body)
                    commit = files.commit()
                except BaseException:
                    # A save refused or failing after its photos were written
                    # leaves nothing behind (nor uncommitted, in the next one's way).
                    files.rollback()
                    raise
            if commit:
                log.info("%s %s：%s", person.account, action, commit)
        else:
            status, data = files.handle(body)
        if isinstance(data, dict) and files.notes:
            data = {**data, "note": "\n".join(files.notes)}
        if seen != request.session.get(SEEN):
            request.session[SEEN] = seen
    except Conflict as e:
        status, data = e.status, {"error": str(e), "diff": e.diff}
    except ApiError as e:
        status, data = e.status, {"error": str(e)}
    except repository.RepositoryError as e:
        status, data = 409, {"error": str(e)}
    except OSError as e:
        log.error("编辑稿件时无法读写文件：%s", e)
        status, data = 500, {"error": f"无法读写文件（{e.strerror or e}）"}
    return _answer(status, data)


class NewsroomFiles(Files):
    """The workbench's file backend, for one person and their session's
    record of what their forms read (seen: path → sha256, updated in place)."""

    def __init__(self, root: Path, person: Person, seen: dict):
        schema = schema_for(root)
        super().__init__(root, schema, Bridge(root, schema))
        self.person, self.seen = person, seen
        self.editor = EDITOR in person.roles
        self.workflow = repository.workflow_kinds(root)
        self.notes: list[str] = []
        self.originals: dict[str, bytes | None] = {}     # what a write replaces, for its commit

    # --- who may read and write what --------------------------------------------

    def _read_record(self, target: Target) -> Record | None:
        try:
            return self._parse(target, read_plain(target.path).decode("utf-8"))
        except (OSError, UnicodeDecodeError):
            return None

    def _parse(self, target: Target, text: str) -> Record | None:
        try:
            found, _ = parse_file(target.kind, target.rel, text.replace("\r\n", "\n"), PurePosixPath(target.rel).stem)
        except YamlFault:
            return None
        return found[0] if found else None

    def _owns(self, record: Record) -> bool:
        if self.editor:
            return True
        if record.kind.name not in self.workflow:
            return False
        return review.owns(self.person, record, repository.record_units(self.root, record))

    def check_read(self, target: Target) -> None:
        if self.editor or not target.path.exists():
            return
        record = self._read_record(target)
        if record is None or not may_read(self.person, record):
            raise ApiError(403, f"只能查看本单位的稿件（工作动态：本人撰写的）：{target.rel} 不属于您所在的单位")

    def _refuse_write(self, record: Record, rel: str) -> ApiError:
        if record.kind.name == "news" and record.kind.name in self.workflow:
            return ApiError(403, f"只能修改本单位的稿件：工作动态的“作者”须写明您的姓名（{self.person.name}），"
                                 f"别人撰写或已由别人送审的工作动态不能修改（{rel}）")
        if record.kind.name not in self.workflow:
            return ApiError(403, f"{record.kind.label}只能由编辑修改（{rel}）")
        return ApiError(403, f"只能修改本单位的稿件：{rel} 不属于您所在的单位"
                             f"（您的单位：{'、'.join(sorted(self.person.units)) or '未设置，请联系管理员'}）")

    # --- reads ---------------------------------------------------------------------

    def do_entriesByFolder(self, params: dict):
        entries = super().do_entriesByFolder(params)
        if self.editor:
            return entries
        shown = []
        for entry in entries:
            try:
                self.check_read(self.record(entry["file"]["path"]))
            except ApiError:
                continue
            shown.append(entry)
        return shown

    def do_entriesByFiles(self, params: dict):
        for f in params.get("files") or []:
            if isinstance(f, dict):
                self.check_read(self.record(f.get("path")))
        entries = super().do_entriesByFiles(params)
        for entry in entries:
            self._remember(entry)
        return entries

    def do_getEntry(self, params: dict):
        self.check_read(self.record(params.get("path")))
        entry = super().do_getEntry(params)
        self._remember(entry)
        return entry

    def _remember(self, entry: dict) -> None:
        """What the form now holds: the file as read (its id is the hash)."""
        file = entry.get("file") or {}
        if file.get("id"):
            self.seen[file["path"]] = file["id"]
        else:
            self.seen.pop(file.get("path"), None)

    # --- writes --------------------------------------------------------------------

    def fixed_fields(self, target: Target, raw: str) -> dict | None:
        kind = target.kind
        managed = [k for k in MANAGED if k in kind.fields]
        if not managed:
            return None
        old = self._read_record(target) if target.path.exists() else None
        if old is None:
            # A new record (or one whose file does not parse: refused later).
            return {"status": "draft" if kind.name in self.workflow else None, "review": None}
        fixed = {k: old.data.get(k) for k in managed}
        if fixed.get("status") in ("review", "published") and kind.name in self.workflow:
            try:
                new = self._parse(target, self.bridge.record_to_disk(target.rel, raw, fixed))
            except Refused:
                new = None              # the save itself reports it
            if new is not None and signed_hash(new) != signed_hash(old):
                kept = review.thread(old)
                fixed = {"status": "draft", "review": {"thread": kept} if kept else None}
                self.notes.append(
                    f"《{old.title}》原为“{old.kind.fields['status'].value_label(old.status)}”，内容修改后已回到草稿，原有的审核签名已清除："
                    f"修改后的内容须重新送审、重新通过三审" +
                    ("（网站下次发布时不再显示它，直到重新通过终审）" if old.status == "published" else "") + "。")
        return fixed

    def before_write(self, records, assets) -> None:
        for dest, text, moved_from in records:
            source = moved_from or dest
            if source.path.exists():
                old = self._read_record(source)
                if old is None:
                    raise ApiError(409, f"{source.rel} 格式有误，无法在这里修改：请联系编辑改正（make check）")
                if not self._owns(old):
                    raise self._refuse_write(old, source.rel)
                self._no_conflict(source)
            elif self.seen.get(source.rel):
                raise ApiError(409, f"这条记录在你打开之后已被删除（{source.rel}）：你的修改没有保存")
            new = self._parse(dest, text)
            if new is None:
                raise ApiError(409, f"无法读取表单内容：{dest.rel}")
            if not self._owns(new):
                raise self._refuse_write(new, dest.rel)
        paths = [p for d, _, m in records for p in (d, m) if p is not None] + [t for t, _ in assets]
        self._keep_originals(paths)

    def before_delete(self, targets: list[Target]) -> None:
        for target in targets:
            if target.kind is None:
                if not self.editor:
                    raise ApiError(403, f"照片和文件只有编辑能删除：{target.rel}")
                continue
            if not target.path.exists():
                continue
            old = self._read_record(target)
            if not self.editor:
                if old is None or not self._owns(old):
                    raise self._refuse_write(old, target.rel) if old else ApiError(403, f"不能删除 {target.rel}")
                if old.status != "draft":
                    raise ApiError(403, f"《{old.title}》已送审或已发布，不能删除：请联系编辑")
            self._no_conflict(target)
        self._keep_originals(targets)

    def _no_conflict(self, target: Target) -> None:
        """Refuse a change of a file that is not as this person's form read it."""
        current = read_plain(target.path)
        known = self.seen.get(target.rel)
        if known is None:
            raise ApiError(409, f"已有编号为“{target.path.stem}”的记录（{target.rel}），而你没有打开过它："
                                f"为免覆盖别人的稿件，没有保存。新建请换一个编号；要修改它，请从列表中打开后再改")
        if known == content_hash(current):
            return
        who, when = self._last_change(target.rel)
        before = self._version(target.rel, known)
        diff = "".join(difflib.unified_diff(
            before.decode("utf-8", "replace").splitlines(keepends=True),
            current.decode("utf-8", "replace").splitlines(keepends=True),
            fromfile=f"{target.rel}（你打开时）", tofile=f"{target.rel}（现在）")) if before is not None else ""
        raise Conflict(f"这条记录在你打开之后已被 {who} 修改（{when}），你的修改没有保存，以免覆盖对方的修改。"
                       + ("下面是这期间的改动（- 删去的，+ 新增的）。" if diff else "") +
                       "请先复制你改动的内容，重新打开这条记录（刷新页面），再改一次。", diff)

    def _last_change(self, rel: str) -> tuple[str, str]:
        if repository._git(self.root, "status", "--porcelain", "--", rel).stdout.strip():
            return "他人（尚未提交到 git 的修改）", "时间不详"
        out = repository._git(self.root, "log", "-1", "--format=%an%x09%aI", "--", rel).stdout.strip()
        name, _, iso = out.partition("\t")
        try:
            when = dt.datetime.fromisoformat(iso).astimezone(TZ).strftime("%Y-%m-%d %H:%M")
        except ValueError:
            when = "时间不详"
        return name or "他人", when

    def _version(self, rel: str, digest: str) -> bytes | None:
        """The file's content with this sha256, from its recent history."""
        commits = repository._git(self.root, "log", f"-{HISTORY}", "--format=%H", "--", rel).stdout.split()
        for commit in commits:
            shown = _git_show(self.root, f"{commit}:{rel}")
            if shown is not None and content_hash(shown) == digest:
                return shown
        return None

    def _keep_originals(self, targets: list[Target]) -> None:
        rels = sorted({t.rel for t in targets} - set(self.originals))
        if not rels:
            return
        dirty = repository._git(self.root, "status", "--porcelain", "--untracked-files=all", "--", *rels)
        if dirty.returncode != 0:
            raise ApiError(500, f"无法读取仓库的 git 状态：{dirty.stderr.strip()[:300]}")
        if dirty.stdout.strip():
            names = "、".join(line[3:] for line in dirty.stdout.splitlines())
            raise ApiError(409, f"{names} 有尚未提交到 git 的修改（或尚未加入 git）：那是别人的工作，"
                                f"为免记在您的名下，没有保存；请先由编辑提交（make save）")
        for rel in rels:
            path = self.root / rel
            self.originals[rel] = read_plain(path) if path.is_file() else None

    def commit(self) -> str | None:
        """The writes of this request as one commit authored by the person
        (None when nothing changed); the files restored if git refuses."""
        changed = []
        for rel, old in sorted(self.originals.items()):
            path = self.root / rel
            now = read_plain(path) if path.is_file() else None
            if now != old:
                changed.append(editor_save.Change("A" if old is None else "D" if now is None else "M", rel))
        if not changed:
            return None
        self._refuse_errors([c.path for c in changed if c.action != "D" and self.schema.kind_for_path(c.path)])
        message = editor_save.message(self.root, self.schema, changed)
        rels = [c.path for c in changed]
        author = repository.author_of(self.person.name, self.person.account)
        for args in (("add", "-A", "--", *rels),
                     ("commit", "--quiet", "--no-gpg-sign", f"--author={author}", "-m", message, "--", *rels)):
            done = repository._git(self.root, *args)
            if done.returncode != 0:
                self._restore(rels)
                raise ApiError(500, f"提交到 git 失败，文件已恢复原样：{(done.stderr or done.stdout).strip()[:300]}")
        # What the person's form now holds is what was written.
        for change in changed:
            if self.schema.kind_for_path(change.path):
                if change.action == "D":
                    self.seen.pop(change.path, None)
                else:
                    self.seen[change.path] = content_hash(read_plain(self.root / change.path))
        return message.splitlines()[0]

    def _refuse_errors(self, rels: list[str]) -> None:
        """A record saved with errors of its own is not committed (`make save`
        would not either): the files go back, and the errors are listed."""
        if not rels:
            return
        bad = [p for p in errors(check_repository(self.root)[1]) if p.path in rels]
        if bad:
            self._restore(sorted(self.originals))
            listed = "；".join(f"{p.path} 第 {p.line} 行" + (f" · {p.field}" if p.field else "") + f"：{p.message}"
                              for p in bad[:10])
            raise ApiError(422, f"没有保存：发现 {len(bad)} 个错误，请改正后再保存。{listed}")

    def rollback(self) -> None:
        """The files this request changed, back as they were."""
        changed = []
        for rel, old in self.originals.items():
            path = self.root / rel
            try:
                now = read_plain(path) if path.is_file() else None
            except OSError:
                now = b""
            if now != old:
                changed.append(rel)
        if changed:
            self._restore(changed)

    def _restore(self, rels: list[str]) -> None:
        for rel in rels:
            old, path = self.originals[rel], self.root / rel
            if old is None:
                path.unlink(missing_ok=True)
            else:
                write_atomic(path, old)
        repository._git(self.root, "reset", "-q", "--", *rels)


def _git_show(root: Path, spec: str) -> bytes | None:
    done = subprocess.run(["git", "-C", str(root), "show", spec], capture_output=True)
    return done.stdout if done.returncode == 0 else None


urlpatterns = [
    path("", page, name="edit"),
    path("config.yml", config, name="edit_config"),
    path("api/v1", api, name="edit_api"),
    path("api/info", info, name="edit_info"),
    path("api/record", record, name="edit_record"),
    path("api/records", records, name="edit_records"),
    path("api/new-id", new_id, name="edit_new_id"),
    re_path(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9.-]*\.(?:js|css))$", page, name="edit_file"),
]
