"""The newsroom's pages: 我的稿件, the queues of 初审/复审/终审, and one page
per item with its record, its thread and the actions the person may take.

Every page needs a session (login_required); every action is a POST with
Django's CSRF token, checked again by the rules (review.py) under the
repository's lock on the record as it is in its file at that moment, then
written and committed (repository.py). No JavaScript.
"""
from __future__ import annotations

import functools
import logging

import yaml
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET, require_POST

from ..problems import InputError
from ..records.loader import Record
from ..records.signatures import STAGE_LABELS, STAGES, load_private_key, newsroom_key
from . import preview as preview_pages, publishing, repository, review
from .access import may_read, person_of
from .review import Person, Refused
from .roles import PUBLISHERS, STAGE_ROLE

log = logging.getLogger(__name__)
ACTION_VERBS = {"submit": "送审", "approve": "通过", "return": "退回"}


def _root():
    return settings.NEWSROOM_REPO


def refused(request, message: str, status: int = 403) -> HttpResponse:
    return HttpResponse(render_to_string("newsroom/refused.html", {"message": message}, request),
                        status=status)


def csrf_failure(request, reason=""):
    return refused(request, "请求未通过安全校验（表单已过期，或不是从本系统的页面提交的）。"
                            "请回到审稿系统的页面，刷新后再操作。")


def _row(record: Record) -> dict:
    # Plain values: Django's templates would look record.title up as record["title"].
    return {"title": record.title, "id": record.id, "kind": record.kind.name, "kind_label": record.kind.label,
            "status": record.kind.fields["status"].value_label(record.status),
            "pending": STAGE_LABELS.get(review.pending_stage(record) or "", ""),
            "submitter": _submitter_name(record)}


def _submitter_name(record: Record) -> str:
    for note in reversed(review.thread(record)):
        if note.get("action") == review.SUBMIT:
            return str(note.get("by") or note.get("account") or "")
    return ""


def _members(records: list[Record]) -> dict[str, Record]:
    return {r.id: r for r in records if r.kind.name == "member"}


@login_required
@require_GET
def home(request):
    return redirect("newsroom:mine")


@login_required
@require_GET
def mine(request):
    person = person_of(request.user)
    records = repository.records(_root())
    members = _members(records)
    drafts, submitted = [], []
    for r in records:
        if person.account in review.submitters(r):
            submitted.append(_row(r))
        elif r.status == "draft":
            try:
                review.may_submit(person, r, repository.record_units(_root(), r, members))
            except Refused:
                continue
            drafts.append(_row(r))
    return render(request, "newsroom/mine.html", {"person": person, "drafts": drafts, "submitted": submitted,
                                                  "queues": _queues(person)})


def _queues(person: Person) -> list[dict]:
    return [{"stage": s, "label": STAGE_LABELS[s]} for s in STAGES if STAGE_ROLE[s] in person.roles]


@login_required
@require_GET
def queue(request, stage: str):
    if stage not in STAGES:
        raise Http404
    person = person_of(request.user)
    if STAGE_ROLE[stage] not in person.roles:
        return refused(request, f"只有持有“{STAGE_ROLE[stage]}”角色的人才能查看{STAGE_LABELS[stage]}队列")
    records = repository.records(_root())
    rows = []
    for r in records:
        if review.pending_stage(r) != stage:
            continue
        row = _row(r)
        try:
            review.may_approve(person, r)
            row["why_not"] = ""
        except Refused as e:
            row["why_not"] = str(e)
        rows.append(row)
    return render(request, "newsroom/queue.html", {"person": person, "stage": stage, "label": STAGE_LABELS[stage],
                                                   "rows": rows, "queues": _queues(person)})


def _display(value) -> str:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list) and all(not isinstance(v, (dict, list)) for v in value):
        return "、".join(str(v) for v in value)
    if isinstance(value, (dict, list)):
        return yaml.safe_dump(value, allow_unicode=True, sort_keys=False, width=1 << 20).strip()
    return str(value)


def _load(kind: str, rid: str) -> Record:
    record = repository.find_record(_root(), kind, rid)
    if record is None:
        raise Http404("没有这篇稿件")
    return record


def _actions(person: Person, record: Record) -> dict:
    units = repository.record_units(_root(), record)
    allowed = {}
    for name, check in (("submit", lambda: review.may_submit(person, record, units)),
                        ("approve", lambda: review.may_approve(person, record)),
                        ("return", lambda: review.may_return(person, record))):
        try:
            check()
            allowed[name] = True
        except Refused:
            allowed[name] = False
    return allowed


@login_required
@require_GET
def item(request, kind: str, rid: str):
    person = person_of(request.user)
    try:
        record = _load(kind, rid)
    except repository.RepositoryError as e:
        return refused(request, str(e), status=409)
    if not may_read(person, record):
        return refused(request, "只能查看本单位的稿件")
    skip = {"review", "status"}
    fields = [(f.label or name, _display(record[name])) for name, f in record.kind.fields.items()
              if name not in skip and record[name] not in (None, "", [], {})]
    pending = review.pending_stage(record)
    preview = preview_pages.record_url(_root(), person, record.kind, record.id)
    stages = [{"label": STAGE_LABELS[s], **b} for s, b in review.signed_stages(record).items()]
    notes = [{**n, "stage_label": STAGE_LABELS.get(str(n.get("stage")), "")} for n in review.thread(record)]
    response = render(request, "newsroom/item.html", {
        "person": person, "title": record.title, "id": record.id, "path": record.path,
        "kind": record.kind.name, "kind_label": record.kind.label, "fields": fields, "body": record.body.strip("\n"),
        "status": record.kind.fields["status"].value_label(record.status), "pending": pending,
        "pending_label": STAGE_LABELS.get(pending or "", ""), "stages": stages, "thread": notes,
        "actions": _actions(person, record), "preview": preview, "queues": _queues(person),
        "publication": _publication(record)})
    if preview:
        # The record's real page in a frame: the preview, of this origin (preview.py).
        response["Content-Security-Policy"] = settings.NEWSROOM_CSP + "; frame-src 'self'"
    return response


def _place() -> publishing.Place:
    return publishing.Place(_root(), settings.NEWSROOM_DATA, settings.NEWSROOM.deploy_target)


def _shown_time(text) -> str:
    return str(text or "").replace("T", " ").removesuffix("+08:00")


def _publication(record: Record) -> dict | None:
    """What the item page says of the site after 终审 (publishing.py)."""
    if record.status != "published":
        return None
    place = _place()
    if not place.enabled:
        return {"state": "off"}
    found = publishing.outcome(place.data, publishing.item_key(record.kind.name, record.id))
    if found is None:
        return {"state": "off"}
    return {**found, "finished": _shown_time(found.get("finished")), "busy": publishing.BUSY}


@functools.lru_cache(maxsize=4)
def _private_key(path: str, mtime_ns: int):
    return load_private_key(path)


def _signing_key():
    """The newsroom's private key, refused when newsroom.yml of the repository
    holds another public key (the signatures would not verify at check)."""
    path = settings.NEWSROOM_DATA / "newsroom_private_key.pem"
    try:
        key = _private_key(str(path), path.stat().st_mtime_ns)
    except (OSError, ValueError):
        raise Refused("审稿系统还没有签名密钥：请管理员运行 python -m scripts.newsroom init") from None
    try:
        public = newsroom_key(_root())
    except InputError as e:
        raise Refused(f"仓库的 newsroom.yml 有误：{e.problems[0]}") from None
    from cryptography.hazmat.primitives import serialization
    raw = serialization.Encoding.Raw, serialization.PublicFormat.Raw
    if public is None or public.public_bytes(*raw) != key.public_key().public_bytes(*raw):
        raise Refused("仓库的 newsroom.yml 中的公钥与审稿系统的签名密钥不符：请管理员运行 "
                      "python -m scripts.newsroom init 写入公钥并提交")
    return key


@login_required
@require_POST
def act(request, kind: str, rid: str):
    person = person_of(request.user)
    action = request.POST.get("action", "")
    if action not in ACTION_VERBS:
        return refused(request, "未知的操作", status=400)
    comment = request.POST.get("comment", "")
    expected = request.POST.get("stage") or None
    root = _root()
    try:
        with repository.locked(settings.NEWSROOM_DATA / "repository.lock"):
            record = _load(kind, rid)
            title = " ".join(record.title.split())   # one line in the commit's subject
            if action == "submit":
                data = review.submit(person, record, repository.record_units(root, record), comment)
                message = f"提交审核：{title}（撰稿：{person.name}）"
                done = "已送审"
            else:
                if expected is not None and expected not in STAGES:
                    return refused(request, "未知的审核阶段", status=400)
                author = _submitter_name(record) or "未记录"
                if action == "return":
                    stage = review.may_return(person, record, expected)
                    data = review.return_item(person, record, comment, expected)
                    message = f"{STAGE_LABELS[stage]}退回：{title}（撰稿：{author}）\n\n{data['review']['thread'][-1]['comment']}"
                    done = "已退回"
                else:
                    review.may_approve(person, record, expected)   # before touching the key
                    stage, data = review.approve(person, record, _signing_key(), comment, expected,
                                                 repository.as_written(root, record))
                    message = f"{STAGE_LABELS[stage]}通过：{title}（撰稿：{author}）"
                    done = f"{STAGE_LABELS[stage]}已通过"
            repository.commit_record(root, record, data, message, person.name, person.account)
            log.info("%s %s %s/%s", person.account, ACTION_VERBS[action], kind, rid)
            if action == "approve" and data["status"] == "published":
                review.on_final_approval(_load(kind, rid))
                publishing.after_final_approval(_place(), kind, rid, person.account)
    except Refused as e:
        return refused(request, str(e))
    except repository.RepositoryError as e:
        return refused(request, str(e), status=409)
    messages.success(request, f"{done}：{title}")
    return redirect("newsroom:item", kind=kind, rid=rid)


def may_publish(person: Person) -> bool:
    return bool(person.roles & PUBLISHERS)


def _publish_refusal(request, person: Person):
    if not may_publish(person):
        return refused(request, f"只有持有“{'”或“'.join(sorted(PUBLISHERS))}”角色的人才能发布网站或回退")
    if not _place().enabled:
        return refused(request, "审稿系统没有设置发布目标（NEWSROOM_DEPLOY_TARGET），不从这里发布网站："
                                "网站由管理员用 make publish 发布", status=409)
    return None


@login_required
@require_GET
def publish_page(request):
    person = person_of(request.user)
    refusal = _publish_refusal(request, person)
    if refusal:
        return refusal
    place = _place()
    try:
        listed, problem = publishing.releases(place), ""
    except publishing.PublishError as e:
        listed, problem = {"names": [], "switches": []}, str(e)
    last = publishing.outcome(place.data, publishing.SITE)
    if last:
        last = {**last, "finished": _shown_time(last.get("finished"))}
    return render(request, "newsroom/publish.html", {
        "person": person, "queues": _queues(person), "target": place.target, "problem": problem,
        "last": last, "busy": publishing.BUSY, "journal": publishing.journal_tail(place.data), **listed})


# How long the 发布整个网站 answer waits for the publish before saying it runs on.
PUBLISH_WAIT = 20


@login_required
@require_POST
def publish_action(request):
    person = person_of(request.user)
    refusal = _publish_refusal(request, person)
    if refusal:
        return refusal
    action = request.POST.get("action", "")
    place = _place()
    if action == "publish":
        thread = publishing.start(place, publishing.SITE, person.account)
        thread.join(PUBLISH_WAIT)
        found = publishing.outcome(place.data, publishing.SITE) or {}
        state = found.get("state")
        if state == publishing.PUBLISHED:
            messages.success(request, f"已发布：版本 {found['release']} 正在使用。")
        elif state == publishing.REFUSED:
            messages.error(request, f"发布前检查发现 {len(found.get('problems', []))} 个错误，网站未发布（错误见下）。")
        elif state == publishing.FAILED:
            messages.error(request, f"发布失败，网站未更新：{found.get('message', '')}")
        else:
            messages.info(request, publishing.BUSY + "。")
    elif action == "rollback":
        try:
            messages.success(request, publishing.rollback(place, person.account))
        except publishing.PublishError as e:
            messages.error(request, f"未回退：{e}")
    else:
        return refused(request, "未知的操作", status=400)
    return redirect("newsroom:publish")
