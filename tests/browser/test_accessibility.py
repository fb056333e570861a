"""Accessibility and 适老化: what a reader who is elderly, uses a keyboard or a
screen reader sees and can do, on the built site in Chromium."""
from __future__ import annotations

import re

import pytest
from axe_playwright_python.sync_playwright import Axe

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

HOME = ""
EXEMPLAR = "exemplars/units/chengshi-zonghe-zhifaju-dangwei/"
FILM = "exemplars/videos/siyi-shun-minxin/"
NEWS = "news/"
PAGES = [HOME, EXEMPLAR, FILM, NEWS]


def violations(page) -> list[str]:
    result = Axe().run(page, options=WCAG_AA)
    return [f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in result.response["violations"]]


def open_search(page):
    """Opens whatever the header's search control is, as a reader would."""
    control = page.locator(".md-header").get_by_role("button", name=re.compile("搜索"))
    if control.count() and control.first.is_visible():
        control.first.click()
    else:  # a search field shown in the header itself (wide screens)
        page.locator(".md-header input[aria-label*='搜索'], .md-header input[placeholder*='搜索']").first.click()
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'INPUT'")


def open_reading_aids(page):
    """On a phone the reading aids are one tap away, behind 无障碍."""
    toggle = page.get_by_role("button", name="无障碍")
    if toggle.is_visible() and toggle.get_attribute("aria-expanded") != "true":
        toggle.click()


def text_size(page) -> float:
    # A paragraph of running text (not a facts line or a caption, which have classes).
    return page.evaluate("parseFloat(getComputedStyle(document.querySelector('article p:not([class])')).fontSize)")


@pytest.mark.parametrize("path", PAGES, ids=["home", "exemplar", "film", "news-list"])
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_wcag_aa_violation(page, site_url, path, viewport):
    page.set_viewport_size(viewport)
    page.goto(site_url + path)
    assert violations(page) == []


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_no_wcag_aa_violation_with_the_search_open(page, site_url, viewport):
    page.set_viewport_size(viewport)
    page.goto(site_url)
    open_search(page)
    page.keyboard.type("党建")
    page.keyboard.press("End")  # typing Chinese fires no keyup
    page.wait_for_timeout(500)
    assert violations(page) == []


def test_no_wcag_aa_violation_in_high_contrast_and_large_text(page, site_url):
    page.set_viewport_size(PHONE)
    page.goto(site_url + EXEMPLAR)
    open_reading_aids(page)
    page.get_by_role("button", name="高对比度").click()
    page.get_by_role("button", name="特大字号").click()
    assert violations(page) == []


def test_keyboard_reaches_the_nav_and_opens_a_page_with_enter(page, site_url):
    page.set_viewport_size(DESKTOP)
    page.goto(site_url)
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("[document.activeElement.innerText.trim(), !!document.activeElement.closest('nav')]")
        if focused == ["先进典型", True]:
            break
    else:
        pytest.fail("Tab never reached “先进典型” in the navigation")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/exemplars/units/$"))
    assert page.locator("h1").first.inner_text() == "先进典型"


def test_skip_link_takes_the_keyboard_to_the_main_content(page, site_url):
    page.set_viewport_size(PHONE)
    page.goto(site_url + EXEMPLAR)
    for _ in range(3):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.innerText.trim()") == "跳到正文":
            break
    else:
        pytest.fail("no skip link among the first focusable elements")
    assert page.locator(".zlt-skip").is_visible()  # shown when focused
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    inside = page.evaluate("!!document.activeElement.closest('[data-md-component=content]')")
    assert inside, "after the skip link, Tab should land in the page's content"


def test_the_keyboard_opens_the_search(page, site_url):
    page.set_viewport_size(PHONE)
    page.goto(site_url + EXEMPLAR)
    for _ in range(20):
        page.keyboard.press("Tab")
        name = page.evaluate("(e => [e.getAttribute('aria-label') || e.innerText.trim(), !!e.closest('.md-header')])"
                             "(document.activeElement)")
        if name[1] and "搜索" in name[0]:
            break
    else:
        pytest.fail("Tab never reached the search control in the header")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement.tagName === 'INPUT'")
    field = page.locator(":focus")
    assert field.is_visible()
    # The focused field is in the search dialog and has a name of its own.
    dialog = page.get_by_role("dialog", name=re.compile("搜索"))
    assert dialog.is_visible() and dialog.locator(":focus").count() == 1
    assert field.evaluate("e => e.labels.length > 0 || !!e.getAttribute('aria-label')")


def test_keyboard_opens_the_menu_on_a_phone(page, site_url):
    page.set_viewport_size(PHONE)
    page.goto(site_url)
    menu = page.get_by_role("button", name="打开导航菜单")
    menu.focus()
    page.keyboard.press("Enter")
    assert page.locator(".md-nav--primary a.md-nav__link[href$='exemplars/sms/']").is_visible()


@pytest.mark.parametrize("path", [HOME, EXEMPLAR, NEWS, "sitemap/", "news/sandong-gongzuofa/", "404.html"])
def test_reading_aids_are_on_every_page(page, site_url, path):
    page.set_viewport_size(PHONE)
    page.goto(site_url + path)
    open_reading_aids(page)
    for name in ("标准字号", "大字号", "特大字号", "高对比度"):
        assert page.get_by_role("button", name=name, exact=True).is_visible(), name


def test_larger_text_is_kept_across_pages(page, site_url):
    page.set_viewport_size(PHONE)
    page.goto(site_url)
    normal = text_size(page)
    assert normal >= 18, "body text should be at least 18 px for elderly readers"
    open_reading_aids(page)
    page.get_by_role("button", name="大字号", exact=True).click()
    assert text_size(page) >= normal * 1.2
    assert page.get_by_role("button", name="大字号", exact=True).get_attribute("aria-pressed") == "true"

    page.get_by_role("link", name="城市综合执法局党委").first.click()
    page.wait_for_url(re.compile(EXEMPLAR + "$"))
    assert text_size(page) >= normal * 1.2
    open_reading_aids(page)
    assert page.get_by_role("button", name="大字号", exact=True).get_attribute("aria-pressed") == "true"

    page.get_by_role("button", name="特大字号").click()
    assert text_size(page) >= normal * 1.45
    page.get_by_role("button", name="标准字号").click()
    assert text_size(page) == normal
    page.reload()
    assert text_size(page) == normal


def test_high_contrast_is_kept_across_pages(page, site_url):
    page.set_viewport_size(PHONE)
    page.goto(site_url)
    colour = "getComputedStyle(document.querySelector('article p')).color"
    assert page.evaluate(colour) != "rgb(0, 0, 0)"
    open_reading_aids(page)
    page.get_by_role("button", name="高对比度").click()
    assert page.evaluate(colour) == "rgb(0, 0, 0)"
    page.get_by_role("link", name="更多工作动态").click()
    page.wait_for_url(re.compile(r"/news/$"))
    assert page.evaluate("getComputedStyle(document.querySelector('.md-header')).backgroundColor") == "rgb(0, 0, 0)"
    open_reading_aids(page)
    assert page.get_by_role("button", name="高对比度").get_attribute("aria-pressed") == "true"
    page.get_by_role("button", name="高对比度").click()  # off again
    page.go_back()
    assert page.evaluate(colour) != "rgb(0, 0, 0)"


LINE_HEIGHTS = """() => [...document.querySelectorAll(
    'article p, article li, article td, .md-nav__link, footer p')]
  .filter(e => e.getClientRects().length && e.innerText.trim())
  .map(e => { const s = getComputedStyle(e);
              return [e.innerText.trim().slice(0, 20), parseFloat(s.lineHeight) / parseFloat(s.fontSize)]; })
  .filter(([, ratio]) => !(ratio >= 1.3))"""


@pytest.mark.parametrize("path", PAGES)
def test_line_height_is_at_least_1_3(page, site_url, path):
    page.set_viewport_size(PHONE)
    page.goto(site_url + path)
    assert page.evaluate(LINE_HEIGHTS) == []


SMALL_TARGETS = """(selector) => [...document.querySelectorAll(selector)]
  .filter(e => e.getClientRects().length && getComputedStyle(e).visibility !== 'hidden')
  .map(e => { const r = e.getBoundingClientRect();
              return [(e.innerText || e.getAttribute('aria-label') || '').trim().slice(0, 20),
                      Math.round(r.width), Math.round(r.height)]; })
  .filter(([, w, h]) => w < 44 || h < 44)"""


@pytest.mark.parametrize("path", PAGES + ["sitemap/"])
def test_tap_targets_are_at_least_44_px_on_a_phone(page, site_url, path):
    page.set_viewport_size(PHONE)
    page.goto(site_url + path)
    # The search box's own controls belong to the search UI, tested with it.
    targets = "header button, .md-header button:not(.md-search *), .zlt-reading button, article li a, .md-post a, footer a"
    assert page.evaluate(SMALL_TARGETS, targets) == []
    page.get_by_role("button", name="打开导航菜单").click()
    page.wait_for_timeout(300)  # the drawer slides in
    nav = ".md-nav--primary > .md-nav__list > .md-nav__item > .md-nav__link, " \
          ".md-nav--primary > .md-nav__list > .md-nav__item > .md-nav__container > *"
    assert page.locator(nav).first.is_visible()
    assert page.evaluate(SMALL_TARGETS, nav) == []


def test_nothing_loads_from_another_host(page, site_url):
    hosts = set()
    page.on("request", lambda r: hosts.add(re.sub(r"^\w+://([^/]+).*", r"\1", r.url)))
    for path in PAGES:
        page.goto(site_url + path)
        page.wait_for_load_state("networkidle")
    assert hosts == {re.sub(r"^\w+://([^/]+).*", r"\1", site_url)}


def test_without_javascript_no_dead_reading_buttons_are_shown(browser, site_url):
    context = browser.new_context(java_script_enabled=False, viewport=PHONE)
    try:
        page = context.new_page()
        page.goto(site_url + EXEMPLAR)
        assert not page.get_by_role("button", name="大字号", exact=True).is_visible()
        assert page.locator("h1").first.inner_text() == "城市综合执法局党委"
    finally:
        context.close()
