"""审核记录 and 信息发布审核单 in the newsroom (issue #21).

Who sees the 审核记录: the reviewers (初审, 复审, 终审), the editors (编辑)
and the administrators (管理员 or a superuser). Not a plain contributor
(撰稿): the trail spans every unit, and a unit's drafts and the comments on
them are not another unit's business (views.may_read). The 审核单 of one
item follows the item page: whoever may read the item may print its sheet.

The trail is read from the repository on each request (audit.py: the record
files and one pass over git), never from the database, which holds only
accounts: deleting the database loses no review and no trail.
"""
from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from ..print.review_sheet import write_review_sheet
from ..print.typeset import MissingFonts
from . import audit, repository
from .models import UnitTie
from .roles import ADMIN, EDITOR, STAGE_ROLE
from .access import may_read, person_of
from .views import _queues, refused

AUDITORS = frozenset({EDITOR, ADMIN, *STAGE_ROLE.values()})
PER_PAGE = 50
FILTERS = ("person", "unit", "since", "until", "record")


def may_audit(user) -> bool:
    if not user.is_authenticated:
        return False
    return user.is_superuser or user.groups.filter(name__in=AUDITORS).exists()


def account_units() -> dict[str, set[str]]:
    """account -> its units: where a news post belongs (its first submitter's)."""
    out: dict[str, set[str]] = {}
    for account, unit in UnitTie.objects.values_list("account__username", "unit_id"):
        out.setdefault(account, set()).add(unit)
    return out


def _date(text: str, label: str, problems: list[str]) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        problems.append(f"{label}“{text}”不是日期，请写成 2026-12-06 这样的格式")
        return None


def _row(e: audit.Event, unit_names: dict[str, str]) -> dict:
    return {"when": e.when, "kind": e.kind, "rid": e.rid, "title": e.title, "kind_label": e.kind_label,
            "units": "、".join(sorted(unit_names.get(u, u) for u in e.units)), "by": e.by,
            "account": e.account, "action": e.action, "comment": e.comment, "signature": e.signature,
            "bad": e.signature in (audit.INVALID, audit.UNSIGNED), "commit": e.commit[:10],
            "commit_full": e.commit, "source": e.source}


@login_required
@require_GET
def audit_page(request):
    person = person_of(request.user)
    if not may_audit(request.user):
        return refused(request, "审核记录只对初审、复审、终审、编辑和管理员开放；撰稿人请在“我的稿件”中查看本单位稿件的审核情况")
    given = {name: request.GET.get(name, "")[:200] for name in FILTERS}
    problems: list[str] = []
    filters = audit.Filters(person=given["person"], unit=given["unit"], record=given["record"],
                            since=_date(given["since"], "起始日期", problems),
                            until=_date(given["until"], "截止日期", problems))
    trail = audit.trail(settings.NEWSROOM_REPO, account_units())
    events = audit.select(trail, filters)
    page = Paginator(events, PER_PAGE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "newsroom/audit.html", {
        "person": person, "queues": _queues(person), "given": given, "problems": problems,
        "key_problem": trail.key_problem, "page": page, "total": len(events),
        "rows": [_row(e, trail.unit_names) for e in page.object_list],
        "units": sorted(trail.unit_names.items(), key=lambda u: u[1]), "query": query.urlencode(),
        "filtered": any(v.strip() for v in given.values())})


@login_required
@require_GET
def review_sheet(request, kind: str, rid: str):
    """The item's 信息发布审核单 as a PDF download."""
    person = person_of(request.user)
    root = settings.NEWSROOM_REPO
    try:
        record = repository.find_record(root, kind, rid)
    except repository.RepositoryError as e:
        return refused(request, str(e), status=409)
    if record is None:
        return refused(request, "没有这篇稿件", status=404)
    if not may_read(person, record):
        return refused(request, "只能打印本单位稿件的审核单")
    sheet = audit.sheet(root, record, account_units())
    with tempfile.TemporaryDirectory(prefix="newsroom-sheet-") as tmp:
        target = Path(tmp) / "sheet.pdf"
        try:
            write_review_sheet(root, sheet.as_dict(), target)
        except MissingFonts as e:
            return refused(request, f"{e}。请管理员在服务器上安装字体后再试。", status=503)
        data = target.read_bytes()
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, f"信息发布审核单-{record.id}.pdf")
    response["Cache-Control"] = "no-store"   # reviewers' names and comments, on shared PCs
    return response
