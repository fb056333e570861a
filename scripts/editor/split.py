"""`python -m scripts.editor.split LIST.yml FOLDER [--rank]`: one file per
record from a YAML list file (the old exemplars/sms.yml and figures.yml).

The workbench (Decap CMS) cannot edit a file whose top level is a list, so
the red SMS and the figures moved to exemplars/sms/<id>.yml and
exemplars/figures/<id>.yml. This writes each item as <id>.yml (its `id`
becomes the file name), in the model's field order; `--rank` numbers the
items in the list's order (the figures keep the source's order that way).
Comment lines of the list file are not carried over: it prints them, so
that nothing is lost unseen.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..records.schema import ID_RE, schema_for
from ..records.yaml_reader import parse_yaml, read_text
from .record_file import prune, record_text


def split(root: Path, list_file: Path, folder: Path, rank: bool = False) -> list[Path]:
    schema = schema_for(root)
    rel = folder.resolve().relative_to(root.resolve()).as_posix()
    kind = next((k for k in schema.kinds.values() if k.path == f"{rel}/*.yml"), None)
    if kind is None:
        raise SystemExit(f"{rel}/ 不是任何一类记录的文件夹（见 scripts/records/schema.yaml 的 path）")
    items, _ = parse_yaml(read_text(list_file, list_file.name))
    if not isinstance(items, list):
        raise SystemExit(f"{list_file} 不是列表文件")
    written = []
    folder.mkdir(parents=True, exist_ok=True)
    for n, item in enumerate(items, 1):
        rid = str(item.pop("id", ""))
        if not ID_RE.match(rid):
            raise SystemExit(f"第 {n} 条的编号“{rid}”不能作文件名，请先改正")
        if rank and "rank" in kind.fields:
            item["rank"] = n
        path = folder / f"{rid}.yml"
        if path.exists():
            raise SystemExit(f"{path} 已存在：编号重复或已经拆分过")
        path.write_text(record_text(kind, prune(item)), encoding="utf-8")
        written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.editor.split",
                                     description="把列表文件拆成每条记录一个文件")
    parser.add_argument("list_file", type=Path)
    parser.add_argument("folder", type=Path)
    parser.add_argument("--rank", action="store_true", help="按列表中的顺序写 rank（排列顺序）")
    parser.add_argument("--root", type=Path, default=Path.cwd())
    args = parser.parse_args(argv)
    text = read_text(args.list_file, args.list_file.name)
    dropped = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    written = split(args.root, args.list_file, args.folder, args.rank)
    print(f"已写出 {len(written)} 个文件到 {args.folder}/")
    if dropped:
        print("以下注释行没有带入新文件，请确认是否需要另行保存：", *dropped, sep="\n  ")
    return 0


if __name__ == "__main__":
    sys.exit(main())
