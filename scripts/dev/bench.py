"""`make bench`: the build timed per stage at several sizes, written to BENCHMARKS.md.

    python -m scripts.dev.bench                              # shipped, 1000, 10000; 3 runs
    python -m scripts.dev.bench --sizes shipped,300 --runs 1 --out /tmp/b.md   # a quick try

Every build runs in a subprocess of its own (`python -m scripts.dev.bench --child
…`), so that its peak RSS is its own. Stage timings come from scripts/progress.py
(`stage()` in scripts/build/pipeline.py). Next to each build of the project, the same
generated Markdown is built by mkdocs-material with a plain configuration (the
baseline), so the project's overhead is a ratio measured side by side.
Reported figures are medians over the runs.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

import yaml

from .machine import machine, package_versions
from ..records.schema import schema_for
from ..render.navigation import site_nav

ROOT = Path(__file__).resolve().parents[2]
PAGE_LIMIT = 150 * 1024
STAGES = [("load_validate", "读取与校验 load + validate"), ("render", "生成 Markdown render"),
          ("incremental", "增量构建的计划 incremental plan"),
          ("mkdocs", "mkdocs（不含搜索 without search）"), ("feed", "RSS feed.xml"), ("search", "搜索索引 search index"),
          ("finish", "收尾 finish (swap in)")]
PROJECT_STAGES = ("load_validate", "render", "incremental", "feed", "finish")
PACKAGES = ["mkdocs", "mkdocs-material", "Markdown", "pymdown-extensions", "Jinja2", "PyYAML",
            "jsonschema", "jieba", "playwright"]
# Queries of the search benchmark: a common word, a single common character, a
# name, a long phrase, and a word no page holds (its shards are still loaded).
SEARCH_QUERIES = ["党建", "党", "蘑菇气党委", "扎兰屯市蘑菇气镇党委书记", "不存在的词语"]
SEARCH_BYTES_TARGET = 200 * 1024
SEARCH_MS_TARGET = 300


# --- the child: one build, measured ----------------------------------------

def child_build(root: Path, out: Path) -> int:
    from .. import progress
    from ..__main__ import main

    code = main(["--root", str(root), "build", "--full"])
    stages = dict(progress.STAGES)
    out.write_text(json.dumps({"code": code, "stages": stages, **_usage()}), encoding="utf-8")
    return code


def child_baseline(root: Path, out: Path) -> int:
    """mkdocs-material on the project's last generated Markdown, plain config:
    theme material (language zh), default plugins (search), the same nav and
    Markdown extensions (without the nav, mkdocs' automatic sidebar lists every
    page on every page, which no site of this size can use)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    import logging
    logging.basicConfig(level=logging.ERROR)
    from ..site_config import site_config

    ours = site_config(root)
    # The same extensions with their plain options (a Python object such as
    # the toc's Unicode slugify cannot be written back as YAML: the default).
    plain_value = (str, int, float, bool, type(None))
    extensions = [{name: {k: v for k, v in (options or {}).items() if isinstance(v, plain_value)}}
                  if isinstance(ext, dict) else ext
                  for ext in ours.get("markdown_extensions", []) for name, options in
                  ([next(iter(ext.items()))] if isinstance(ext, dict) else [(ext, None)])]
    # Pages that name a template of the project's theme overrides (the home
    # page's `template: home.html`) get Material's plain page template instead.
    stubs = root / ".build" / "baseline-templates"
    stubs.mkdir(parents=True, exist_ok=True)
    for name in {m.group(1) for page in (root / ".build" / "docs").rglob("*.md")
                 for m in [re.search(r"^template:\s*(\S+)", page.read_text(encoding="utf-8")[:2000], re.M)] if m}:
        (stubs / name).write_text('{% extends "base.html" %}\n', encoding="utf-8")
    plain = {"site_name": ours["site_name"], "docs_dir": "docs",
             "site_dir": "baseline-site",
             "theme": {"name": "material", "language": "zh", "custom_dir": "baseline-templates"},
             "nav": site_nav(root, schema_for(root)), "markdown_extensions": extensions}
    config_file = root / ".build" / "baseline.yml"
    config_file.write_text(yaml.safe_dump(plain, allow_unicode=True), encoding="utf-8")
    start, cpu = time.perf_counter(), time.process_time()
    build(load_config(str(config_file)))
    stages = {"mkdocs": {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu,
                         "peak_rss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}
    out.write_text(json.dumps({"code": 0, "stages": stages, **_usage()}), encoding="utf-8")
    return 0


def _usage() -> dict:
    me, kids = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return {"cpu_seconds": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
            "system_seconds": me.ru_stime + kids.ru_stime,
            "peak_rss_kb": max(me.ru_maxrss, kids.ru_maxrss)}


# --- the parent: sizes, runs, table -----------------------------------------

def _run_child(kind: str, root: Path, work: Path) -> dict:
    out = work / f"{kind}.json"
    out.unlink(missing_ok=True)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "scripts.dev.bench", "--child", kind, str(root), str(out)],
                          cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - start
    if done.returncode != 0 or not out.exists():
        sys.exit(f"基准测试失败（{kind} {root}）：\n{done.stderr[-3000:]}")
    result = json.loads(out.read_text(encoding="utf-8"))
    result["wall_seconds"] = wall
    return result


def _check_seconds(root: Path) -> float:
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(root), "check"], cwd=ROOT,
                          stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    if done.returncode != 0:
        sys.exit(f"基准测试失败：{root} 的记录未通过校验")
    return time.perf_counter() - start


def _tree_bytes(path: Path, suffix: str = "") -> int:
    return sum(p.stat().st_size for p in path.rglob(f"*{suffix}") if p.is_file())


def search_in_browser(root: Path, site: Path) -> list[dict]:
    """Each of SEARCH_QUERIES as a reader's first search, in Chromium, on the
    site served as readers get it (nginx_server: the published configuration,
    precompressed files): bytes transferred from opening the dialog, and time
    to the first result, cold (the dialog opened and the query typed at once,
    so the engine loads too)."""
    from playwright.sync_api import sync_playwright

    from .browser import CHROMIUM, CHROMIUM_ARGS
    from .nginx_server import serving
    from .searchprobe import first_query

    rows = []
    with serving(root, site, root / ".build" / "served") as served, sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[*CHROMIUM_ARGS, *served.chromium_args])
        for query in SEARCH_QUERIES:
            runs = []
            for _ in range(3):
                context = browser.new_context(locale="zh-CN", ignore_https_errors=True)
                runs.append(first_query(context.new_page(), served.url, query))
                context.close()
            rows.append({"query": query, "bytes": statistics.median(r["bytes"] for r in runs),
                         "ms": statistics.median(r["ms"] for r in runs),
                         "results": len(runs[0]["results"]), "requests": len(runs[0]["urls"])})
        browser.close()
    return rows


def _site_facts(root: Path, site: Path, records: int) -> dict:
    pages = [(p.stat().st_size, p.relative_to(site).as_posix()) for p in site.rglob("*.html")]
    html = sum(s for s, _ in pages)
    index = site / "search"
    return {
        "records": records,
        "input_bytes": sum(_tree_bytes(root / d) for d in ("exemplars", "content")),
        "docs_bytes": _tree_bytes(root / ".build" / "docs"),
        "site_bytes": _tree_bytes(site),
        "search_bytes": _tree_bytes(index) if index.is_dir() else 0,
        "feed_bytes": sum(p.stat().st_size for p in site.glob("feed*.xml")),
        "html_bytes": html, "html_pages": len(pages),
        "largest_page": max(pages), "pages_over_limit": sum(s > PAGE_LIMIT for s, _ in pages),
        "search": search_in_browser(root, site),
    }


def _prepare(size: str, work: Path) -> tuple[Path, int]:
    from ..records.loader import load_all
    from .synth import generate

    root = work / f"site-{size}"
    if size == "shipped":
        if root.exists():
            shutil.rmtree(root)
        root.mkdir(parents=True)
        for name in ("mkdocs.yml", "网站设置.yml", "templates", "content", "exemplars"):
            src = ROOT / name
            (shutil.copytree if src.is_dir() else shutil.copyfile)(src, root / name)
    else:
        generate(root, int(size))
    records, _ = load_all(root)
    return root, len(records)


def _median(runs: list[dict], *keys) -> float:
    values = []
    for r in runs:
        v = r
        for k in keys:
            v = v.get(k, {}) if isinstance(v, dict) else {}
        values.append(v if isinstance(v, (int, float)) else 0.0)
    return statistics.median(values)


def measure(size: str, runs: int, work: Path) -> dict:
    root, records = _prepare(size, work)
    print(f"== {size}：{records} 条记录，{runs} 次", file=sys.stderr, flush=True)
    ours, plain, checks = [], [], []
    for i in range(runs):
        checks.append(_check_seconds(root))
        ours.append(_run_child("build", root, work))
        plain.append(_run_child("baseline", root, work))
        print(f"   第 {i + 1} 次：本项目 {ours[-1]['wall_seconds']:.1f} 秒，"
              f"基线 {plain[-1]['wall_seconds']:.1f} 秒", file=sys.stderr, flush=True)
    facts = _site_facts(root, root / "site", records)
    facts["baseline_html_bytes"] = _tree_bytes(root / ".build" / "baseline-site", ".html")
    stages = {name: {k: _median(ours, "stages", name, k) for k in ("seconds", "cpu_seconds", "peak_rss_kb")}
              for name, _ in STAGES}
    return {"size": size, "facts": facts, "stages": stages, "check_seconds": statistics.median(checks),
            "total": {k: _median(ours, k) for k in ("wall_seconds", "cpu_seconds", "system_seconds", "peak_rss_kb")},
            "baseline": {k: _median(plain, k) for k in ("wall_seconds", "cpu_seconds", "system_seconds",
                                                         "peak_rss_kb")},
            "pairs": [(o.get("cpu_seconds", 0.0), o.get("system_seconds", 0.0),
                       b.get("cpu_seconds", 0.0), b.get("system_seconds", 0.0)) for o, b in zip(ours, plain)],
            "runs": runs}


# --- the report --------------------------------------------------------------

def _machine() -> list[str]:
    m = machine()
    return [f"- CPU: {m.cpu}; nproc {m.cores}; memory {m.memory_gb} GB",
            f"- Python {m.python} on {m.system}",
            f"- Packages: {', '.join(package_versions(PACKAGES))}"]


def _mb(kb: float) -> str:
    return f"{kb / 1024:.0f}"


def report(results: list[dict], command: str, load: tuple, elapsed: float) -> str:
    lines = ["# Benchmarks", "",
             "Written by `make bench` (scripts/dev/bench.py); do not edit by hand.", "",
             "Command:", "", "```", command, "```", "",
             "Machine:", "", *_machine(),
             f"- Load average (1 min) before / after: {load[0]:.1f} / {load[1]:.1f}"
             " (other builds running on the machine make wall times longer; CPU times are steadier)",
             f"- Total run time of the benchmark: {elapsed / 60:.1f} min", "",
             "Sizes: `shipped` is the repository's own content; the others are synthetic repositories "
             "written by `python -m scripts.dev.synth --count N` (all records `sample: true`). "
             f"Every figure is the median of {results[0]['runs']} run(s). "
             "Peak RSS of a stage is the process's peak up to the end of that stage. "
             "The baseline is mkdocs-material building the same generated Markdown with a plain "
             "configuration: `theme: {name: material, language: zh}`, default plugins (search), the "
             "same nav and Markdown extensions; no blog plugin, no theme overrides, not strict.", ""]
    lines += ["## Summary", "",
              "| records | build wall s | build CPU s | project stages % | peak RSS MB | `check` s "
              "| HTML pages | HTML bytes/record | largest page KB | pages > 150 KB "
              "| search, first query KB (max) | search, first result ms (max) "
              "| baseline wall s | baseline CPU s | ours / baseline (CPU) |",
              "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        f, t, b, s = r["facts"], r["total"], r["baseline"], r["stages"]
        project = sum(s[n]["cpu_seconds"] for n in PROJECT_STAGES)
        lines.append(
            f"| {f['records']} ({r['size']}) | {t['wall_seconds']:.1f} | {t['cpu_seconds']:.1f} "
            f"| {100 * project / max(t['cpu_seconds'], 1e-9):.0f} | {_mb(t['peak_rss_kb'])} "
            f"| {r['check_seconds']:.2f} | {f['html_pages']} | {f['html_bytes'] // max(f['records'], 1):,} "
            f"| {f['largest_page'][0] / 1024:.0f} | {f['pages_over_limit']} "
            f"| {max(q['bytes'] for q in f['search']) / 1024:.0f} | {max(q['ms'] for q in f['search']):.0f} "
            f"| {b['wall_seconds']:.1f} | {b['cpu_seconds']:.1f} | {t['cpu_seconds'] / max(b['cpu_seconds'], 1e-9):.2f} |")
    lines += ["", "“project stages %”: CPU time of load + validate, render, feed and finish, as a share of the "
              "whole build (everything but mkdocs and the search indexer).", ""]
    lines += _pairs(results)
    lines += _targets(results)
    lines += ["## Search", "",
              "A reader's first search in Chromium (Playwright), on the site served as readers get it "
              "(nginx with the published configuration and precompressed files, HTTPS and HTTP/2: "
              "scripts/dev/nginx_server.py), the dialog opened and the query typed at once, so that loading "
              "the search engine counts too. Bytes are everything transferred from opening the dialog "
              "(headers and compressed bodies); time is from the click on 搜索 to the first result "
              "(or to “没有找到”). Medians of 3.", "",
              "| records | query | KB | ms | requests | results shown |",
              "| ---: | --- | ---: | ---: | ---: | ---: |"]
    for r in results:
        for q in r["facts"]["search"]:
            lines.append(f"| {r['facts']['records']} | {q['query']} | {q['bytes'] / 1024:.1f} | {q['ms']:.0f} "
                         f"| {q['requests']} | {q['results']} |")
    lines.append("")
    lines += ["## Per stage", "",
              "| records | stage | wall s | CPU s | peak RSS MB | output bytes | bytes/record |",
              "| ---: | --- | ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        f, n = r["facts"], max(r["facts"]["records"], 1)
        outputs = {"load_validate": f["input_bytes"], "render": f["docs_bytes"],
                   "mkdocs": f["site_bytes"] - f["search_bytes"] - f["feed_bytes"],
                   "feed": f["feed_bytes"], "search": f["search_bytes"], "finish": 0}
        for name, label in STAGES:
            st = r["stages"][name]
            if not st["seconds"] and name in ("search", "feed", "incremental"):
                continue   # a stage this build did not run (a full build plans nothing)
            out = outputs.get(name, 0)
            lines.append(f"| {f['records']} | {label} | {st['seconds']:.1f} | {st['cpu_seconds']:.1f} "
                         f"| {_mb(st['peak_rss_kb'])} | {out:,} | {out // n:,} |")
        staged = sum(r["stages"][name]["seconds"] for name, _ in STAGES)
        other_cpu = r["total"]["cpu_seconds"] - sum(r["stages"][name]["cpu_seconds"] for name, _ in STAGES)
        lines.append(f"| {f['records']} | 其他 other (start-up, imports, untimed steps) "
                     f"| {r['total']['wall_seconds'] - staged:.1f} | {other_cpu:.1f} | | | |")
        lines.append(f"| {f['records']} | baseline mkdocs-material (plain) | {r['baseline']['wall_seconds']:.1f} "
                     f"| {r['baseline']['cpu_seconds']:.1f} | {_mb(r['baseline']['peak_rss_kb'])} "
                     f"| {f['baseline_html_bytes']:,} (HTML) | {f['baseline_html_bytes'] // n:,} |")
    lines += ["", "Output of load + validate is the size of the records read; of render, the generated "
              "Markdown; of mkdocs, the site without the search index; of search, the index. Largest pages:", ""]
    for r in results:
        size, path = r["facts"]["largest_page"]
        lines.append(f"- {r['facts']['records']} records: `{path}`, {size / 1024:.0f} KB")
    lines += ["", NOTES]
    return "\n".join(lines) + "\n"


# What profiling (cProfile on 3,000 and 10,000 synthetic records, Material
# 9.8.2, mkdocs 1.6.1) found; kept here so that it is printed with the numbers.
NOTES = """## Where the time goes (profiled)

- **mkdocs itself** spends, per page, about as much as the baseline does without its search:
  Python-Markdown (mkdocs 1.6 builds a new `Markdown` instance for every page) and Material's page
  template (header, tabs, the fixed nav). This is linear and is the floor for any mkdocs-material
  build of this many pages. What the project adds to it was cut: cards and the news posts'
  previous/next links are raw HTML blocks (Markdown inside HTML was a third of Markdown's time), and
  the theme overrides of the nav and tabs render Material's own markup with less template work
  (tests/test_theme_partials.py holds them equal to Material's).
- **No blog plugin** (Material's blog plugin paginated the news before): its `page not in posts` list scans
  were quadratic, 44 % of mkdocs' time at 10,000 records. News is a kind of record listed by
  scripts/render like the others.
- **Search**: Material's search with jieba takes about a third of the baseline at 10,000 records.
  The project's own index (scripts/build/search.py, `search` stage) cuts text into characters and
  pairs of neighbours and spreads the posting lists over shards by a hash; about 5 s at 10,000
  records, and a query loads only its shards and the pages it shows.
- **Project stages**: `check` caches one jsonschema validator per kind and reads well-formed YAML
  with libyaml; templates look records up in dictionaries; every list is paginated. Compiled
  templates (the project's and Material's, about fifty) are kept in `.build/jinja`, which takes
  about 0.2 s off every build whatever its size. QR codes are drawn by the reader's browser from
  the page's address (lean-qr): writing one SVG file per record page cost 5 s of CPU at 10,000
  records (encoding, then creating, copying and deleting 8,300 files twice). The `.gz` copies for
  nginx are made when publishing, not by every build.
- **Kernel time** (the system part in "Run by run") is file creation and deletion: between 0.03
  and 0.15 ms a file on this machine's disk, changing from minute to minute, so the ratio of a
  run moves by a few hundredths with it.

## The gaps and their causes

- **Project stages over 10 %**: loading and checking 10,000 records (about 2.3 s) and writing their
  Markdown (about 5 s) are the project's own work; against a build that lost 30 s of plugin,
  search and QR time since that target was set, their share is about a fifth.
- **Search** targets (200 KB and 0.3 s for a first query) are measured in the browser at every
  size; see the Search table. A query loads `search/meta.js` (under 100 bytes), one shard per pair
  of characters it looks up (at most 4 whatever its length, about 4 KB each compressed at 10,000
  records), and the pages of the first 10 results (about 1.2 KB each), so neither figure grows
  with the number of pages.
"""


def _pairs(results: list[dict]) -> list[str]:
    """Each run's build and baseline, measured one after the other: the spread
    of the ratio, and how much of the CPU time is the kernel's (file creation
    and deletion, which varies on this kind of machine from minute to minute;
    besides the site, the build writes the docs tree and the search index,
    and deletes the previous ones)."""
    lines = ["### Run by run", "",
             "CPU seconds of each run, with the system (kernel) part in brackets, and the ratio of that run.", "",
             "| records | run | ours CPU s (system) | baseline CPU s (system) | ours / baseline |",
             "| ---: | ---: | ---: | ---: | ---: |"]
    for r in results:
        for i, (o, o_sys, b, b_sys) in enumerate(r.get("pairs", []), 1):
            lines.append(f"| {r['facts']['records']} | {i} | {o:.1f} ({o_sys:.1f}) | {b:.1f} ({b_sys:.1f}) "
                         f"| {o / max(b, 1e-9):.2f} |")
    return lines + [""]


def _targets(results: list[dict]) -> list[str]:
    """The targets of the scale issue, checked against the largest size."""
    big = max(results, key=lambda r: r["facts"]["records"])
    t, f, s = big["total"], big["facts"], big["stages"]
    project = sum(s[n]["cpu_seconds"] for n in PROJECT_STAGES) / max(t["cpu_seconds"], 1e-9)
    with_search = project + s["search"]["cpu_seconds"] / max(t["cpu_seconds"], 1e-9)
    per_record = {r["facts"]["records"]: r["facts"]["html_bytes"] / max(r["facts"]["records"], 1)
                  for r in results if r["size"] != "shipped"}
    flat = (max(per_record.values()) / min(per_record.values()) - 1) if len(per_record) > 1 else 0.0
    search_kb = max(q["bytes"] for q in f["search"]) / 1024
    search_ms = max(q["ms"] for q in f["search"])
    ratio = t["cpu_seconds"] / max(big["baseline"]["cpu_seconds"], 1e-9)
    # CPU per record, from the smallest synthetic size to the largest.
    cost = {r["facts"]["records"]: r["total"]["cpu_seconds"] / max(r["facts"]["records"], 1)
            for r in results if r["size"] != "shipped"}
    growth = (cost[max(cost)] / cost[min(cost)] - 1) if len(cost) > 1 else 0.0
    rows = [
        (f"whole build of {f['records']} records ≤ 0.85 × plain mkdocs-material with its search (CPU)",
         f"{ratio:.2f}", ratio <= 0.85),
        (f"CPU per record within 15 % from {min(cost, default=0)} to {max(cost, default=0)} records",
         f"{100 * growth:+.0f} %", abs(growth) <= 0.15),
        (f"full build of {f['records']} records ≤ 60 s", f"{t['wall_seconds']:.0f} s wall, {t['cpu_seconds']:.0f} s CPU",
         t["wall_seconds"] <= 60),
        ("project's own stages ≤ 10 % of the build (CPU)", f"{100 * project:.0f} %", project <= 0.10),
        ("the same with the search index (the project's own since 2026-11-25; before, Pagefind's)",
         f"{100 * with_search:.0f} %", with_search <= 0.10),
        ("HTML bytes per record flat within 20 % (synthetic sizes)", f"{100 * flat:+.0f} %", flat <= 0.20),
        ("peak memory ≤ 1.5 GB", f"{t['peak_rss_kb'] / 1024:.0f} MB", t["peak_rss_kb"] <= 1.5 * 1024 * 1024),
        (f"`check` of {f['records']} records ≤ 3 s", f"{big['check_seconds']:.1f} s", big["check_seconds"] <= 3),
        ("no page over 150 KB", f"largest {f['largest_page'][0] / 1024:.0f} KB", f["pages_over_limit"] == 0),
        ("search: every first query ≤ 200 KB", f"largest {search_kb:.0f} KB", search_kb * 1024 <= SEARCH_BYTES_TARGET),
        ("search: every first result within 0.3 s", f"slowest {search_ms:.0f} ms", search_ms <= SEARCH_MS_TARGET),
    ]
    return ["## Targets", "", "| target | measured | met |", "| --- | ---: | :---: |",
            *[f"| {name} | {value} | {'yes' if ok else '**no**'} |" for name, value, ok in rows], ""]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scripts.dev.bench", description="构建性能基准，写入 BENCHMARKS.md")
    parser.add_argument("--sizes", default="shipped,1000,10000", help="逗号分隔：shipped 或记录数")
    parser.add_argument("--runs", type=int, default=3, help="每个规模运行次数（取中位数）")
    parser.add_argument("--out", type=Path, default=ROOT / "BENCHMARKS.md", help="报告文件")
    parser.add_argument("--work", type=Path, default=ROOT / ".build" / "bench", help="临时目录")
    parser.add_argument("--child", nargs=3, metavar=("KIND", "ROOT", "JSON"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        kind, root, out = args.child
        return (child_build if kind == "build" else child_baseline)(Path(root), Path(out))

    started, load = time.perf_counter(), os.getloadavg()[0]
    args.work.mkdir(parents=True, exist_ok=True)
    results = [measure(size, args.runs, args.work) for size in args.sizes.split(",")]
    command = "make bench" if argv is None and not sys.argv[1:] else \
        "python -m scripts.dev.bench " + " ".join(sys.argv[1:] if argv is None else argv)
    text = report(results, command, (load, os.getloadavg()[0]), time.perf_counter() - started)
    # The print section is make bench-print's (bench_print.py): kept as it was.
    from .bench_print import kept_section
    kept = kept_section(args.out.read_text(encoding="utf-8")) if args.out.exists() else ""
    if kept:
        text = text.rstrip("\n") + "\n\n" + kept
    # Incremental builds (bench_incremental.py) at the synthetic sizes: one
    # change at a time, beside a full build of the same repository.
    from . import bench_incremental
    synthetic = [size for size in args.sizes.split(",") if size.isdigit()]
    if synthetic:
        rows = [row for size in synthetic for row in bench_incremental.measure(int(size), args.work)]
        text = bench_incremental.replace_section(text, bench_incremental.section(rows, command))
    args.out.write_text(text, encoding="utf-8")
    print(text)
    shutil.rmtree(args.work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
