"""make screenshots: a phone (390×844) and a desktop (1366×768) picture of
every page kind of the built site (one per kind of the model and its lists:
scripts/dev/pagekinds.py), served by nginx as on the server
(scripts/dev/nginx_server.py), into .build/screenshots/ (not committed), so
that anyone can look at the site as a reader sees it.

Usage: python -m scripts.dev.screenshots [--site site] [--out .build/screenshots] [--full]

--docs makes the pictures committed under docs/screenshots/ instead (README
and 编辑指南.md show them, so they are there in a fresh clone): the launched
site (a scratch copy of the repository with every sample removed by
`samples --yes`, built and served by nginx) on a phone and a desktop at the
standard text size and at 特大; and the workbench's steps that 编辑指南.md
shows, copied from .build/screenshots/workbench/, where the workbench's
browser test (tests/browser/test_workbench.py) leaves them. All reduced to
a palette of 128 colours: a tenth of the bytes, text as sharp.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
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


DOCS = "docs/screenshots"
WORKBENCH_SHOTS = ".build/screenshots/workbench"   # tests/browser/test_workbench.py's SHOTS
GUIDE = "编辑指南.md"
# The reading aids' text sizes as assets/zlt/reading.js keeps them.
TEXT_SIZES = {"standard": {}, "xlarge": {"size": "xlarge"}}


def small_png(src: Path, dst: Path) -> Path:
    """A copy of the screenshot `src` with 128 colours (Pillow), at `dst`."""
    from PIL import Image

    dst.parent.mkdir(parents=True, exist_ok=True)
    with Image.open(src) as im:
        im.convert("RGB").quantize(colors=128, dither=Image.Dither.FLOYDSTEINBERG).save(dst, optimize=True)
    return dst


def launched_copy(root: Path, work: Path) -> Path:
    """A scratch copy of the repository's tracked files, its samples removed
    (as the department does before launch) and built into its site/."""
    if work.exists():
        shutil.rmtree(work)
    files = subprocess.run(["git", "-C", str(root), "ls-files", "-z"], capture_output=True, check=True).stdout
    for rel in filter(None, files.decode().split("\0")):
        src = root / rel
        if src.is_file() and not src.is_symlink():
            (work / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, work / rel)
    for command in (["samples", "--yes"], ["build"]):
        subprocess.run([sys.executable, "-m", "scripts", "--root", str(work), *command], cwd=root, check=True,
                       stdout=subprocess.DEVNULL)
    return work


def shoot_docs(root: Path, out: Path) -> list[Path]:
    """docs/screenshots/: the launched site's home page on a phone and a
    desktop at each of TEXT_SIZES, and the workbench steps 编辑指南.md shows."""
    from playwright.sync_api import sync_playwright

    written = []
    raw = root / ".build" / "screenshots-launched"
    copy = launched_copy(root, root / ".build" / "launched-copy")
    with serving(copy, copy / "site", root / ".build" / "screenshots-server") as served, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *served.chromium_args])
        for device, viewport in VIEWPORTS.items():
            for size, choice in TEXT_SIZES.items():
                context = browser.new_context(locale="zh-CN", viewport=viewport, ignore_https_errors=True,
                                              device_scale_factor=1, is_mobile=device == "phone",
                                              has_touch=device == "phone")
                context.add_init_script(f"localStorage.setItem('zlt-reading', {json.dumps(json.dumps(choice))})")
                page = context.new_page()
                page.goto(served.url)
                page.wait_for_load_state("networkidle")
                name = f"home-{device}-{size}.png"
                raw.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(raw / name))
                written.append(small_png(raw / name, out / name))
                context.close()
        browser.close()
    for name in re.findall(r"\]\(docs/screenshots/workbench/([\w.-]+\.png)\)", (root / GUIDE).read_text(encoding="utf-8")):
        src = root / WORKBENCH_SHOTS / name
        if not src.exists():
            raise SystemExit(f"{src} 不存在：先运行 pytest tests/browser/test_workbench.py（它拍下工作台的每一步）")
        written.append(small_png(src, out / "workbench" / name))
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--root", type=Path, default=ROOT)
    parser.add_argument("--site", type=Path)
    parser.add_argument("--out", type=Path)
    parser.add_argument("--full", action="store_true", help="whole pages, not the first screen")
    parser.add_argument("--only", help="page kinds, comma-separated (home,unit,news-list,…)")
    parser.add_argument("--docs", action="store_true", help="the pictures committed under docs/screenshots/")
    args = parser.parse_args()
    root = args.root.resolve()
    if args.docs:
        out = args.out or root / DOCS
        paths = shoot_docs(root, out)
        print(f"{len(paths)} screenshots in {out}")
        return
    paths = shoot(root, args.site or root / "site", args.out or root / ".build" / "screenshots",
                  args.full, args.only.split(",") if args.only else None)
    print(f"{len(paths)} screenshots in {paths[0].parent if paths else '-'}")


if __name__ == "__main__":
    main()
