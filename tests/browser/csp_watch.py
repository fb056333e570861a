"""What the CSP browser tests share: Chromium that finds the test site's host
name at 127.0.0.1 (as DNS would find the server: nginx answers no other name),
and pages that keep their CSP violation reports, console and errors."""
from __future__ import annotations

import pytest

from scripts.dev.browser import CHROMIUM, CHROMIUM_ARGS

HOST = "dangjian.test"

WATCH = """window.__csp = [];
document.addEventListener('securitypolicyviolation',
  e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || '')));"""


@pytest.fixture(scope="module")
def mapped_browser(browser):
    mapped = browser.browser_type.launch(executable_path=CHROMIUM,
                                         args=[*CHROMIUM_ARGS, f"--host-resolver-rules=MAP {HOST} 127.0.0.1"])
    yield mapped
    mapped.close()


@pytest.fixture
def watched(mapped_browser):
    """A page (HTTPS errors ignored: the test certificate is self-signed)
    whose CSP reports, console messages and errors are kept."""
    context = mapped_browser.new_context(locale="zh-CN", ignore_https_errors=True)
    page = context.new_page()
    page.add_init_script(WATCH)
    page.console, page.errors = [], []
    page.on("console", lambda m: page.console.append(f"{m.type}: {m.text}"))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    yield page
    context.close()


def violations(page) -> list[str]:
    console = [m for m in page.console if "Content Security Policy" in m or "Content-Security-Policy" in m]
    return page.evaluate("window.__csp") + console
