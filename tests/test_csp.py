"""The Content-Security-Policy (scripts/deploy/csp.py): a constant with no
hash and no 'unsafe-…', carried by every page in a <meta> equal to the one
nginx sends; the pages that carry inline script, found as a browser parses
them, and refused by `make nginx-conf` and `make publish`.
tests/browser/test_csp_in_browser.py opens every kind of page under it."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys

import pytest
from selectolax.lexbor import LexborHTMLParser

from scripts.deploy import commands, csp
from scripts.deploy.publish import PublishError, Target

# Inline script a browser runs, written as an attacker would hide it.
PLANTED = {
    "script": "<script>alert(1)</script>",
    "module": '<script type="module">alert(1)</script>',
    "onerror": '<img src="x" onerror="alert(1)">',
    "upper case": "<IMG SRC=x ONERROR=alert(1)>",
    "after a slash": "<img/onerror=alert(1) src=x>",
    "after a quote": '<img src="x"onerror=alert(1)>',
    # A comment that ends at once (<!-->): what follows is markup.
    "comment breakout": "<!--><img src=x onerror=alert(1)>-->",
    # Outside SVG and MathML, <![CDATA[ opens a bogus comment that ends at the first >.
    "cdata": "<p><![CDATA[><script>alert(1)</script>]]></p>",
    # With scripting on, <noscript>'s content is text: the attribute's quote does not protect the <img>.
    "noscript": '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    "javascript url": '<a href="javascript:alert(1)">看</a>',
    "javascript url, hidden": '<a href=" JaV&#x61;&#9;script&colon;alert(1)">看</a>',
    "javascript url, line break": '<a href="java\nscript:alert(1)">看</a>',
    "svg script with src": '<svg><script src="x.js">alert(1)</script></svg>',
    "svg animation": '<svg><a><animate attributeName="href" values="x;javascript:alert(1)"/><text>看</text></a></svg>',
    "form action": '<form action="javascript:alert(1)"><button>提交</button></form>',
    "srcdoc": '<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>',
}
# Markup that looks like it but runs nothing.
HARMLESS = {
    "text": "<p>不要在网页中写 &lt;script&gt; 或 onerror= 或 javascript:alert(1)。</p>",
    "code": "<pre><code>&lt;img src=x onerror=alert(1)&gt;</code></pre>",
    "textarea": "<textarea><script>alert(1)</script></textarea>",
    "comment": "<!-- <script>alert(1)</script> -->",
    "svg cdata": "<svg><![CDATA[><script>alert(1)</script>]]></svg>",
    "data": '<script type="application/json">{"a": "<\\/script>"}</script>',
    "file": '<script src="assets/x.js"></script>',
    "words": '<p title="button onion">json javascripts/ on = 1</p>',
}


def page_with(body: str) -> str:
    return ("<!doctype html><html lang=zh><head><meta charset=utf-8>"
            '<script src="assets/zlt/head.js"></script><title>页</title></head>'
            f"<body><article>{body}</article>"
            '<script id="__config" type="application/json">{"base": "."}</script>'
            '<script defer src="assets/javascripts/bundle.js"></script></body></html>')


def site_with(tmp_path, pages: dict[str, str]):
    site = tmp_path / "site"
    for rel, html in pages.items():
        (site / rel).parent.mkdir(parents=True, exist_ok=True)
        (site / rel).write_text(html, encoding="utf-8")
    return site


# --- the policy ---------------------------------------------------------------

def test_the_policy_has_no_hash_and_nothing_unsafe():
    for text in (csp.policy(), csp.policy(https=False), csp.meta_policy(), csp.meta_policy(offline=True)):
        sources = csp.allowed_sources(text)
        assert sources["script-src"] == {"'self'"} and sources["style-src"] == {"'self'"}
        assert sources["default-src"] == {"'self'"} and sources["object-src"] == {"'none'"}
        assert not re.search(r"'(?:sha256|sha384|sha512|nonce)-|'unsafe-|https?:|\*", text), text


def test_frame_ancestors_only_in_the_header():
    """A <meta> policy cannot carry frame-ancestors: Chromium ignores it there
    and says so on the console."""
    assert csp.allowed_sources(csp.policy())["frame-ancestors"] == {"'none'"}
    assert "upgrade-insecure-requests" in csp.policy() and "upgrade-insecure-requests" not in csp.policy(False)
    for text in (csp.meta_policy(), csp.meta_policy(offline=True)):
        assert "frame-ancestors" not in text and "upgrade-insecure-requests" not in text
    assert csp.policy().startswith(csp.meta_policy() + ";")


def test_only_the_offline_bundle_may_play_blob_subtitles():
    assert csp.allowed_sources(csp.meta_policy())["media-src"] == {"'self'"}
    assert csp.allowed_sources(csp.meta_policy(offline=True))["media-src"] == {"'self'", "blob:"}
    online, offline = csp.allowed_sources(csp.meta_policy()), csp.allowed_sources(csp.meta_policy(offline=True))
    assert {k: v for k, v in online.items() if k != "media-src"} == \
        {k: v for k, v in offline.items() if k != "media-src"}


def test_what_a_servers_policy_misses():
    assert csp.missing_from(csp.policy()) == []
    # The older policy, with hashes, grants more: nothing is missing.
    older = csp.policy().replace("script-src 'self'", "script-src 'self' 'sha256-" + "A" * 43 + "='")
    assert csp.missing_from(older) == []
    assert csp.missing_from(csp.policy().replace("media-src 'self'", "media-src 'none'")) == ["media-src 'self'"]
    # A fetch directive left out falls back to default-src.
    assert csp.missing_from(csp.policy().replace("font-src 'self'; ", "")) == []
    assert "img-src data:" in csp.missing_from("default-src 'self'")


# --- the pages carry it and nothing inline -------------------------------------

@pytest.mark.slow
def test_every_built_page_carries_the_policy_first_and_no_inline_code(built_site):
    pages = sorted(built_site.rglob("*.html"))
    assert len(pages) > 10
    for path in pages:
        rel = path.relative_to(built_site).as_posix()
        tree = LexborHTMLParser(path.read_bytes(), scripting=True)
        head = [n for n in tree.head.iter() if n.tag != "-text"]
        assert head[0].tag == "meta" and head[0].attributes.get("http-equiv") == "Content-Security-Policy", rel
        assert head[0].attributes["content"] == csp.meta_policy(), rel
        assert len(tree.css('meta[http-equiv="Content-Security-Policy" i]')) == 1, rel
        # No style="…" and no <style>: the policy needs no 'unsafe-hashes'.
        assert tree.css("[style], style") == [], rel
        assert csp.inline_script(path.read_bytes()) == [], rel
    assert csp.inline_script_pages(built_site) == []


@pytest.mark.slow
def test_a_clean_built_page_is_not_even_parsed(built_site, monkeypatch):
    """The cheap test before the parser lets every page of the project's
    own through: what makes 10,000 pages take well under a second."""
    parsed = []
    monkeypatch.setattr(csp, "LexborHTMLParser", lambda *a, **k: parsed.append(a) or LexborHTMLParser(*a, **k))
    assert csp.inline_script_pages(built_site) == []
    assert parsed == []
    page = next(built_site.rglob("index.html")).read_text(encoding="utf-8")
    assert csp.inline_script(page.replace("</article>", PLANTED["onerror"] + "</article>", 1))
    assert len(parsed) == 1


# --- inline script is found as a browser finds it -----------------------------

@pytest.mark.parametrize("name", PLANTED)
def test_planted_inline_script_is_found(name):
    assert csp.inline_script(page_with(PLANTED[name])), name


@pytest.mark.parametrize("name", HARMLESS)
def test_what_runs_nothing_is_not_reported(name):
    assert csp.inline_script(page_with(HARMLESS[name])) == [], name


@pytest.mark.slow
@pytest.mark.parametrize("name", ["script", "onerror", "comment breakout", "cdata"])
def test_planted_in_a_built_page_the_page_is_named(built_site, tmp_path, name):
    site = tmp_path / "site"
    shutil.copytree(built_site, site)
    victim = sorted(site.rglob("index.html"))[-1]
    text = victim.read_text(encoding="utf-8")
    assert "</article>" in text
    victim.write_text(text.replace("</article>", PLANTED[name] + "</article>", 1), encoding="utf-8")
    assert csp.inline_script_pages(site) == [victim.relative_to(site).as_posix()]


def test_the_pages_are_named_first_few_and_counted(tmp_path):
    pages = {f"p{i:02}/index.html": page_with(PLANTED["script"]) for i in range(7)}
    site = site_with(tmp_path, {"ok/index.html": page_with("<p>好</p>"), **pages})
    found = csp.inline_script_pages(site)
    assert found == sorted(pages)
    message = csp.refusal(found, "运行 make nginx-conf")
    assert "7 个网页" in message and "p00/index.html" in message and "p04/index.html" in message
    assert "p05/index.html" not in message and "ok/index.html" not in message


# --- refused by make nginx-conf and make publish --------------------------------

def test_make_nginx_conf_refuses_and_names_the_page(repo, tmp_path, root):
    path = repo.path / "网站设置.yml"
    path.write_text(re.sub(r"(?m)^site_url:.*$", "site_url: https://dangjian.zhalantun.gov.cn/",
                           path.read_text(encoding="utf-8")), encoding="utf-8")
    site = site_with(tmp_path, {"index.html": page_with("<p>好</p>"),
                                "tongzhi/index.html": page_with(PLANTED["comment breakout"])})
    out = tmp_path / "conf" / "site.conf"
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo.path), "nginx", "--site", str(site),
                           "--out", str(out)], cwd=root, capture_output=True, text=True)
    assert done.returncode != 0 and "Traceback" not in done.stderr
    assert "tongzhi/index.html" in done.stdout + done.stderr and "内联脚本" in done.stdout + done.stderr
    assert not out.exists()


def test_publish_check_refuses_before_anything_is_copied(tmp_path):
    site = site_with(tmp_path, {"index.html": page_with("<p>好</p>"),
                                "news/x/index.html": page_with(PLANTED["javascript url, hidden"])})
    target = Target.parse(str(tmp_path / "www"))
    with pytest.raises(PublishError) as e:
        commands.check_policy(site, target, None)
    assert "news/x/index.html" in str(e.value) and "网站未发布" in str(e.value)
    assert not (tmp_path / "www").exists()
    (site / "news/x/index.html").write_text(page_with("<p>好</p>"), encoding="utf-8")
    commands.check_policy(site, target, None)
