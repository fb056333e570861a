"""Who is signed in, and which records they may read: the rule every view
of the newsroom shares (items, editing, the preview, the audit)."""
from __future__ import annotations

from django.conf import settings

from ..records.loader import Record
from . import repository, review
from .review import Person
from .roles import EDITOR, STAGE_ROLE


def person_of(user) -> Person:
    return Person(account=user.username, name=user.display_name,
                  roles=frozenset(user.groups.values_list("name", flat=True)),
                  units=frozenset(user.unit_ties.values_list("unit_id", flat=True)))


def may_read(person: Person, record: Record) -> bool:
    """Editors and reviewers read every record; a contributor only their
    units' (a unit's drafts are not another unit's business)."""
    if person.roles & {EDITOR, *STAGE_ROLE.values()}:
        return True
    return person.account in review.submitters(record) or \
        review.owns(person, record, repository.record_units(settings.NEWSROOM_REPO, record))
