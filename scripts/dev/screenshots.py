"""make screenshots: a phone (390×844) and a desktop (1366×768) picture of
every page kind of the built site (one per kind of the model and its lists:
scripts/dev/pagekinds.py), served by nginx as on the server
(scripts/dev/nginx_server.py), into .build/screenshots/ (not committed), so
that anyone can look at the site as a reader sees it.

Usage: python -m scripts.dev.screenshots [--site site] [--out .build/screenshots] [--full]
"""
from __future__ import annotations

import argparse
from pathlib import Path

from .browser import CHROMIUM, CHROMIUM_ARGS
from .nginx_server import serving
from .pagekinds import page_kinds

ROOT = Path(__file__).resolve().parents[2]
VIEWPORTS = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1366, "height": 768}}


def shoot(root: Path, site: Path, out: Path, full_page: bool = False, only: list[str] | None = None) -> list[Path]:
    from playwright.sync_api import sync_playwright

    out.mkdir(parents=True, exist_ok=True)
    written = []
    kinds = page_kinds(root)
    with serving(root, site, root / ".build" / "screenshots-server") as served, sync_playwright() as p:
        base = served.url
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *served.chromium_args])
        for device, viewport in VIEWPORTS.items():
            context = browser.new_context(locale="zh-CN", viewport=viewport, ignore_https_errors=True,
                                          device_scale_factor=1, is_mobile=device == "phone",
                                          has_touch=device == "phone")
            page = context.new_page()
            for kind, path in kinds.items():
                if only and kind not in only:
                    continue
                page.goto(base + path)
                page.wait_for_load_state("networkidle")
                target = out / f"{kind}-{device}.png"
                page.screenshot(path=str(target), full_page=full_page)
                written.append(target)
            context.close()
        browser.close()
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--site", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--full", action="store_true", help="whole pages, not the first screen")
    parser.add_argument("--only", help="page kinds, comma-separated (home,unit,news-list,…)")
    args = parser.parse_args()
    root = args.root.resolve()
    paths = shoot(root, args.site or root / "site", args.out or root / ".build" / "screenshots",
                  args.full, args.only.split(",") if args.only else None)
    print(f"{len(paths)} screenshots in {paths[0].parent if paths else '-'}")


if __name__ == "__main__":
    main()
