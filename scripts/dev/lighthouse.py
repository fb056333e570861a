"""make lighthouse: Lighthouse (mobile) on the built site as readers get it
(nginx with the configuration publishing installs, HTTPS and HTTP/2, the
files precompressed: scripts/dev/nginx_server.py), scores written to
LIGHTHOUSE.md. Fails below the targets (Performance 95, Accessibility 100,
Best Practices 100, SEO 100) on the home page and the first record page of
every kind of the model that has pages of its own (real records first:
scripts.dev.pagekinds), so that a new kind is measured too.

Lighthouse itself is pinned in tools/lighthouse/package.json and installed by
npm into tools/lighthouse/node_modules (ignored by git).
"""
from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from ..records.schema import schema_for
from .machine import machine
from .nginx_server import serving
from .pagekinds import page_kinds

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE = ROOT / "tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --no-first-run"


def command(url: str, out: Path, chrome_args: list[str] = ()) -> list[str]:
    # Lighthouse splits --chrome-flags at spaces, except inside quotes.
    quoted = [f'{a.split("=", 1)[0]}="{a.split("=", 1)[1]}"' if " " in a else a for a in chrome_args]
    return [str(LIGHTHOUSE), url, "--quiet", "--form-factor=mobile", "--output=json",
            f"--output-path={out}", f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={' '.join([CHROME_FLAGS, *quoted])}"]


def pages_to_measure(root: Path) -> dict[str, str]:
    """{name in the report: address}: the home page, then a record page of each
    kind of the model with pages of its own that has records."""
    kinds = page_kinds(root)
    pages = {"首页": kinds["home"]}
    for kind in schema_for(root).kinds.values():
        if not kind.is_list_file and kind.name in kinds:
            pages[f"{kind.label}页"] = kinds[kind.name]
    return pages


def _machine() -> str:
    m = machine()
    return f"{m.host}: {m.system}, {m.cores} × {m.cpu}"


def _chromium_version() -> str:
    return subprocess.run([os.environ["CHROME_PATH"], "--version"], capture_output=True, text=True).stdout.strip()


def run(site: Path, report: Path, runs: int = 3, root: Path = ROOT) -> bool:
    os.environ.setdefault("CHROME_PATH", "/usr/bin/chromium")
    rows, ok, version = [], True, ""
    pages = pages_to_measure(root)
    with serving(root, site, root / ".build" / "lighthouse") as served, tempfile.TemporaryDirectory() as tmp:
        base = served.url
        for name, path in pages.items():
            # The median of several runs, as Lighthouse advises: the
            # simulated timings move with the machine's load.
            results = []
            for i in range(runs):
                out = Path(tmp) / f"report-{i}.json"
                subprocess.run(command(base + path, out, served.chromium_args), check=True)
                results.append(json.loads(out.read_text(encoding="utf-8")))
            results.sort(key=lambda d: d["categories"]["performance"]["score"])
            data = results[len(results) // 2]
            version = data["lighthouseVersion"]
            scores = {c: round(data["categories"][c]["score"] * 100) for c in CATEGORIES}
            scores["all_perf"] = "、".join(str(round(d["categories"]["performance"]["score"] * 100))
                                          for d in results)
            for c in ("accessibility", "best-practices", "seo"):   # the worst run of these
                scores[c] = min(round(d["categories"][c]["score"] * 100) for d in results)
            metrics = {k: data["audits"][k]["displayValue"] for k in
                       ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time",
                        "cumulative-layout-shift", "speed-index")}
            rows.append((name, "/" + path, scores, metrics))
            ok &= all(scores[c] >= t for c, t in TARGETS.items())
    example = shlex.join(command(base + "<页面>", Path("report.json"), served.chromium_args))
    example = example.replace(str(ROOT) + "/", "")
    lines = [
        "# Lighthouse 测试结果",
        "",
        "由 `make lighthouse` 生成（`scripts/dev/lighthouse.py`），请勿手工修改。"
        f"目标：性能 {TARGETS['performance']} 分以上，无障碍、最佳实践、SEO 均为 {TARGETS['accessibility']} 分（移动设备模拟，默认的网络和 CPU 限速）。",
        "",
        f"- 日期：{datetime.now(timezone.utc).strftime('%Y-%m-%d %H:%M UTC')}",
        f"- 机器：{_machine()}",
        f"- Lighthouse {version}，{_chromium_version()}，Node {subprocess.run(['node', '--version'], capture_output=True, text=True).stdout.strip()}",
        "- 网站：`make site` 生成的 site/，按发布时的方式预压缩，由 nginx 以发布时的配置（HTTPS、HTTP/2）"
        "在 127.0.0.1 上提供（`scripts/dev/nginx_server.py`）",
        "- 命令（CHROME_PATH=/usr/bin/chromium）：",
        "",
        f"  `{example}`",
        "",
        f"每个页面运行 {runs} 次：性能等取中位数那一次（括号内为各次的性能分），无障碍、最佳实践、SEO 取最低分。",
        "",
        "| 页面 | 地址 | 性能 | 无障碍 | 最佳实践 | SEO | FCP | LCP | TBT | CLS | Speed Index |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, path, s, m in rows:
        lines.append(f"| {name} | `{path}` | {s['performance']}（{s['all_perf']}） | {s['accessibility']} | {s['best-practices']} | "
                     f"{s['seo']} | {m['first-contentful-paint']} | {m['largest-contentful-paint']} | "
                     f"{m['total-blocking-time']} | {m['cumulative-layout-shift']} | {m['speed-index']} |")
    lines += ["", "结果：" + ("达到目标。" if ok else "**未达到目标。**"), ""]
    report.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))
    return ok


if __name__ == "__main__":
    if not LIGHTHOUSE.exists():
        print("未安装 Lighthouse：请运行 make lighthouse", file=sys.stderr)
        sys.exit(1)
    sys.exit(0 if run(ROOT / "site", ROOT / "LIGHTHOUSE.md") else 1)
