"""What a reader of the portal must get on every page, as checks run inside
Chromium (tests/browser/test_portal.py) and on the built HTML (tests/test_portal_pages.py):
readable text, big enough targets, one <h1>, unique ids, described pictures."""
from __future__ import annotations

from html.parser import HTMLParser

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1366, "height": 768}
MIN_TEXT_PX = 16
MIN_TARGET_PX = 44

# Text nodes a reader can see, whose computed font size is under 16 px.
SMALL_TEXT = """(min) => {
  const out = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const text = n.textContent.trim();
    const el = n.parentElement;
    if (!text || !el || el.closest('script, style, noscript, template, title')) continue;
    if (!el.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    const range = document.createRange(); range.selectNodeContents(n);
    const r = range.getBoundingClientRect();
    if (r.width < 2 || r.height < 2) continue;              // visually hidden (clipped)
    if (r.right <= 0 || r.left >= innerWidth) continue;     // off screen (closed drawer)
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < min - 0.01) out.push([text.slice(0, 24), size, el.className || el.tagName]);
  }
  return out;
}"""

# Links, buttons and fields a finger must hit, smaller than 44 × 44 px. A link
# inside a sentence is exempt from the width only (WCAG 2.5.8's inline
# exception): its line is made 44 px high by padding.
SMALL_TARGETS = """(min) => {
  const out = [];
  for (const e of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (!e.checkVisibility({checkOpacity: true, checkVisibilityCSS: true})) continue;
    const r = e.getBoundingClientRect();
    if (r.width === 0 && r.height === 0) continue;
    if (r.right <= 0 || r.left >= innerWidth) continue;     // off screen (closed drawer)
    if (e.closest('.zlt-visually-hidden, .zlt-skip')) continue;
    const parent = e.parentElement;
    const inline = getComputedStyle(e).display === 'inline' && parent &&
      parent.innerText.trim().length > e.innerText.trim().length;
    const label = (e.innerText || e.getAttribute('aria-label') || e.value || '').trim().slice(0, 20);
    if (r.height < min - 0.5 || (!inline && r.width < min - 0.5))
      out.push([label, Math.round(r.width), Math.round(r.height)]);
  }
  return out;
}"""

# Pictures of cards and headlines without an alt attribute (alt="" marks a
# decorative one, such as a cover beside its title).
UNDESCRIBED_IMAGES = """() => [...document.querySelectorAll(
    '.zlt-cards img, .zlt-headline img, .zlt-photo img, article img')]
  .filter(i => !i.hasAttribute('alt') && i.getAttribute('role') !== 'presentation')
  .map(i => i.getAttribute('src'))"""

# Wider than the screen: a layout that makes a phone reader scroll sideways.
OVERFLOW = """() => {
  const w = document.documentElement.clientWidth;
  return [...document.querySelectorAll('body *')]
    .filter(e => e.checkVisibility() && !e.closest('.md-sidebar, .md-nav, dialog, .zlt-skip, .zlt-visually-hidden, .md-typeset__scrollwrap'))
    .map(e => [e, e.getBoundingClientRect()])
    .filter(([e, r]) => r.width > 0 && r.right > w + 1)
    .map(([e, r]) => [e.tagName + '.' + e.className, Math.round(r.right)]).slice(0, 5);
}"""


# Text of the page's content that starts or ends closer than 8 px to the
# screen's edge: on a phone, words must not touch the glass.
EDGE_TEXT = """(gap) => {
  const out = [];
  const w = document.documentElement.clientWidth;
  for (const e of document.querySelectorAll('.md-content h1, .md-content p, .md-content li, .md-content h2')) {
    if (!e.checkVisibility() || !e.innerText.trim()) continue;
    const r = e.getBoundingClientRect();
    if (r.width > 0 && (r.left < gap || r.right > w - gap)) out.push([e.innerText.trim().slice(0, 16), Math.round(r.left), Math.round(w - r.right)]);
  }
  return out.slice(0, 5);
}"""


class PageFacts(HTMLParser):
    """The ids and the <h1>s of one built page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.h1 = 0

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id" and value is not None:
                self.ids.append(value)
        if tag == "h1":
            self.h1 += 1


def page_facts(html: str) -> PageFacts:
    facts = PageFacts()
    facts.feed(html)
    return facts


def duplicates(items: list[str]) -> list[str]:
    seen, dup = set(), []
    for i in items:
        if i in seen and i not in dup:
            dup.append(i)
        seen.add(i)
    return dup
