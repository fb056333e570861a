"""`make bench-print` (scripts/dev/bench_print.py): it runs, writes its own
section of BENCHMARKS.md and leaves the rest alone; `make bench` keeps that
section; and the committed BENCHMARKS.md holds the run at 1,000 records."""
from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.dev.bench_print import SECTION_END, SECTION_START, kept_section, write_section

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_bench_print_times_print_next_to_the_web_build(tmp_path):
    out = tmp_path / "BENCHMARKS.md"
    out.write_text("# Benchmarks\n\nThe build's own figures.\n", encoding="utf-8")
    for _ in range(2):   # the second run replaces the section
        done = subprocess.run([sys.executable, "-m", "scripts.dev.bench_print", "--sizes", "30",
                               "--out", str(out), "--work", str(tmp_path / "work")],
                              cwd=ROOT, capture_output=True, text=True, timeout=900)
        assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Benchmarks\n\nThe build's own figures.\n")
    assert text.count(SECTION_START) == 1 and text.count(SECTION_END) == 1
    row = re.search(r"^\| 30 \(30\) \|(.+)\|$", text, re.M)
    assert row, text
    cells = [float(c) for c in row.group(1).split("|")]
    assert len(cells) == 8 and all(c > 0 for c in cells)
    assert "先进典型事迹材料汇编" in text and "专题片目录" in text


def test_the_section_survives_a_rewrite_of_the_rest(tmp_path):
    out = tmp_path / "B.md"
    out.write_text("# old\n", encoding="utf-8")
    write_section(out, f"{SECTION_START}\nfigures\n{SECTION_END}\n")
    assert kept_section(out.read_text(encoding="utf-8")) == f"{SECTION_START}\nfigures\n{SECTION_END}\n"
    write_section(out, f"{SECTION_START}\nnew figures\n{SECTION_END}\n")
    assert out.read_text(encoding="utf-8") == f"# old\n\n{SECTION_START}\nnew figures\n{SECTION_END}\n"


def test_benchmarks_md_records_print_at_1000_records():
    text = (ROOT / "BENCHMARKS.md").read_text(encoding="utf-8")
    section = kept_section(text)
    assert section, "make bench-print has written its section"
    row = re.search(r"^\| (\d+) \((\d+)\) \|(.+)\|$", section, re.M)
    assert row and int(row.group(2)) >= 1000, "print measured at 1,000 records or more"
    assert "print / build" in section
