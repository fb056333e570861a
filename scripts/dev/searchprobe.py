"""Measure one first search in the browser: time to the first result and bytes
transferred. Shared by tests/browser/test_search.py and the benchmark."""
from __future__ import annotations

# Records, in the page, when the first result (or the "nothing found" status)
# appears, and arms the clock when the reader opens the dialog.
_WATCH = """() => {
  window.__searchStart = null; window.__searchDone = null;
  const list = document.querySelector('.zlt-search__results');
  const status = document.querySelector('.zlt-search__status');
  const done = () => {
    if (window.__searchDone === null &&
        (list.children.length || status.textContent.startsWith('没有找到')))
      window.__searchDone = performance.now();
  };
  new MutationObserver(done).observe(list, {childList: true});
  new MutationObserver(done).observe(status, {childList: true, characterData: true, subtree: true});
  document.querySelector('.zlt-search-open').addEventListener(
    'click', () => { window.__searchStart = performance.now(); }, {capture: true, once: true});
}"""


def first_query(page, url: str, query: str, cold: bool = True, settle_ms: int = 300) -> dict:
    """Open `url` in a fresh page, open search from the header, type `query`.

    cold: type at once, so the clock (started on opening the dialog) includes
    loading the search engine; else wait for the engine, which loads while the
    dialog opens, and start the clock on typing.
    Returns {"ms": time to the first result shown, "bytes": bytes transferred
    (headers + encoded bodies) from opening the dialog until the results
    settle, "results": [(title, href)], "urls": [every URL requested]}.
    """
    page.goto(url, wait_until="load")
    responses = []
    page.on("response", lambda r: responses.append(r))
    page.evaluate(_WATCH)
    page.get_by_role("button", name="搜索").first.click()
    if not cold:
        page.wait_for_selector("#zlt-search[data-engine=ready]")
        page.evaluate("window.__searchStart = performance.now()")
    page.get_by_label("请输入要查找的字词").fill(query)
    # A function, not an expression: Playwright polls an expression with eval(),
    # which the pages' Content-Security-Policy forbids (no 'unsafe-eval').
    page.wait_for_function("() => window.__searchDone !== null", timeout=10_000)
    page.wait_for_timeout(settle_ms)
    ms = page.evaluate("window.__searchDone - window.__searchStart")
    total = 0
    for r in responses:
        sizes = r.request.sizes()
        total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
    links = page.locator(".zlt-search__results a")
    results = [(links.nth(i).locator(".zlt-search__result-title").inner_text(),
                links.nth(i).get_attribute("href")) for i in range(links.count())]
    return {"ms": ms, "bytes": total, "results": results, "urls": [r.url for r in responses]}
