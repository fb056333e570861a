"""`check --release`: the gate before publishing, on top of `check`.

On the repository: a `site_url` that is the real https:// address (not this
machine, not an example domain: every canonical link, the sitemap, the feed
and the share links are made from it), every item of the official footer
(SETTINGS_FILE's `extra:`) including the 党政机关网站标识 image file, no sample
record, no published page linking to a record not yet published, and
(through `check`) 三审 for every published record and alt text for photos.

On the built site (`built_site_problems`, given the folder the deploy stage
built): no editors' placeholder (待填写) on any page, no broken internal link.
These read the HTML files only, so check/ still knows nothing of render/ or
build/ (scripts/deploy/gate.py runs the two halves in order).
"""
from __future__ import annotations

import html
import posixpath
import re
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

from mkdocs.exceptions import ConfigurationError
from selectolax.lexbor import LexborHTMLParser

from ..problems import Problem
from ..records import view
from ..records.loader import Page, Record
from ..records.relations import Relations
from ..site_config import SETTINGS, SETTINGS_FILE, setting_line, site_config

# The footer's items an official site must show (the badge apart: an image).
FOOTER_KEYS = {s.name: s.label for s in SETTINGS
               if s.required and s.key.startswith("extra.") and s.widget == "string"}
MD_LINK_RE = re.compile(r"\]\(([^)\s#]+\.md)(?:#[^)]*)?\)")


BADGE = "gov_badge"
# Hosts that are never a public site's address: RFC 2606 and 6761 names, and
# any name with a label "example" (example.cn, www.example.gov.cn: the
# placeholders of guides, which no government site uses).
RESERVED_SUFFIXES = (".example", ".test", ".invalid", ".localhost", ".local", ".internal")


def _config(root: Path) -> dict | None:
    try:
        return site_config(root)
    except ConfigurationError:
        return None


def _unreadable(root: Path, what: str) -> list[Problem]:
    names = " 或 ".join(n for n in (SETTINGS_FILE, "mkdocs.yml") if (root / n).is_file()) or "mkdocs.yml"
    return [Problem(setting_line(root, "site_url")[0], 1, "", f"{names} 格式错误，无法读取{what}")]


def site_url_problems(root: Path) -> list[Problem]:
    """site_url must be the site's public https:// address."""
    config = _config(root)
    if config is None:
        return _unreadable(root, " site_url")
    url = str(config.get("site_url") or "").strip()
    file, line = setting_line(root, "site_url")
    why = "网页的规范链接、sitemap.xml、RSS 订阅和分享链接都由它生成"
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if not url:
        reason = "尚未填写"
    elif parts.scheme != "https" or not host:
        reason = f"网址“{url}”不是以 https:// 开头的正式网址"
    elif view.is_local_address(url):
        reason = f"网址“{url}”是本机或内网地址，读者无法访问"
    elif "example" in host.split(".") or host.endswith(RESERVED_SUFFIXES) or "." not in host:
        reason = f"网址“{url}”是示例或保留域名，不是真实网址"
    else:
        return []
    return [Problem(file, line, "site_url",
                    f"{reason}：请在 {file} 中填写网站的正式网址（https://……/），{why}")]


def footer_problems(root: Path) -> list[Problem]:
    config = _config(root)
    if config is None:
        return _unreadable(root, "页脚备案信息")
    extra = config.get("extra")
    extra = extra if isinstance(extra, dict) else {}
    problems = []
    for key, label in FOOTER_KEYS.items():
        if not str(extra.get(key) or "").strip():
            file, line = setting_line(root, key, "extra")
            problems.append(Problem(file, line, f"extra.{key}",
                                    f"{label}尚未填写：政府网站页脚必须显示{label}，请在 {file} 的 extra 下填写"))
    return problems + badge_problems(root, extra)


def badge_problems(root: Path, extra: dict) -> list[Problem]:
    """The 党政机关网站标识: an image file in content/, named in extra.gov_badge."""
    (file, line), field = setting_line(root, BADGE, "extra"), f"extra.{BADGE}"
    value = str(extra.get(BADGE) or "").strip()
    if not value:
        return [Problem(file, line, field,
                        "党政机关网站标识尚未设置：请把组织部取得的标识图片放在 content/ 下（如 content/assets/"
                        f"gov-badge.png），并在 {file} 的 extra 下写 gov_badge: assets/gov-badge.png")]
    path = root / "content" / value
    if ".." in Path(value).parts or not path.is_file():
        return [Problem(file, line, field,
                        f"找不到党政机关网站标识图片 content/{value}：请把标识图片放到这个位置，或改正路径")]
    from PIL import Image, UnidentifiedImageError
    try:
        with Image.open(path) as image:
            image.verify()
    except (UnidentifiedImageError, OSError):
        return [Problem(file, line, field, f"content/{value} 不是可以显示的图片（PNG、JPG 或 WebP）")]
    return []


def markdown_links(records: list[Record], pages: list[Page]) -> list[tuple[str, int, str, str]]:
    """(path, line, field, target doc path) of every Markdown link in a published
    record's body and in the hand-written pages."""
    out = []
    sources = [(r.path, r.body_line, r.body, r) for r in records if r.is_published and r.body]
    sources += [(page.path, page.body_line, page.body, None) for page in pages]
    for rel, first, text, record in sources:
        doc = record.kind.doc_path(record.id) if record else posixpath.relpath(rel, "content")
        for n, line in enumerate(text.splitlines(), first):
            for m in MD_LINK_RE.finditer(line):
                target = posixpath.normpath(posixpath.join(posixpath.dirname(doc), m.group(1)))
                out.append((rel, n, "正文", target))
    return out


def unpublished_link_problems(records: list[Record], pages: list[Page]) -> list[Problem]:
    """Published pages that link to records the public site will not have."""
    relations = Relations(records)
    by_doc = {r.kind.doc_path(r.id): r for r in records if not r.kind.is_list_file}
    problems = []
    for r in records:
        if not r.is_published:
            continue
        for link in relations.links(r):
            target = link.target
            if not target.is_published:
                field = link.path[0]
                problems.append(Problem(
                    r.path, r.line_of(link.path), field,
                    f"已发布的记录链接到尚未发布（{target.status}）的“{target.title}”"
                    f"（{target.path}）：请先审核发布它，或去掉这个链接"))
    for rel, line, field, target in markdown_links(records, pages):
        r = by_doc.get(target)
        if r is not None and not r.is_published:
            problems.append(Problem(rel, line, field,
                                    f"链接到尚未发布（{r.status}）的“{r.title}”（{r.path}）：公开网站上这个链接会失效"))
    return problems


def sample_problems(records: list[Record]) -> list[Problem]:
    return [Problem(r.path, r.line_of(("sample",)), "sample（示例记录）",
                    f"“{r.title}”是示例记录：正式发布前请换成真实内容或删除")
            for r in records if r.is_sample]


def release_problems(root: Path, records: list[Record], pages: list[Page]) -> list[Problem]:
    """`records` and `pages`: as `check` read them (it reports the files it could not read)."""
    return (site_url_problems(root) + sample_problems(records) + unpublished_link_problems(records, pages)
            + footer_problems(root))


# --- the built site ----------------------------------------------------------

PLACEHOLDERS = ("待填写",)
# The footer's slot for a setting not filled in (partials/footer.html): its
# placeholder is on every page, and footer_problems names the setting itself
# at its line, so the pages do not report it again.
SETTING_SLOT = "zlt-footer__missing"
LINK_ATTRIBUTES = {"a": "href", "link": "href", "img": "src", "script": "src", "source": "src",
                   "track": "src", "video": "poster", "audio": "src", "iframe": "src", "embed": "src"}
# <link rel> values that name a page by address, not a file to load.
_SKIPPED_RELS = {"preconnect", "dns-prefetch"}


@dataclass
class _Page:
    """One built page: the ids it has, the links it makes, the placeholders it shows."""
    ids: set[str] = field(default_factory=set)
    links: list[tuple[int, str]] = field(default_factory=list)
    placeholders: list[tuple[int, str]] = field(default_factory=list)


def _line_in(raw: str, *needles: str) -> int:
    """The line of the page's source that shows the first of `needles` found
    (the parsed tree has no source positions), else 1."""
    for needle in needles:
        at = raw.find(needle) if needle else -1
        if at >= 0:
            return raw.count("\n", 0, at) + 1
    return 1


def _read_page(raw: str) -> _Page:
    """A page parsed as a browser parses it (Lexbor: the WHATWG parser; the
    same as check.safety), so that what is checked is what readers get."""
    doc = LexborHTMLParser(raw, scripting=True)
    page = _Page()
    for node in doc.css("[id], [name]"):
        for key in ("id", "name"):
            if node.attributes.get(key):
                page.ids.add(node.attributes[key])
    for tag, attribute in LINK_ATTRIBUTES.items():
        for node in doc.css(f"{tag}[{attribute}]"):
            a = node.attributes
            href = a.get(attribute)
            if not href or tag == "link" and set((a.get("rel") or "").split()) & _SKIPPED_RELS:
                continue
            page.links.append((_line_in(raw, html.escape(href), href), href))
    if not any(p in raw for p in PLACEHOLDERS):   # most pages: no walk
        return page
    for node in doc.root.traverse(include_text=True):
        if node.is_element_node:
            for name in ("alt", "title", "aria-label", "placeholder", "content"):
                value = node.attributes.get(name) or ""
                if any(p in value for p in PLACEHOLDERS):
                    page.placeholders.append((_line_in(raw, html.escape(value), value), value.strip()))
        elif node.is_text_node and node.parent is not None and node.parent.tag not in ("script", "style") \
                and SETTING_SLOT not in (node.parent.attributes.get("class") or "").split():
            data = node.text_content or ""
            if any(p in data for p in PLACEHOLDERS):
                text = " ".join(data.split())
                page.placeholders.append((_line_in(raw, html.escape(data.strip(), quote=False),
                                                   *PLACEHOLDERS), text))
    return page


def _read_pages(site: Path) -> dict[str, _Page]:
    return {path.relative_to(site).as_posix(): _read_page(path.read_text(encoding="utf-8", errors="replace"))
            for path in sorted(site.rglob("*.html"))}


def _target(site: Path, own_host: str, page: str, href: str, prefix: str = "/") -> tuple[str, str] | None:
    """(file in the site, fragment) a link leads to, or None when it leaves the
    site. `prefix`: where the site is on its host ("/dangjian/" on a parent
    platform, site_url's path), which the built pages' absolute links carry."""
    parts = urlsplit(href)
    if parts.scheme in ("mailto", "tel", "data", "blob", "javascript"):
        return None
    if parts.scheme or parts.netloc:
        if (parts.hostname or "").lower() != own_host:
            return None                       # another site: not checked here
        href = parts._replace(scheme="", netloc="").geturl() or "/"
    resolved = urlsplit(urljoin(prefix + page, href))
    path = unquote(resolved.path)
    if not path.startswith(prefix):
        return None                           # the parent platform's, beside the site: not checked here
    path = path[len(prefix):]
    if path == "" or path.endswith("/"):
        path += "index.html"
    elif (site / path).is_dir():
        path += "/index.html"
    return path, unquote(resolved.fragment)


def page_origins(snap) -> dict[str, str]:
    """Built page (directory URLs) → the record or content file it was made from."""
    out = {view.page_url(r.kind.doc_path(r.id)) + "index.html": r.path
           for r in snap.records if not r.kind.is_list_file}
    for page in snap.pages:
        out[view.page_url(page.path.removeprefix("content/")) + "index.html"] = page.path
    return out


def built_site_problems(site: Path, site_url: str = "", origins: dict[str, str] | None = None,
                        reported: frozenset[str] = frozenset()) -> list[Problem]:
    """Placeholders and broken internal links on the pages of a built site.

    `origins`: page (as a path in the site) → the repository file it was made
    from, so that messages name what the editors can change. `reported`: files of
    the site whose absence is already reported at their setting (the badge). A fault repeated
    on many pages (a template's) is reported once, with the count."""
    origins = origins or {}
    own_host = (urlsplit(site_url).hostname or "").lower()
    prefix = "/" + "".join(s + "/" for s in urlsplit(site_url).path.split("/") if s)
    pages = _read_pages(site)

    def where(page: str, line: int) -> tuple[str, int]:
        return (origins[page], 1) if page in origins else (f"site/{page}", line)

    placeholders: dict[str, list[tuple[str, int]]] = defaultdict(list)
    broken: dict[tuple[str, str], list[tuple[str, int]]] = defaultdict(list)
    for page, parsed in pages.items():
        for line, text in parsed.placeholders:
            placeholders[text[:60]].append((page, line))
        for line, href in parsed.links:
            target = _target(site, own_host, page, href, prefix)
            if target is None:
                continue
            path, fragment = target
            if path in reported:
                continue
            if not (site / path).is_file():
                broken[(href, "页面或文件不存在")].append((page, line))
            elif fragment and path.endswith(".html") and path in pages and fragment not in pages[path].ids:
                broken[(href, f"页面中没有“#{fragment}”这个位置")].append((page, line))

    problems = []
    for text, found in sorted(placeholders.items()):
        path, line = where(*found[0])
        count = len({page for page, _ in found})
        more = f"（共 {count} 个网页）" if count > 1 else ""
        problems.append(Problem(path, line, "网页", f"网页 {found[0][0]} 上有未填写的内容“{text}”{more}："
                                                   f"上线前请补全（页脚信息在 {SETTINGS_FILE} 的 extra 下填写）"))
    for (href, why), found in sorted(broken.items()):
        path, line = where(*found[0])
        count = len({page for page, _ in found})
        more = f"（共 {count} 个网页有此链接）" if count > 1 else ""
        problems.append(Problem(path, line, "链接", f"网页 {found[0][0]} 中的链接“{href}”无效：{why}{more}"))
    return problems


# --- the summary a go-live reads first ---------------------------------------------

def release_summary(problems: list[Problem], settings_file: str = SETTINGS_FILE) -> list[str]:
    """A few lines before the details: what stands between the repository and
    going live, grouped, each with what to do (the shipped content has more
    than a hundred sample records, one line each in the details)."""
    errors = [p for p in problems if p.level == "error"]
    if not errors:
        return []
    groups: dict[str, list[Problem]] = defaultdict(list)
    for p in errors:
        if p.field.startswith("sample"):
            groups["samples"].append(p)
        elif p.path in (settings_file, "mkdocs.yml"):
            groups["settings"].append(p)
        elif p.field in ("网页", "链接"):
            groups["pages"].append(p)
        elif "尚未发布" in p.message:
            groups["links"].append(p)
        elif p.field.startswith("status"):
            groups["review"].append(p)
        else:
            groups["other"].append(p)
    lines = [f"发布前检查：发现 {len(errors)} 个错误，网站尚不能发布。概要："]
    if groups["samples"]:
        lines.append(f"  · {len(groups['samples'])} 条示例记录：正式上线前须删除，运行 make samples YES=1 一次删除全部示例")
    if groups["settings"]:
        labels = {s.key: s.label for s in SETTINGS}
        names = "、".join(dict.fromkeys(labels.get(p.field, p.field or "格式") for p in groups["settings"]))
        lines.append(f"  · 网站设置 {len(groups['settings'])} 项未填写或有误（{settings_file}）：{names}")
    if groups["review"]:
        lines.append(f"  · {len(groups['review'])} 条记录标为已发布但三审未完成")
    if groups["links"]:
        lines.append(f"  · {len(groups['links'])} 处链接指向尚未发布的记录")
    if groups["pages"]:
        lines.append(f"  · 网页上 {len(groups['pages'])} 处未填写的内容或无效链接")
    if groups["other"]:
        files = len({p.path for p in groups["other"]})
        lines.append(f"  · 另有 {len(groups['other'])} 个错误，在 {files} 个文件中")
    lines.append("详情（文件:行: 字段: 说明）：")
    return lines
