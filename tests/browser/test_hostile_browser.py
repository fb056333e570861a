"""In a real browser, markup written into fields shows as text and runs
nothing: on the record's page, in the lists, on the home page."""
from __future__ import annotations

import pytest

from tests.browser.conftest import serving
from tests.test_hostile import write_hostile

PAGES = ["", "exemplars/units/", "exemplars/units/evil-unit/", "exemplars/members/",
         "exemplars/members/evil-member/", "exemplars/sms/", "news/", "news/evil-news/", "honours/"]


@pytest.fixture(scope="module")
def hostile_url(tmp_path_factory):
    from scripts.build.pipeline import build_site
    from tests.conftest import Repo
    repo = Repo(tmp_path_factory.mktemp("hostile-browser"), with_content=True)
    write_hostile(repo)
    site = build_site(repo.path)
    with serving(site) as url:
        yield url


@pytest.mark.parametrize("path", PAGES)
def test_markup_in_fields_runs_nothing_and_shows_as_text(page, hostile_url, path):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(hostile_url + path)
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    assert dialogs == []
    assert page.locator("img[src='x'], svg[onload], iframe, [onmouseover]").count() == 0
    assert "<script>__pwned=1</script>" in page.locator("body").inner_text()
