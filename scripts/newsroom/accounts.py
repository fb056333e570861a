"""Accounts from the command line (`python -m scripts.newsroom user …`) and the
first administrator of `init`. Passwords are generated here and shown once;
nobody chooses a weak one at a terminal. Call after django.setup()."""
from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import transaction

from .models import Account, UnitTie, account_validator
from .repository import unit_ids
from .roles import ADMIN, ROLES

# No 0/O, 1/l/I: read aloud on the telephone or copied from paper.
_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_LIST_SPLIT = re.compile(r"[,，、\s]+")


class AccountError(Exception):
    """Bad input for an account command; the message is Chinese."""


def new_password(length: int = 14) -> str:
    return "".join(secrets.choice(_ALPHABET) for _ in range(length))


def split_list(text: str | None) -> list[str]:
    return [p for p in _LIST_SPLIT.split(text or "") if p]


def _account_name(name: str) -> str:
    try:
        account_validator(name)
    except ValidationError as e:
        raise AccountError(f"账号“{name}”不可用：{e.messages[0]}") from None
    return name


def _roles(names: list[str]) -> list[Group]:
    unknown = [n for n in names if n not in ROLES]
    if unknown:
        raise AccountError(f"没有“{'、'.join(unknown)}”这个角色；可用的角色：{'、'.join(ROLES)}")
    if not names:
        raise AccountError(f"请用 --roles 指定至少一个角色：{'、'.join(ROLES)}")
    return list(Group.objects.filter(name__in=names))


def _units(ids: list[str]) -> list[str]:
    known = unit_ids(settings.NEWSROOM_REPO)
    unknown = [u for u in ids if u not in known]
    if unknown:
        raise AccountError(f"仓库中没有编号为“{'、'.join(unknown)}”的单位（先进典型）记录；"
                           f"单位编号是 exemplars/units/ 中记录的文件名（不含 .md）")
    return ids


def _get(name: str) -> Account:
    try:
        return Account.objects.get(username=name)
    except Account.DoesNotExist:
        raise AccountError(f"没有账号“{name}”（用 user list 查看全部账号）") from None


@transaction.atomic
def add(name: str, roles: list[str], units: list[str], full_name: str = "") -> str:
    """Create the account; returns its password (to be shown once)."""
    _account_name(name)
    groups = _roles(roles)
    _units(units)
    full_name = full_name.strip()
    if len(full_name) > 30 or re.search(r"[<>\x00-\x1f\x7f]", full_name):
        raise AccountError("姓名不能超过 30 个字，也不能含 < > 或控制字符")
    if Account.objects.filter(username=name).exists():
        raise AccountError(f"账号“{name}”已经存在")
    password = new_password()
    account = Account.objects.create_user(username=name, password=password, full_name=full_name)
    account.groups.set(groups)
    UnitTie.objects.bulk_create([UnitTie(account=account, unit_id=u) for u in units])
    return password


def create_first_admin(name: str = "admin") -> str | None:
    """The first administrator (superuser, role 管理员) when there is none;
    returns its password, None when an administrator exists."""
    if Account.objects.filter(is_superuser=True).exists():
        return None
    _account_name(name)
    if Account.objects.filter(username=name).exists():
        raise AccountError(f"账号“{name}”已存在但不是管理员：请用 --admin 另取一个管理员账号名")
    password = new_password()
    account = Account.objects.create_superuser(username=name, password=password, full_name="管理员")
    account.groups.add(Group.objects.get(name=ADMIN))
    return password


def listing() -> list[dict]:
    return [{"account": a.username, "name": a.full_name,
             "roles": "、".join(a.groups.order_by("name").values_list("name", flat=True)),
             "units": "、".join(a.unit_ties.values_list("unit_id", flat=True)),
             "active": a.is_active, "superuser": a.is_superuser}
            for a in Account.objects.order_by("username")]


def disable(name: str) -> None:
    """The account can no longer sign in; its open sessions stop working at
    the next request (Django refuses inactive accounts)."""
    account = _get(name)
    account.is_active = False
    account.save(update_fields=["is_active"])


def enable(name: str) -> None:
    account = _get(name)
    account.is_active = True
    account.save(update_fields=["is_active"])


def passwd(name: str) -> str:
    """A new password for the account (shown once); lifts a lockout too."""
    from axes.utils import reset
    account = _get(name)
    password = new_password()
    account.set_password(password)
    account.save(update_fields=["password"])
    reset(username=name)
    return password
