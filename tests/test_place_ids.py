"""Ids from the region's names: the place words (嘎查, 苏木, 党支部, 党委…)
are one part each, the same in `make new` and in the workbench's
按名称生成 (/api/new-id), and a place name jieba does not know stays one part."""
from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.parse

import pytest

from scripts.editor.new import PLACE_WORDS, pinyin_id
from scripts.editor.workbench import Handler, Server, Workbench
from tests.conftest import ROOT
from tests.test_workbench_api import request

NAMES = {"红星嘎查党支部": "hongxing-gacha-dangzhibu", "某某苏木党委": "moumou-sumu-dangwei",
         "新立村党支部": "xinlicun-dangzhibu", "成吉思汗镇党委": "chengjisihan-zhen-dangwei",
         "卧牛河镇东光村党支部": "woniuhe-zhen-dongguang-cun-dangzhibu"}


@pytest.mark.parametrize("name, rid", NAMES.items())
def test_the_place_words_are_parts_of_their_own(name, rid):
    assert pinyin_id(name) == rid


def test_every_place_word_is_one_part():
    for word in PLACE_WORDS:
        assert pinyin_id(f"某某{word}").count("-") == 1, word


@pytest.fixture
def served(repo):
    bench = Workbench(repo.path, "http://127.0.0.1:1/")
    server = Server(("127.0.0.1", 0), type("H", (Handler,), {"bench": bench}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


@pytest.mark.slow
@pytest.mark.parametrize("name", ["红星嘎查党支部", "某某苏木党委"])
def test_make_new_and_the_workbench_give_the_same_id(repo, served, name):
    status, body = request(served, "GET", "/api/new-id?kind=unit&name=" + urllib.parse.quote(name))
    assert status == 200 and json.loads(body) == {"id": NAMES[name]}
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo.path), "new", "unit", name],
                          cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0 and f"exemplars/units/{NAMES[name]}.md" in done.stdout, done.stdout + done.stderr
