"""The self-check's clock: every rule counts days from one `today`, given as
an argument (--today), else by ZLT_TODAY, else the date in China, so that
a test, or an administrator asking "will the site pass next Monday?", sets it."""
from __future__ import annotations

import os
from datetime import date, datetime, timedelta, timezone

# The site's readers and inspectors are in China: a commit at 23:30 UTC is
# the next day there.
CHINA = timezone(timedelta(hours=8), "北京时间")
ENV = "ZLT_TODAY"


class ClockError(ValueError):
    """A date given for today that is not one (the message is for people)."""


def parse_day(value: str, where: str) -> date:
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ClockError(f"{where}“{value}”不是日期：应写成 年-月-日，如 2026-12-09") from None


def today(value: str | date | None = None) -> date:
    """`value` (a date or YYYY-MM-DD), else $ZLT_TODAY, else today in China."""
    if isinstance(value, date):
        return value
    if value:
        return parse_day(value, "--today ")
    if os.environ.get(ENV, "").strip():
        return parse_day(os.environ[ENV], f"环境变量 {ENV} 的值")
    return datetime.now(CHINA).date()


def day_of(stamp: str) -> date:
    """The day in China of a git date (ISO 8601 with its offset)."""
    return datetime.fromisoformat(stamp.strip()).astimezone(CHINA).date()
