"""Check: every rule on the repository as read once, in one run.

`check_repository` is the one orchestrator of load + check, used by `build`,
`check`, `check --release`, `serve` and `offline`: it reads each file once
(records.read_repository) and gives every rule the same records and pages.
The rules live in their own modules: fields (the model's types, ids and
references), files (media, photos, links out of the repository), content_files
(which files content/ and exemplars/ may publish), pages (bodies and
hand-written pages), photos_gps (photos that still carry their location),
figures, review (三审), signatures (三审 signed by the newsroom, where a
repository uses it), templates (a template for every kind's pages, and only
the model's fields named in them), lint (wording) and release. The model
itself is checked as it is loaded (records/model_check.py).
"""
from __future__ import annotations

from pathlib import Path

from .. import collector
from ..problems import Problem
from ..records.loader import Snapshot, read_repository
from ..records.schema import Schema, schema_for
from .cache import CheckCache
from .content_files import content_file_problems
from .fields import field_problems
from .figures import chart_problems
from .files import outside_link_problems, photo_problems
from .photos_gps import gps_problems, repository_files
from .lint import lint
from .pages import body_safety_problems, category_problems, front_matter_problems
from .review import review_problems
from .signatures import signature_problems
from .templates import template_problems


def check_snapshot(snap: Snapshot, release: bool = False, wording: bool = True,
                   cache: CheckCache | None = None) -> list[Problem]:
    """Every problem of a repository already read, sorted, each once
    (`wording`: with the typo lint, which the live preview shows apart;
    `cache`: the one read_repository was given)."""
    root, records = snap.root, snap.records
    problems = list(snap.problems)
    problems += field_problems(snap.schema, records, root, cache)
    files = repository_files(root)   # walked once for both photo rules
    problems += photo_problems(records, root, files) + outside_link_problems(root) + gps_problems(root, files)
    problems += content_file_problems(root, snap.record_paths, records)
    problems += body_safety_problems(root, records, snap.pages)
    problems += front_matter_problems(snap.pages) + category_problems(records)
    problems += chart_problems(records) + review_problems(snap.schema, records)
    problems += signature_problems(root, records)
    problems += template_problems(root, snap.schema)
    if wording:
        problems += lint(root, snap.texts)
    if release:
        from .release import release_problems
        problems += release_problems(root, records, snap.pages)
    return sorted(set(problems))


def check_repository(root: Path, schema: Schema | None = None, release: bool = False,
                     wording: bool = True, cache: bool = False) -> tuple[Snapshot, list[Problem]]:
    """Read the repository once and check it: (what was read, its problems).

    cache (the build's): each record file's reading and own schema check are
    kept in .build/incremental/ (check/cache.py) and taken again while its
    text, the model and the code stay the same; the results are those of a
    check from scratch. The reason when nothing kept could be used is in
    `last_cache_reason` (Chinese, one line; "" when it was used)."""
    global last_cache_reason
    if not cache:
        snap = read_repository(root, schema)
        return snap, check_snapshot(snap, release, wording)
    # The run makes some hundred thousand small objects that all live on
    # (records and their lines): the cyclic collector, run every few hundred
    # of them, would find nothing to free and cost a third of the time.
    with collector.paused():
        schema = schema or schema_for(root)
        kept = CheckCache(root, schema)
        snap = read_repository(root, schema, kept)
        problems = check_snapshot(snap, release, wording, kept)
        kept.save()
        last_cache_reason = kept.reason
        return snap, problems


last_cache_reason = ""


def check(root: Path) -> list[Problem]:
    """Every problem of the repository at root (tools and tests)."""
    return check_repository(root)[1]


def errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.level == "error"]
