"""Accounts and the units a contributor speaks for: all the database holds
besides sessions and django-axes' login attempts. Nothing here is needed to
rebuild the site or to know who reviewed what (that is in the record files).
"""
from __future__ import annotations

import re

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models

# ASCII, because the account goes into git authors (zhangsan@newsroom), the
# signed text of each review stage and the record files.
ACCOUNT_RE = re.compile(r"^[a-z][a-z0-9._-]{1,29}$")
account_validator = RegexValidator(
    ACCOUNT_RE, "账号只能用小写英文字母、数字和 . _ -，以字母开头，2 到 30 个字符，如 zhangsan")
# Unit ids as the records' file names are made (scripts/editor/new.py).
UNIT_ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


class Account(AbstractUser):
    username = models.CharField(
        "账号", max_length=30, unique=True, validators=[account_validator],
        help_text="登录用的账号：小写英文字母、数字和 . _ -，如 zhangsan。",
        error_messages={"unique": "已有同名账号。"})
    full_name = models.CharField(
        "姓名", max_length=30, blank=True,
        help_text="真实姓名，写入审核记录和 git 提交，如“张三”。")

    class Meta:
        verbose_name = "账号"
        verbose_name_plural = "账号"

    @property
    def display_name(self) -> str:
        return self.full_name.strip() or self.username

    def __str__(self) -> str:
        return f"{self.display_name}（{self.username}）" if self.full_name else self.username


def validate_unit_id(value: str) -> None:
    from django.conf import settings

    from .repository import unit_ids
    if not UNIT_ID_RE.fullmatch(value or ""):
        raise ValidationError(f"“{value}”不是单位编号：编号是先进典型记录的文件名，如 moguqi-dangwei")
    if value not in unit_ids(settings.NEWSROOM_REPO):
        raise ValidationError(f"仓库中没有编号为“{value}”的单位（先进典型）记录")


class UnitTie(models.Model):
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="unit_ties",
                                verbose_name="账号")
    unit_id = models.CharField("单位编号", max_length=80, validators=[validate_unit_id],
                               help_text="先进典型记录的编号（文件名），如 moguqi-dangwei。")

    class Meta:
        verbose_name = "所属单位"
        verbose_name_plural = "所属单位"
        constraints = [models.UniqueConstraint(fields=["account", "unit_id"], name="unique_unit_tie")]

    def __str__(self) -> str:
        return self.unit_id
