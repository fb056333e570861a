"""`make print` checks its system libraries first: the Debian packages that
are missing are named, and a user who cannot install them is told exactly
what to ask the administrator for (not apt-get's English refusal)."""
from __future__ import annotations

import subprocess
import sys

import pytest

from scripts.print import FONT_PACKAGE, SYSTEM_LIBRARIES, missing_message, missing_packages
from scripts.print.__main__ import main

from tests.conftest import ROOT


def test_a_missing_library_is_named_by_its_debian_package():
    found = missing_packages(find=lambda name: None if name in ("pango-1.0", "harfbuzz-subset") else f"lib{name}.so")
    assert [p for p in found if p != FONT_PACKAGE] == ["libpango-1.0-0", "libharfbuzz-subset0"]
    assert [p for p in missing_packages(find=lambda name: None) if p != FONT_PACKAGE] == list(SYSTEM_LIBRARIES.values())


def test_a_user_who_cannot_install_is_told_what_to_ask_for(capsys):
    assert main(["libpango-1.0-0", "fonts-noto-cjk"], uid=1000) == 1
    err = capsys.readouterr().err
    assert "当前用户无权安装" in err and "系统管理员" in err
    assert "apt-get install -y --no-install-recommends libpango-1.0-0 fonts-noto-cjk" in err


def test_nothing_missing_nothing_done(capsys):
    assert main([], uid=1000) == 0 and capsys.readouterr() == ("", "")


@pytest.mark.slow
def test_the_probe_agrees_with_weasyprint_on_this_machine():
    """What the probe finds, WeasyPrint can load (and the other way round)."""
    loads = subprocess.run([sys.executable, "-c", "import weasyprint"], cwd=ROOT, capture_output=True).returncode == 0
    libraries = [p for p in missing_packages() if p != FONT_PACKAGE]
    assert loads == (not libraries)
    assert "make print-deps" in missing_message(["fontconfig"], root_user=True)
