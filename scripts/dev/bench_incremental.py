"""Incremental builds measured (scripts/build/incremental.py): on a synthetic
repository, one news post added, one unit's title edited, one member deleted;
each change built incrementally, then fully (`--full`) in the same run, with
the CPU and wall time of both, the bytes a publish would transfer (files new
or different, as rsync --checksum sends them) against the site's bytes, and
whether the two builds gave the same tree.

    python -m scripts.dev.bench_incremental --sizes 1000,10000   # section into BENCHMARKS.md
"""
from __future__ import annotations

import argparse
import hashlib
import re
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEADING = "## Incremental builds"
CPU_TARGET, BYTES_TARGET = 0.10, 0.01


def _build(root: Path, full: bool) -> dict:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(root), "build", *(["--full"] if full else [])],
                          cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"基准测试失败（{root}）：\n{done.stderr[-3000:]}")
    said = [line for line in done.stderr.splitlines() if line.startswith("完整构建")]
    return {"wall": wall, "cpu": after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime,
            "full_said": said}


def _tree(site: Path) -> dict[str, tuple[int, str]]:
    return {p.relative_to(site).as_posix(): (p.stat().st_size, hashlib.sha256(p.read_bytes()).hexdigest())
            for p in site.rglob("*") if p.is_file()}


def _rsync_sends(before: Path, site: Path, work: Path) -> int:
    """The bytes rsync exchanges to publish `site` over a network to a
    server that has `before` (make publish: rsync --checksum --link-dest to
    the previous release; over SSH rsync sends only what differs inside a
    changed file too, which --no-whole-file asks for on this machine)."""
    into = work / "rsync-into"
    shutil.rmtree(into, ignore_errors=True)
    done = subprocess.run(["rsync", "--recursive", "--links", "--checksum", "--no-whole-file", "--stats",
                           f"--link-dest={before.resolve()}", f"{site}/", f"{into}/"],
                          capture_output=True, text=True, check=True)
    shutil.rmtree(into, ignore_errors=True)
    sent = re.search(r"Total bytes sent: ([\d,.]+)", done.stdout)
    received = re.search(r"Total bytes received: ([\d,.]+)", done.stdout)
    return sum(int(re.sub(r"[,.]", "", m.group(1))) for m in (sent, received) if m)


def _first(folder: Path, pattern: str = "*") -> Path:
    return sorted(folder.glob(pattern))[len(list(folder.glob(pattern))) // 2]


def add_post(root: Path) -> str:
    posts = root / "content/news/posts"
    src = _first(posts, "*.md")
    text = re.sub(r"^date: .*$", "date: '2026-11-30'", src.read_text(encoding="utf-8"), count=1, flags=re.M)
    text = re.sub(r"^title: .*$", "title: 示例工作动态：增量构建的基准测试", text, count=1, flags=re.M)
    (posts / "bench-new-post.md").write_text(text, encoding="utf-8")
    return "one news post added"


def edit_title(root: Path) -> str:
    unit = _first(root / "exemplars/units", "*.md")
    unit.write_text(re.sub(r"^(name|title): .*$", r"\1: 示例单位：改过的名称", unit.read_text(encoding="utf-8"),
                           count=1, flags=re.M), encoding="utf-8")
    return "one unit's title edited"


def delete_member(root: Path) -> str:
    others = "\n".join(p.read_text(encoding="utf-8") for d in ("exemplars", "content")
                       for p in (root / d).rglob("*") if p.is_file() and p.suffix in (".md", ".yml")
                       and "members" not in p.parts)
    for member in sorted((root / "exemplars/members").glob("*.md")):
        if member.stem not in others:
            for f in member.parent.glob(member.stem + ".*"):
                f.unlink()
            return "one member deleted"
    sys.exit("基准测试失败：找不到没有被引用的党员记录")


CHANGES = [add_post, edit_title, delete_member]


def measure(size: int, work: Path) -> list[dict]:
    from .synth import generate

    root = work / f"incremental-{size}"
    generate(root, size)
    print(f"== 增量构建 {size} 条记录", file=sys.stderr, flush=True)
    _build(root, full=True)
    rows = []
    for change in CHANGES:
        before = _tree(root / "site")
        previous = work / "previous-site"
        shutil.rmtree(previous, ignore_errors=True)
        subprocess.run(["cp", "-al", str(root / "site"), str(previous)], check=True)
        what = change(root)
        inc = _build(root, full=False)
        after = _tree(root / "site")
        rsync = _rsync_sends(previous, root / "site", work)
        shutil.rmtree(previous, ignore_errors=True)
        changed = {rel: size_ for rel, (size_, h) in after.items() if before.get(rel, (0, ""))[1] != h}
        removed = len(set(before) - set(after))
        full = _build(root, full=True)
        same = _tree(root / "site") == after
        rows.append({"size": size, "change": what, "inc": inc, "full": full, "same": same,
                     "changed_files": len(changed), "removed_files": removed,
                     "changed_bytes": sum(changed.values()), "site_bytes": sum(s for s, _ in after.values()),
                     "rsync_bytes": rsync})
        print(f"   {what}：增量 {inc['cpu']:.1f} 秒 CPU，完整 {full['cpu']:.1f} 秒 CPU，"
              f"变动文件 {sum(changed.values()) / 1024:.0f} KB，rsync 传送 {rsync / 1024:.0f} KB", file=sys.stderr, flush=True)
    return rows


def section(rows: list[dict], command: str) -> str:
    lines = [HEADING, "",
             "scripts/dev/bench_incremental.py: on a synthetic repository, each change built incrementally "
             "(`python -m scripts build`), then fully (`--full`) in the same run; CPU includes the build's "
             "child processes. “files changed KB”: the bytes of the files new or different after the change, "
             "against the whole site (what a publish copies into the new release on the server). "
             "“rsync sends KB”: the bytes rsync exchanged, both ways, publishing the new site to a folder "
             "holding the previous one (`rsync --checksum --link-dest`, as make publish; --no-whole-file: "
             "over SSH rsync sends only the changed parts of a changed file), measured with --stats. "
             "“same tree”: the incremental build and the full build gave the same files, byte for byte.", "",
             f"Command: `{command}`", "",
             "| records | change | incremental CPU s | full CPU s | CPU ratio | incremental wall s | full wall s "
             "| files changed (deleted) | files changed KB | rsync sends KB | site MB | bytes ratio (files) "
             "| bytes ratio (rsync) | same tree | fell back |",
             "| ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | :---: | :---: |"]
    for r in rows:
        lines.append(
            f"| {r['size']} | {r['change']} | {r['inc']['cpu']:.1f} | {r['full']['cpu']:.1f} "
            f"| {r['inc']['cpu'] / r['full']['cpu']:.2f} | {r['inc']['wall']:.1f} | {r['full']['wall']:.1f} "
            f"| {r['changed_files']} ({r['removed_files']}) | {r['changed_bytes'] / 1024:,.0f} "
            f"| {r['rsync_bytes'] / 1024:,.0f} | {r['site_bytes'] / 1e6:,.1f} | {r['changed_bytes'] / r['site_bytes']:.2%} "
            f"| {r['rsync_bytes'] / r['site_bytes']:.2%} "
            f"| {'yes' if r['same'] else '**no**'} | {'; '.join(r['inc']['full_said']) or 'no'} |")
    big = [r for r in rows if r["size"] == max(x["size"] for x in rows)]
    if big:
        cpu = max(r["inc"]["cpu"] / r["full"]["cpu"] for r in big)
        sent = max(r["changed_bytes"] / r["site_bytes"] for r in big)
        wire = max(r["rsync_bytes"] / r["site_bytes"] for r in big)
        lines += ["", f"Targets at {big[0]['size']} records: each single change ≤ {CPU_TARGET:.0%} of a full "
                  f"build's CPU: largest {cpu:.0%} ({'met' if cpu <= CPU_TARGET else '**not met**'}); "
                  f"a publish sends ≤ {BYTES_TARGET:.0%} of the site's bytes: largest {wire:.2%} by rsync "
                  f"({'met' if wire <= BYTES_TARGET else '**not met**'}); the changed files themselves: "
                  f"largest {sent:.2%} ({'within' if sent <= BYTES_TARGET else 'over'} {BYTES_TARGET:.0%})."]
    return "\n".join(lines) + "\n"


def replace_section(text: str, new: str) -> str:
    """BENCHMARKS.md with its incremental section replaced (or added)."""
    start = text.find(HEADING)
    if start < 0:
        return text.rstrip("\n") + "\n\n" + new
    end = text.find("\n## ", start + len(HEADING))
    return text[:start] + new + (text[end + 1:] if end >= 0 else "")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.dev.bench_incremental",
                                     description="增量构建的基准，写入 BENCHMARKS.md")
    parser.add_argument("--sizes", default="1000,10000", help="逗号分隔的记录数")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md")
    parser.add_argument("--work", type=Path, default=ROOT / ".build" / "bench-incremental")
    args = parser.parse_args(argv)
    rows = [row for size in args.sizes.split(",") for row in measure(int(size), args.work)]
    command = "python -m scripts.dev.bench_incremental " + " ".join(sys.argv[1:] if argv is None else argv)
    text = section(rows, command.strip())
    args.out.write_text(replace_section(args.out.read_text(encoding="utf-8") if args.out.exists() else "", text),
                        encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
