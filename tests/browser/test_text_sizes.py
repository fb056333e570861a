"""Every page kind at the reading aids' text sizes (标准, 大, 特大) and in 高对比度,
on a 320 px and a 390 px phone and a 1366 px desktop, in Chromium: no sideways
scrolling, nothing wider than the screen, nothing laid over something else,
targets of 44 px, and axe clean with its best-practice rules too (`region`:
no content outside a landmark; unique landmarks).

Bounded: every page kind at 特大 at the three widths (the largest text is
where layouts break), and every size and 高对比度 on a phone for the home
page and a record page. One browser for all (the session's)."""
from __future__ import annotations

import json

import pytest
from axe_playwright_python.sync_playwright import Axe

from scripts.dev.pagekinds import page_kinds
from tests.portal_checks import MIN_TARGET_PX, OVERFLOW, SMALL_TARGETS

pytestmark = pytest.mark.slow

AXE_ALL = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]}}
WIDTHS = {320: 640, 390: 844, 1366: 768}
# The reading aids' choices as assets/zlt/reading.js keeps them in localStorage.
SIZES = {"标准": {}, "大": {"size": "large"}, "特大": {"size": "xlarge"}, "高对比度": {"contrast": "high"}}

# Boxes a reader sees (controls, pictures, text blocks) that lie over one
# another by more than 2 px each way, neither inside the other. An inline
# box is measured by its text: its padding (added to enlarge a link's tap
# target, site.css) may lie over the next line, which is meant. Left out:
# what is hidden, the closed menu drawer, the search dialog, and what sits in
# a box clipped to nothing (a table's header row kept for screen readers).
OVERLAPS = """() => {
  const sel = 'a[href], button, input:not([type=hidden]), select, textarea, summary, img, svg, video, ' +
              'h1, h2, h3, h4, p, li, td, th, figcaption, time, label';
  const clipped = e => {
    for (let a = e.parentElement; a; a = a.parentElement) {
      const s = getComputedStyle(a), r = a.getBoundingClientRect();
      if (s.overflow !== 'visible' && (r.width < 2 || r.height < 2)) return true;
    }
    return false;
  };
  const boxes = [];
  for (const e of document.querySelectorAll(sel)) {
    if (e.closest('.md-sidebar, dialog, .zlt-skip, .zlt-visually-hidden, svg *')) continue;
    if (!e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true}) || clipped(e)) continue;
    let r = e.getBoundingClientRect();
    if (getComputedStyle(e).display === 'inline') {
      const range = document.createRange(); range.selectNodeContents(e); r = range.getBoundingClientRect();
    }
    if (r.width >= 2 && r.height >= 2) boxes.push([e, r]);
  }
  const name = e => `${e.tagName}.${e.getAttribute('class') || ''} ` +
                    (e.innerText || e.getAttribute('aria-label') || '').trim().slice(0, 12);
  const out = [];
  for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
    const [a, ra] = boxes[i], [b, rb] = boxes[j];
    if (a.contains(b) || b.contains(a)) continue;
    const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
    const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
    if (w > 2 && h > 2) out.push([name(a), name(b), Math.round(w), Math.round(h)]);
    if (out.length >= 5) return out;
  }
  return out;
}"""

SIDEWAYS = "document.documentElement.scrollWidth - document.documentElement.clientWidth"


@pytest.fixture(scope="module")
def kinds(built_site):
    return page_kinds(built_site.parent)   # the repository the site was built from


def reader_at(browser, width: int, choice: dict):
    """A page of a fresh context at `width`, with the reading aids `choice`
    already chosen (as a reader who chose them on an earlier visit)."""
    context = browser.new_context(locale="zh-CN", viewport={"width": width, "height": WIDTHS[width]})
    context.add_init_script(f"localStorage.setItem('zlt-reading', {json.dumps(json.dumps(choice))})")
    return context, context.new_page()


def problems(page, url: str, choice: dict) -> dict:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    # The choice is in force (else the sizes would all be tested at 标准).
    root = page.evaluate("[document.documentElement.dataset.zltSize || '', document.documentElement.dataset.zltContrast || '']")
    assert root == [choice.get("size", ""), choice.get("contrast", "")], url
    found = {
        "scrolls sideways by (px)": page.evaluate(SIDEWAYS),
        "wider than the screen": page.evaluate(OVERFLOW),
        "laid over one another": page.evaluate(OVERLAPS),
        "targets under 44 px": page.evaluate(SMALL_TARGETS, MIN_TARGET_PX),
        "axe": [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
                for v in Axe().run(page, options=AXE_ALL).response["violations"]],
    }
    return {k: v for k, v in found.items() if v}


@pytest.mark.timeout(600)
@pytest.mark.parametrize("width", list(WIDTHS))
def test_every_page_kind_at_the_largest_text(browser, site_url, kinds, width):
    context, page = reader_at(browser, width, SIZES["特大"])
    try:
        found = {kind: p for kind, path in kinds.items() if (p := problems(page, site_url + path, SIZES["特大"]))}
    finally:
        context.close()
    assert found == {}


@pytest.mark.parametrize("choice", list(SIZES))
def test_every_text_size_on_a_phone(browser, site_url, kinds, choice):
    context, page = reader_at(browser, 390, SIZES[choice])
    try:
        found = {kind: p for kind in ("home", "unit", "news")
                 if (p := problems(page, site_url + kinds[kind], SIZES[choice]))}
    finally:
        context.close()
    assert found == {}


def test_the_larger_sizes_make_the_text_larger(browser, site_url, kinds):
    """What the other tests rely on: each choice really changes the page."""
    sizes = {}
    for choice in ("标准", "大", "特大"):
        context, page = reader_at(browser, 390, SIZES[choice])
        page.goto(site_url + kinds["unit"])
        sizes[choice] = page.evaluate("parseFloat(getComputedStyle(document.querySelector('article p')).fontSize)")
        context.close()
    assert sizes["标准"] * 1.2 <= sizes["大"] and sizes["大"] * 1.1 <= sizes["特大"], sizes


def test_the_checks_find_what_they_look_for(page):
    """A page made to fail: a box wider than the phone, a button over a link,
    a small target and a paragraph outside any landmark."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.set_content("""<html lang="zh"><head><title>t</title></head><body>
      <main><h1>标题</h1><div style="width: 500px; height: 10px"></div>
      <p><a href="#x" style="display: block; height: 50px">链接</a></p>
      <button style="position: relative; top: -40px; width: 100px; height: 50px">按钮</button>
      <button>小</button></main><p>在地标之外</p></body></html>""")
    assert page.evaluate(SIDEWAYS) > 100
    assert page.evaluate(OVERFLOW)
    assert any(a.startswith("A.") and b.startswith("BUTTON.") for a, b, *_ in page.evaluate(OVERLAPS))
    assert ["小"] == [label for label, *_ in page.evaluate(SMALL_TARGETS, MIN_TARGET_PX)]
    rules = {v["id"] for v in Axe().run(page, options=AXE_ALL).response["violations"]}
    assert "region" in rules


@pytest.mark.parametrize("choice", ["标准", "大", "特大"])
def test_the_desktop_search_box_sits_inside_the_channel_bar(browser, site_url, choice):
    """The box is laid over the bar's right end: it must not hang out of it."""
    context, page = reader_at(browser, 1366, SIZES[choice])
    try:
        page.goto(site_url)
        bar = page.locator(".md-header").bounding_box()
        box = page.locator(".md-header .zlt-search-open").bounding_box()
    finally:
        context.close()
    assert bar["y"] <= box["y"] and box["y"] + box["height"] <= bar["y"] + bar["height"] + 0.5, (bar, box)
    assert box["x"] + box["width"] <= 1366
