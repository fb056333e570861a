"""The nginx configuration, as generated (scripts/deploy/nginx.py); its
Content-Security-Policy is tested in tests/test_csp.py, and
tests/browser/test_nginx.py runs them."""
from __future__ import annotations

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
    path = repo.path / "网站设置.yml"
    path.write_text(re.sub(r"(?m)^site_url:.*$", f"site_url: {url}", path.read_text(encoding="utf-8")),
                    encoding="utf-8")


def test_the_server_name_comes_from_site_url(repo, tmp_path):
    set_site_url(repo, "https://dangjian.zhalantun.gov.cn/")
    text = nginx.render(repo.path, site_with(tmp_path, "<p>文</p>"))
    assert re.search(r"^\s*server_name dangjian\.zhalantun\.gov\.cn;$", text, re.M)
    assert "return 301 https://dangjian.zhalantun.gov.cn$request_uri;" in text
    assert "ssl_certificate     /etc/nginx/ssl/CHANGE-ME/fullchain.pem;" in text
    assert "root /srv/zhalantun-dangjian/current;" in text
    assert nginx.policy_of(text).startswith("default-src 'self'; script-src 'self';")


@pytest.mark.parametrize("url, words", [("https://www.zhalantun.gov.cn/党建/", "带有路径"),
                                        ("", "未填写")])
def test_an_address_nginx_cannot_serve_is_refused_in_chinese(repo, tmp_path, url, words):
    set_site_url(repo, f'"{url}"')
    with pytest.raises(InputError) as e:
        nginx.render(repo.path, site_with(tmp_path, "<p>文</p>"))
    assert words in str(e.value)


def test_a_site_with_an_inline_script_is_refused_never_allowed(repo, tmp_path):
    set_site_url(repo, "https://dangjian.zhalantun.gov.cn/")
    site = site_with(tmp_path, "<p>文</p>", '<button onclick="go()">走</button>')
    with pytest.raises(InputError) as e:
        nginx.render(repo.path, site)
    assert "p1/index.html" in str(e.value) and "p0/index.html" not in str(e.value)
    assert "内联脚本" in str(e.value) and "make nginx-conf" in str(e.value)
    (site / "p1" / "index.html").write_text("<p>走</p>", encoding="utf-8")
    assert nginx.policy_of(nginx.render(repo.path, site)) == csp.policy()


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


def test_unknown_hosts_have_a_default_server_on_both_ports(repo, tmp_path):
    set_site_url(repo, "https://dangjian.zhalantun.gov.cn/")
    text = nginx.render(repo.path, site_with(tmp_path, "<p>文</p>"))
    default = text[text.index("server {"):text.index("# HTTP：一律转到 HTTPS。")]
    for listen in ("listen 80 default_server;", "listen 443 ssl http2 default_server;",
                   "listen [::]:80 default_server;", "listen [::]:443 ssl http2 default_server;",
                   "ssl_reject_handshake on;", "return 444;"):
        assert listen in default, listen
    assert text.count("default_server;") == 4           # only there
    assert "sites-enabled/default" in text               # what the administrator must remove


def test_hsts_covers_subdomains_unless_the_administrator_turns_it_off(repo, tmp_path, root):
    import subprocess
    import sys
    set_site_url(repo, "https://dangjian.zhalantun.gov.cn/")
    site = site_with(tmp_path, "<p>文</p>")
    out = tmp_path / "site.conf"

    def generate(value: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "scripts", "--root", str(repo.path), "nginx", "--site", str(site),
                               "--out", str(out), "--hsts-subdomains", value], cwd=root, capture_output=True,
                              text=True)

    for value, header in (("", "max-age=31536000; includeSubDomains"), ("1", "max-age=31536000; includeSubDomains"),
                          ("0", "max-age=31536000"), ("no", "max-age=31536000")):
        done = generate(value)
        assert done.returncode == 0, done.stderr
        assert f'add_header Strict-Transport-Security "{header}" always;' in out.read_text(encoding="utf-8"), value
    done = generate("maybe")
    assert done.returncode == 1 and "HSTS_SUBDOMAINS=maybe" in done.stderr and "Traceback" not in done.stderr
    # make nginx-conf passes the choice on.
    dry = subprocess.run(["make", "-n", "-C", str(root), "nginx-conf", "HSTS_SUBDOMAINS=0"], capture_output=True,
                         text=True)
    assert '--hsts-subdomains "0"' in dry.stdout
