"""Driving Decap's form in Chromium as an editor does (the workbench's and
the newsroom's browser tests)."""
from __future__ import annotations

import re


def field(page, label: str):
    """A form field by its label (optional ones are labelled “名称 (选填)”)."""
    return page.get_by_label(re.compile(rf"^{re.escape(label)}( \(选填\))?$"))


def retype(locator, text: str) -> None:
    """Replace a Decap input's text as a person does (Playwright's fill
    appends in some of Decap's inputs)."""
    locator.click()
    locator.press("Control+a")
    locator.press("Delete")
    locator.type(text)


def save(page) -> None:
    page.get_by_role("button", name="保存", exact=True).first.click()
    page.get_by_text("保存", exact=True).last.click()       # the menu's “保存” (Decap's publish now)
