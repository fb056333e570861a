"""`make bench-print`: `make print` timed next to the web build of the same
records, written to BENCHMARKS.md as a section of its own.

    python -m scripts.dev.bench_print                              # shipped and 1,000 records
    python -m scripts.dev.bench_print --sizes 60 --out /tmp/b.md   # a quick try

Each size is a content repository: `shipped` is a copy of this repository's
content, printed as `make print` prints it (published records, no samples);
a number N is a synthetic repository (`python -m scripts.dev.synth --count
N`) whose records are all samples, so it is printed with `--samples` (every
page marked 示例): the same work as N real records. The web build (`python -m
scripts build`) and the print (`python -m scripts print`) each run in a
process of their own; wall time, CPU time and peak memory are that process's
(os.wait4). Figures are medians over the runs.

The section sits between SECTION_START and SECTION_END; `make bench`
(bench.py) keeps it when it rewrites the file.
"""
from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from .machine import machine, package_versions

ROOT = Path(__file__).resolve().parents[2]
SECTION_START = "<!-- bench-print: written by make bench-print (scripts/dev/bench_print.py); do not edit -->"
SECTION_END = "<!-- /bench-print -->"
PACKAGES = ["weasyprint", "pydyf", "fonttools", "zxing-cpp", "Jinja2", "Markdown", "mkdocs", "mkdocs-material"]
_PRINTED = re.compile(r"已生成：(\S+)（(.+?)，(\d+) 页）")


def run(args: list[str], work: Path) -> dict:
    """`python -m scripts <args>` in a process of its own: its wall and CPU
    seconds and peak RSS (wait4 on it alone), and what it printed."""
    out, err = work / "stdout.txt", work / "stderr.txt"
    start = time.perf_counter()
    with open(out, "w") as o, open(err, "w") as e:
        proc = subprocess.Popen([sys.executable, "-m", "scripts", *args], cwd=ROOT, stdout=o, stderr=e)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode:
        sys.exit(f"基准测试失败（python -m scripts {' '.join(args)}）：\n{err.read_text()[-3000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss_kb": usage.ru_maxrss,
            "stdout": out.read_text(encoding="utf-8")}


def prepare(size: str, work: Path) -> tuple[Path, int, bool]:
    """(repository, records, printed with --samples)."""
    from ..records.loader import load_all
    from .synth import generate

    root = work / f"site-{size}"
    if size == "shipped":
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        for name in ("mkdocs.yml", "网站设置.yml", "templates", "content", "exemplars"):
            src = ROOT / name
            if src.exists():
                (shutil.copytree if src.is_dir() else shutil.copyfile)(src, root / name)
        if (ROOT / "media").is_dir():
            shutil.copytree(ROOT / "media", root / "media")
        samples = False
    else:
        generate(root, int(size))
        samples = True
    records, _ = load_all(root)
    return root, len(records), samples


def measure(size: str, runs: int, work: Path) -> dict:
    root, records, samples = prepare(size, work)
    print(f"== {size}：{records} 条记录，{runs} 次", file=sys.stderr, flush=True)
    builds, prints = [], []
    for i in range(runs):
        builds.append(run(["--root", str(root), "build"], work))
        prints.append(run(["--root", str(root), "print", *(["--samples"] if samples else [])], work))
        print(f"   第 {i + 1} 次：网站 {builds[-1]['wall']:.1f} 秒，印制 {prints[-1]['wall']:.1f} 秒",
              file=sys.stderr, flush=True)
    documents = [(title, int(pages), (root / path).stat().st_size)
                 for path, title, pages in _PRINTED.findall(prints[-1]["stdout"])]

    def median(items, key):
        return statistics.median(x[key] for x in items)

    return {"size": size, "records": records, "samples": samples, "runs": runs, "documents": documents,
            "build": {k: median(builds, k) for k in ("wall", "cpu", "rss_kb")},
            "print": {k: median(prints, k) for k in ("wall", "cpu", "rss_kb")}}


def _machine() -> str:
    versions = package_versions(PACKAGES)
    pango = subprocess.run(["dpkg-query", "-W", "-f", "${Version}", "libpango-1.0-0"],
                           capture_output=True, text=True).stdout.strip()
    m = machine()
    return (f"nproc {m.cores}; Python {m.python}; "
            f"Pango {pango or '?'}; {', '.join(versions)}")


def section(results: list[dict], command: str, load: tuple[float, float]) -> str:
    lines = [SECTION_START, "", "## Print (make print)", "",
             f"Written by `{command}`. Machine: {_machine()}; load average (1 min) before / after "
             f"{load[0]:.1f} / {load[1]:.1f} (other work on the machine lengthens wall times; CPU "
             "times are steadier). Each command ran in a process of its own; figures are medians of "
             f"{results[0]['runs']} run(s). `shipped` is this repository's content, printed as `make "
             "print` prints it (published records, no samples); the synthetic repositories "
             "(`python -m scripts.dev.synth --count N`) hold only samples, so they are printed with "
             "`--samples`: the same work as N real records.", "",
             "| records | web build wall s | web build CPU s | web build peak RSS MB "
             "| print wall s | print CPU s | print peak RSS MB | print / build (wall) | print / build (CPU) |",
             "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        b, p = r["build"], r["print"]
        lines.append(f"| {r['records']} ({r['size']}) | {b['wall']:.1f} | {b['cpu']:.1f} | {b['rss_kb'] / 1024:.0f} "
                     f"| {p['wall']:.1f} | {p['cpu']:.1f} | {p['rss_kb'] / 1024:.0f} "
                     f"| {p['wall'] / max(b['wall'], 1e-9):.1f} | {p['cpu'] / max(b['cpu'], 1e-9):.1f} |")
    lines += ["", "What was printed:", ""]
    for r in results:
        docs = "; ".join(f"{title} {pages} page{'s' if pages != 1 else ''}, {size / 1e6:.1f} MB"
                         for title, pages, size in r["documents"])
        lines.append(f"- {r['records']} ({r['size']}): {docs}")
    lines += ["", "Print is a target of its own (`make print`): the web build neither imports nor runs "
              "any of it (tests/test_print.py), so the figures of the web build above are those of "
              "`make site` with or without print.", "", SECTION_END]
    return "\n".join(lines) + "\n"


def write_section(path: Path, text: str) -> None:
    """Replace the section in `path`, or add it at the end."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Benchmarks\n"
    pattern = re.compile(re.escape(SECTION_START) + r".*?" + re.escape(SECTION_END) + r"\n?", re.S)
    new = pattern.sub(lambda m: text, old, count=1) if pattern.search(old) \
        else old.rstrip("\n") + "\n\n" + text
    path.write_text(new, encoding="utf-8")


def kept_section(text: str) -> str:
    """The section as it is in a BENCHMARKS.md (for bench.py, which rewrites the rest)."""
    m = re.search(re.escape(SECTION_START) + r".*?" + re.escape(SECTION_END) + r"\n?", text, re.S)
    return m.group(0) if m else ""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.dev.bench_print",
                                     description="印制（make print）性能基准，与同一批记录的网站构建对比，写入 BENCHMARKS.md")
    parser.add_argument("--sizes", default="shipped,1000", help="逗号分隔：shipped 或记录数")
    parser.add_argument("--runs", type=int, default=1, help="每个规模运行次数（取中位数）")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="报告文件")
    parser.add_argument("--work", type=Path, default=ROOT / ".build" / "bench-print", help="临时目录")
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    args.work.mkdir(parents=True, exist_ok=True)
    results = [measure(size, args.runs, args.work) for size in args.sizes.split(",")]
    given = sys.argv[1:] if argv is None else argv
    command = "make bench-print" if not given else "python -m scripts.dev.bench_print " + " ".join(given)
    text = section(results, command, (load, os.getloadavg()[0]))
    write_section(args.out, text)
    print(text)
    shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
