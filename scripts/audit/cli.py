"""`python -m scripts audit` (make audit): the report printed, and written to
.build/audit/index.html; exit 1 when a veto item fails."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

HELP = "网站自查：按政府网站检查指标（单项否决、扣分项）逐项自查，报告写入 .build/audit/index.html"


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("--today", help="按哪一天自查（年-月-日，默认今天；也可用环境变量 ZLT_TODAY），"
                                   "如 --today 2026-12-20 看那天是否合格")
    p.add_argument("--no-build", action="store_true", help="不试生成网站（更快；不查链接和每页的网站标识）")


def main(root: Path, args) -> int:
    from . import audit
    from .clock import ClockError, today
    from .report import text, write_html
    try:
        day = today(args.today)
    except ClockError as e:
        print(f"{e}。未自查。", file=sys.stderr)
        return 1
    report = audit(root, day, build=not args.no_build)
    print(text(report))
    path = write_html(report)
    shown = path.relative_to(root).as_posix() if path.is_relative_to(root) else path
    print(f"网页版报告：{shown}（用浏览器打开；不随网站发布）")
    return 1 if report.failed else 0
