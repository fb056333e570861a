"""The nginx configuration and its Content-Security-Policy, as generated
(scripts/deploy/nginx.py, csp.py); tests/browser/test_nginx.py runs them."""
from __future__ import annotations

import base64
import hashlib
import re

import pytest

from scripts.deploy import csp, nginx
from scripts.problems import InputError


def site_with(tmp_path, *pages: str):
    site = tmp_path / "site"
    for i, html in enumerate(pages):
        (site / f"p{i}").mkdir(parents=True)
        (site / f"p{i}" / "index.html").write_text(html, encoding="utf-8")
    return site


def set_site_url(repo, url: str) -> None:
    path = repo.path / "mkdocs.yml"
    path.write_text(re.sub(r"(?m)^site_url:.*$", f"site_url: {url}", path.read_text(encoding="utf-8")),
                    encoding="utf-8")


def test_hashes_are_those_browsers_compute(tmp_path):
    code = 'document.documentElement.classList.add("zlt-js")'
    expected = "'sha256-" + base64.b64encode(hashlib.sha256(code.encode()).digest()).decode() + "'"
    site = site_with(tmp_path, f"<html><head><script>{code}</script>"
                               '<script id="__config" type="application/json">{"a": 1}</script>'
                               '<script src="x.js"></script><style>p{color:red}</style></head>'
                               '<body><p style="margin:0">文</p></body></html>')
    found = csp.scan_site(site)
    assert found.scripts == {expected}              # not the JSON data block, not the file
    assert found.styles == {csp.sha256_source("p{color:red}")}
    assert found.style_attributes == {csp.sha256_source("margin:0")}
    policy = csp.policy(found)
    assert f"script-src 'self' {expected};" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-hashes'" in policy


def test_without_inline_styles_there_is_no_unsafe_hashes(tmp_path):
    found = csp.scan_site(site_with(tmp_path, "<p>文</p><script>var a = 1</script>"))
    assert "'unsafe-hashes'" not in csp.policy(found)


def test_a_changed_inline_script_is_what_the_old_policy_misses(tmp_path):
    old = csp.policy(csp.scan_site(site_with(tmp_path / "a", "<script>var a = 1</script>")))
    new = csp.scan_site(site_with(tmp_path / "b", "<script>var a = 2</script>", "<p style='x:y'>文</p>"))
    assert csp.missing_from(old, new) == [f"script-src {csp.sha256_source('var a = 2')}",
                                          f"style-src 'unsafe-hashes' {csp.sha256_source('x:y')}"]
    assert csp.missing_from(csp.policy(new), new) == []


def test_the_server_name_comes_from_site_url(repo, tmp_path):
    set_site_url(repo, "https://dangjian.zhalantun.gov.cn/")
    text = nginx.render(repo.path, site_with(tmp_path, "<p>文</p>"))
    assert re.search(r"^\s*server_name dangjian\.zhalantun\.gov\.cn;$", text, re.M)
    assert "return 301 https://dangjian.zhalantun.gov.cn$request_uri;" in text
    assert "ssl_certificate     /etc/nginx/ssl/CHANGE-ME/fullchain.pem;" in text
    assert "root /srv/zhalantun-dangjian/current;" in text
    assert nginx.policy_of(text).startswith("default-src 'self'; script-src 'self';")


@pytest.mark.parametrize("url, words", [("https://www.zhalantun.gov.cn/dangjian/", "带有路径"),
                                        ("", "未填写")])
def test_an_address_nginx_cannot_serve_is_refused_in_chinese(repo, tmp_path, url, words):
    set_site_url(repo, f'"{url}"')
    with pytest.raises(InputError) as e:
        nginx.render(repo.path, site_with(tmp_path, "<p>文</p>"))
    assert words in str(e.value)


def test_inline_event_handlers_are_refused(repo, tmp_path):
    set_site_url(repo, "https://dangjian.zhalantun.gov.cn/")
    with pytest.raises(InputError) as e:
        nginx.render(repo.path, site_with(tmp_path, '<button onclick="go()">走</button>'))
    assert "p0/index.html" in str(e.value) and "onclick" in str(e.value)


def test_the_command_writes_the_file(repo, tmp_path, root):
    import subprocess
    import sys
    set_site_url(repo, "https://dangjian.zhalantun.gov.cn/")
    site = site_with(tmp_path, "<p>文</p>")
    out = tmp_path / "conf" / "site.conf"
    done = subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo.path), "nginx", "--site", str(site),
                           "--out", str(out), "--target", "deploy@web1:/srv/dj", "--cert", "/etc/ssl/a.pem",
                           "--key", "/etc/ssl/a.key"], cwd=root, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    text = out.read_text(encoding="utf-8")
    assert "root /srv/dj/current;" in text and "ssl_certificate     /etc/ssl/a.pem;" in text
    assert "nginx 配置已生成" in done.stdout and "CHANGE-ME" not in done.stdout
