"""make lighthouse: Lighthouse (mobile) on the built site served with gzip from
127.0.0.1, scores written to LIGHTHOUSE.md. Fails below the targets
(Performance 95, Accessibility 100, Best Practices 100, SEO 100) on the
home page, an exemplar, a film and a news post (the first of each kind, real
records first: scripts.dev.pagekinds).

Lighthouse itself is pinned in tools/lighthouse/package.json and installed by
npm into tools/lighthouse/node_modules (ignored by git).
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
from datetime import datetime, timezone
from pathlib import Path

from .gzip_server import serving
from .pagekinds import page_kinds

ROOT = Path(__file__).resolve().parents[2]
LIGHTHOUSE = ROOT / "tools" / "lighthouse" / "node_modules" / ".bin" / "lighthouse"
PAGE_KINDS = {"首页": "home", "先进典型页": "unit", "专题片页": "film", "工作动态文章": "news-post"}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}
CHROME_FLAGS = "--headless=new --no-sandbox --disable-gpu --disable-background-networking --no-first-run"


def command(url: str, out: Path) -> list[str]:
    return [str(LIGHTHOUSE), url, "--quiet", "--form-factor=mobile", "--output=json",
            f"--output-path={out}", f"--only-categories={','.join(CATEGORIES)}",
            f"--chrome-flags={CHROME_FLAGS}"]


def _machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor() or "unknown")
    return f"{platform.node() or 'unknown'}: {platform.system()} {platform.release()}, {os.cpu_count()} × {cpu}"


def _chromium_version() -> str:
    return subprocess.run([os.environ["CHROME_PATH"], "--version"], capture_output=True, text=True).stdout.strip()


def run(site: Path, report: Path, runs: int = 3) -> bool:
    os.environ.setdefault("CHROME_PATH", "/usr/bin/chromium")
    rows, ok, version = [], True, ""
    kinds = page_kinds(ROOT)
    pages = {name: kinds[kind] for name, kind in PAGE_KINDS.items() if kind in kinds}
    with serving(site) as base, tempfile.TemporaryDirectory() as tmp:
        for name, path in pages.items():
            # The median of several runs, as Lighthouse advises: the
            # simulated timings move with the machine's load.
            results = []
            for i in range(runs):
                out = Path(tmp) / f"report-{i}.json"
                subprocess.run(command(base + path, out), check=True)
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
    example = " ".join(f'"{a}"' if " " in a else a for a in command(base + "<页面>", Path("report.json")))
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
        "- 网站：`make site` 生成的 site/，由 `scripts/dev/gzip_server.py` 在 127.0.0.1 上以 gzip 压缩提供",
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
