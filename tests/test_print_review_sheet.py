"""`make print REVIEW_SHEET=<id>` (python -m scripts print --review-sheet):
an item's 信息发布审核单, read back from the PDF with pdftotext: its title,
unit, the three reviewers with their accounts, times and comments, whether
each signature verifies, the content hash and the commit. The review chain
is driven by the newsroom's own rules and commits (review.py, repository.py),
signed with a key pair whose public half is the repository's newsroom.yml."""
from __future__ import annotations

from pathlib import Path

import pytest

from scripts.editor.record_file import record_text
from scripts.newsroom import repository, review
from scripts.records.signatures import STAGE_LABELS, STAGES, content_hash, generate_keypair, newsroom_file_text
from scripts.records.schema import schema_for
from tests.newsroom.helpers import git
from tests.pdf_reading import A4, fonts, lines, page_count, page_sizes, page_texts, squeeze
from tests.test_print import cli

pytestmark = pytest.mark.slow

UNIT = "review-sheet-unit"
PEOPLE = {
    "lisi": review.Person("lisi", "李四", frozenset({"撰稿"}), frozenset({UNIT})),
    "zhao": review.Person("zhao", "赵一", frozenset({"初审"})),
    "qian": review.Person("qian", "钱二", frozenset({"复审"})),
    "sun": review.Person("sun", "孙三", frozenset({"终审"})),
}
COMMENTS = {"first": "初审：事实核对无误。", "second": "复审：同意，建议配图。", "final": "终审：同意发布。"}


def _commit(root: Path, rid: str, data: dict, message: str, who: review.Person) -> None:
    record = repository.find_record(root, "unit", rid)
    repository.commit_record(root, record, data, message, who.name, who.account)


@pytest.fixture(scope="module")
def repo(tmp_path_factory):
    """A repository under git with newsroom.yml, and a unit reviewed through
    all three stages by the newsroom's rules."""
    from cryptography.hazmat.primitives import serialization

    from tests.conftest import Repo
    root = tmp_path_factory.mktemp("sheet")
    Repo(root, with_content=True)
    private_pem, public_pem = generate_keypair()
    key = serialization.load_pem_private_key(private_pem, password=None)
    (root / "newsroom.yml").write_text(newsroom_file_text(public_pem), encoding="utf-8")
    kind = schema_for(root).kinds["unit"]
    (root / kind.path.replace("*", UNIT)).write_text(record_text(kind, {
        "name": "审核单测试党支部", "sector": "农村", "summary": "用于测试信息发布审核单。", "status": "draft"},
        "正文第一段。\n\n正文第二段。"), encoding="utf-8")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "初始内容")
    record = repository.find_record(root, "unit", UNIT)
    _commit(root, UNIT, review.submit(PEOPLE["lisi"], record, {UNIT}, "请审核。"), "提交审核", PEOPLE["lisi"])
    for stage, who in zip(STAGES, ("zhao", "qian", "sun")):
        record = repository.find_record(root, "unit", UNIT)
        _, data = review.approve(PEOPLE[who], record, key, COMMENTS[stage], stage, repository.as_written(root, record))
        _commit(root, UNIT, data, f"{stage}通过", PEOPLE[who])
    return root


def sheet_text(root: Path, query: str) -> tuple[Path, str]:
    done = cli(root, "--review-sheet", query)
    assert done.returncode == 0, done.stderr
    assert "已生成：dist/shenhedan-unit-" in done.stdout
    pdf = root / "dist" / f"shenhedan-unit-{UNIT}.pdf"
    return pdf, squeeze("".join(page_texts(pdf)))


def stage_rows(pdf: Path) -> dict[str, str]:
    """The text of each stage's row of the table: the lines from its label
    (初审, 复审, 终审 alone in the first column) down to the next one's, the
    last down to the note under the table."""
    found = lines(pdf)
    starts = [(l.y0, stage) for stage in STAGES for l in found if l.text == STAGE_LABELS[stage]]
    assert len(starts) == 3, starts
    starts.sort()
    ends = [y for y, _ in starts[1:]] + [min(l.y0 for l in found if l.text.startswith("说明："))]
    return {stage: "".join(l.text for l in found if y - 2 <= l.y0 < end)
            for (y, stage), end in zip(starts, ends)}


def test_the_sheet_names_the_three_reviewers_their_dates_comments_and_the_hash(repo):
    pdf, text = sheet_text(repo, UNIT)
    record = repository.find_record(repo, "unit", UNIT)
    assert page_count(pdf) == 1
    (w, h), = page_sizes(pdf)
    assert abs(w - A4[0]) < 0.5 and abs(h - A4[1]) < 0.5
    assert all(f.embedded and f.subset for f in fonts(pdf))
    for s in ("信息发布审核单", "审核单测试党支部", "先进典型", "李四（lisi）", content_hash(record),
              git(repo, "log", "-1", "--format=%H").strip()):
        assert squeeze(s) in text, s
    rows = stage_rows(pdf)
    for stage, who in zip(STAGES, ("zhao", "qian", "sun")):
        # Each stage's row holds its reviewer, account, date, time (Beijing) and comment.
        block, row = record["review"][stage], rows[stage]
        for s in (PEOPLE[who].name, f"（{who}）", block["time"][:10], block["time"][11:19], COMMENTS[stage],
                  "电子签名有效"):
            assert s in row, (stage, s, row)
    assert "签名无效" not in text
    assert text.count("签字：") >= 4


def test_a_copied_signature_prints_as_invalid(repo, tmp_path):
    import shutil
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy, symlinks=True)
    record = repository.find_record(copy, "unit", UNIT)
    path = copy / record.path
    first, final = record["review"]["first"]["signature"], record["review"]["final"]["signature"]
    path.write_text(path.read_text(encoding="utf-8").replace(final, first), encoding="utf-8")
    git(copy, "commit", "-q", "-am", "手工修改")
    pdf, text = sheet_text(copy, f"unit/{UNIT}")
    rows = stage_rows(pdf)
    assert "电子签名有效" in rows["first"] and "电子签名有效" in rows["second"]
    assert "电子签名无效" in rows["final"] and "电子签名有效" not in rows["final"]


def test_an_unknown_item_is_refused_in_chinese(repo):
    done = cli(repo, "--review-sheet", "no-such-record")
    assert done.returncode == 1 and "没有编号为“no-such-record”" in done.stderr and "Traceback" not in done.stderr
    done = cli(repo, "--review-sheet", "figure/x")
    assert done.returncode == 1 and "没有“figure”这种需要三审的记录类型" in done.stderr
