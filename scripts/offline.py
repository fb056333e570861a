"""Offline bundle for the remote-education terminals: one zip of the site that
works when unzipped and opened from file://, with no server and no network.

Differences from the web build: links end in .html (use_directory_urls: false),
and so do the addresses in the search index. Search itself is the same: its
index files load with <script> tags, which work from file:// (scripts/search.py).

    python -m scripts.offline [--out dist/zhalantun-dangjian-offline.zip]
"""
from __future__ import annotations

import argparse
import logging
import os
import sys
import tempfile
import zipfile
from pathlib import Path

from .build import generate, mkdocs_build
from .search import index_site
from .problems import InputError

ROOT = Path(__file__).resolve().parent.parent
NAME = "zhalantun-dangjian-offline"   # ASCII: old terminals mangle Chinese zip names


def build_offline(root: Path, out: Path) -> Path:
    """Build the public site for file:// and zip it into `out`, replaced whole."""
    root, out = root.resolve(), out.resolve()
    work = root / ".build"
    work.mkdir(exist_ok=True)
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=work, prefix="offline-") as tmp:
        docs, site = Path(tmp) / "docs", Path(tmp) / "site"
        generate(root, docs)
        config = mkdocs_build(root, docs, site, use_directory_urls=False)
        index_site(site, config.site_name, directory_urls=False)
        partial = Path(tmp) / "bundle.zip"
        with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as z:
            for f in sorted(site.rglob("*")):
                if f.is_file():
                    z.write(f, f"{NAME}/{f.relative_to(site).as_posix()}")
        os.replace(partial, out)
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.offline",
                                     description="生成离线版网站压缩包（供远程教育终端使用）")
    parser.add_argument("--root", type=Path, default=ROOT, help="内容仓库所在目录（默认为本仓库）")
    parser.add_argument("--out", type=Path, default=ROOT / "dist" / f"{NAME}.zip", help="压缩包位置")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    logging.getLogger("mkdocs").setLevel(logging.WARNING)
    try:
        out = build_offline(args.root, args.out)
    except InputError as e:
        for p in e.problems:
            print(p, file=sys.stderr)
        print(f"发现 {len(e.problems)} 个错误，离线版未生成。", file=sys.stderr)
        return 1
    print(f"离线版已生成：{out}\n解压后用浏览器打开 {NAME}/index.html 即可浏览，无需联网。")
    return 0


if __name__ == "__main__":
    sys.exit(main())
