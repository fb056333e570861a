"""The browser libraries the site ships are their npm releases, unchanged
but for the export line (scripts/dev/vendor.py): the tarball is fetched
again, checked against its pinned integrity, and made into the same file."""
from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.dev.vendor import LIBRARIES, VENDOR, Library, classic_script, node_check

ROOT = Path(__file__).resolve().parent.parent


def test_every_library_is_shipped_with_its_licence():
    for lib in LIBRARIES:
        text = (VENDOR / lib.target).read_text(encoding="utf-8")
        assert text.startswith(f"/*! {lib.package} {lib.version} (npm, {lib.integrity})")
        assert "Permission is hereby granted" in text.split("*/", 1)[0], "the licence rides along"
        assert f"window.{lib.global_name}=" in text and "export{" not in text.replace(" ", "")
        if shutil.which("node"):
            assert node_check(text) is None, "a classic script that parses"


def test_the_export_line_becomes_one_global():
    lib = Library("x", "1", "sha512-x", "m.mjs", "LICENSE", "xLib", "x.js")
    text = classic_script(lib, "const a=1,b=2;export {\n  a  as one,\n  b,\n};\n", "MIT */ licence")
    assert "*/ licence" not in text
    node = shutil.which("node")
    if node:
        out = subprocess.run([node, "-e", "global.window={};" + text + "console.log(JSON.stringify(window.xLib))"],
                             capture_output=True, text=True, check=True).stdout
        assert out.strip() == '{"one":1,"b":2}'
    assert text.endswith('(function(){"use strict";const a=1,b=2;window.xLib={one:a,b:b};})();\n')
    if node:
        assert node_check("(function(){import x from 'y';})();") is not None, "the check can fail"


@pytest.mark.slow   # npm pack: the registry
@pytest.mark.timeout(900)    # npm pack, allowed 600 s below
def test_the_shipped_files_are_the_releases():
    if not shutil.which("npm"):
        pytest.skip("npm 未安装")
    done = subprocess.run([sys.executable, "-m", "scripts.dev.vendor", "--check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
