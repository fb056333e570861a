"""Chinese typesetting in the printed compilation, measured on the PDF
(pdftotext -bbox-layout): justified lines end flush at the text block's right
edge (scripts/print/cjk.py), story paragraphs start two characters in, no line
starts with closing punctuation or ends with opening punctuation, and no
paragraph leaves a single line at the foot or the head of a page.

The story is generated: sentences of the synthetic vocabulary with digits,
Latin letters, brackets and quotation marks, in paragraphs of one to eight
lines, long enough to cross several pages."""
from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.dev.synth import ACTIONS, DETAILS, RESULTS, SUBJECTS
from tests.pdf_reading import TEXT_BLOCK, lines, squeeze

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parent.parent
EM = 14.0                     # print.css: 14 pt text
LEFT = 25.9 / 25.4 * 72       # the text block's left edge, points
RIGHT = 595.276 - LEFT
TOLERANCE = 0.6               # points: a twentieth of a character
NO_LINE_START = set("、。，．：；！？）》」』】〕〉”’…—·")
NO_LINE_END = set("（《「『【〔〈“‘")
EXTRAS = ["（2016年）", "共59部", "2000㎡以上", "QR码", "“三会一课”", "《党章》", "第1季度", "A4纸",
          "约70%的农户", "WiFi", "、", "；"]


def story(seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    paragraphs = []
    for n in [1, 3, 8, 2, 5, 1, 7, 4, 6, 2, 8, 3, 5, 6, 2, 7, 1, 4, 8, 3]:
        sentences = []
        for _ in range(n * 2):
            s = f"{rnd.choice(SUBJECTS)}{rnd.choice(ACTIONS)}{rnd.choice(EXTRAS)}，{rnd.choice(DETAILS)}，{rnd.choice(RESULTS)}。"
            sentences.append(s)
        paragraphs.append("".join(sentences)[: n * 30 + rnd.randint(0, 25)].rstrip("，、；") + "。")
    return paragraphs


TABLE_ROWS = [f"表格第{i}行的做法，" + "，".join(random.Random(i).sample(ACTIONS, 9)) + "。"
              for i in range(1, 31)]


@pytest.fixture(scope="module")
def story_lines(tmp_path_factory):
    from tests.conftest import Repo
    repo = Repo(tmp_path_factory.mktemp("typesetting"), with_content=False)
    paragraphs = story()
    repo.write("exemplars/units/sample-typesetting.md",
               "---\nname: 示例排版测试党支部\nsector: 农村\nsample: true\nstatus: published\n---\n\n"
               + "\n\n".join(paragraphs) + "\n")
    # A long table (rows of five lines and more) in a second record: it crosses pages.
    repo.write("exemplars/units/sample-table.md",
               "---\nname: 示例表格党支部\nsector: 社区\nsample: true\nstatus: published\n---\n\n"
               "| 做法和成效 |\n| --- |\n" + "".join(f"| {row} |\n" for row in TABLE_ROWS))
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo.path), "print", "--samples"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    pdf = repo.path / "dist" / "xianjin-dianxing-huibian-shili.pdf"
    text = squeeze("".join(paragraphs))
    every = lines(pdf)
    # The table's record (社区) follows the story's (农村); its title is also in the contents.
    table_starts = max(line.page for line in every if "示例表格党支部" in line.text)
    found = [line for line in every
             if line.page < table_starts and TEXT_BLOCK[0] < line.y0 < TEXT_BLOCK[1]
             and len(squeeze(line.text)) >= 2 and squeeze(line.text) in text]
    return paragraphs, found, pdf


def test_the_story_is_read_back_whole_and_in_order(story_lines):
    paragraphs, found, _ = story_lines
    assert squeeze("".join(line.text for line in found)) == squeeze("".join(paragraphs))


def test_story_paragraphs_start_two_characters_in(story_lines):
    paragraphs, found, _ = story_lines
    starts = [line for line in found if abs(line.x0 - (LEFT + 2 * EM)) <= TOLERANCE]
    rest = [line for line in found if abs(line.x0 - LEFT) <= TOLERANCE]
    assert len(starts) + len(rest) == len(found), [l.text for l in found if l not in starts and l not in rest]
    assert [squeeze(l.text) for l in starts] == [squeeze(p)[: len(squeeze(l.text))]
                                                 for p, l in zip(paragraphs, starts)]


def test_justified_lines_end_flush_at_the_right_edge(story_lines):
    _, found, _ = story_lines
    full = 0
    for line, following in zip(found, found[1:]):
        continues = abs(following.x0 - LEFT) <= TOLERANCE   # the next line is not a paragraph's first
        if continues:
            assert abs(line.x1 - RIGHT) <= TOLERANCE, f"page {line.page}: ends at {line.x1:.2f}, " \
                                                      f"not {RIGHT:.2f}: {line.text}"
            full += 1
    assert full > 40, "enough full lines were measured"
    # The lines with narrow characters (digits, Latin) were among them.
    assert any(any(c.isascii() and c.isalnum() for c in line.text) for line in found)


def test_no_line_starts_with_closing_or_ends_with_opening_punctuation(story_lines):
    _, found, _ = story_lines
    for line in found:
        text = line.text.strip()
        assert text[0] not in NO_LINE_START, f"page {line.page}: {text}"
        assert text[-1] not in NO_LINE_END, f"page {line.page}: {text}"


def test_no_single_line_of_a_paragraph_at_a_page_foot_or_head(story_lines):
    _, found, _ = story_lines
    pages = sorted({line.page for line in found})
    assert len(pages) >= 3, "the story crosses pages"
    # Split the lines into paragraphs, and each paragraph by page.
    paragraphs, current = [], []
    for line in found:
        if abs(line.x0 - LEFT - 2 * EM) <= TOLERANCE and current:
            paragraphs.append(current)
            current = []
        current.append(line)
    paragraphs.append(current)
    crossing = 0
    for para in paragraphs:
        by_page: dict[int, int] = {}
        for line in para:
            by_page[line.page] = by_page.get(line.page, 0) + 1
        if len(by_page) > 1:
            crossing += 1
            assert min(by_page.values()) >= 2, f"a lone line: {squeeze(para[0].text)[:20]} {by_page}"
    assert crossing, "some paragraph crosses a page"


def test_tables_are_not_split_inside_a_row(story_lines):
    from tests.pdf_reading import page_texts
    _, _, pdf = story_lines
    pages = [squeeze(t) for t in page_texts(pdf, block=True)]
    holding = set()
    for i, row in enumerate(TABLE_ROWS, 1):
        on = [n for n, page in enumerate(pages) if squeeze(row) in page]
        assert len(on) == 1, f"row {i} is not whole on one page"
        holding.add(on[0])
    assert len(holding) >= 2, "the table crosses a page"
    # Its head is repeated on each page it crosses.
    assert all("做法和成效" in pages[n] for n in holding)
