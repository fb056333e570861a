"""HTML to PDF with WeasyPrint: the fonts checked, nothing fetched from
another host, the file written whole or not at all, the same bytes for the
same input."""
from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

from . import cjk

# The CJK fonts the project installs (Debian fonts-noto-cjk, `make print-deps`):
# 宋体-like Serif for text, 黑体-like Sans for headings; both embedded as subsets.
FONTS = ("Noto Serif CJK SC", "Noto Sans CJK SC")


class MissingFonts(RuntimeError):
    """The CJK fonts are not installed on this machine (the message is Chinese)."""


def check_fonts() -> None:
    """Stop with a message an editor can act on when the fonts are missing
    (WeasyPrint would silently print boxes or another font)."""
    try:
        listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True,
                                timeout=60).stdout
    except (OSError, subprocess.SubprocessError):
        listed = ""
    missing = [f for f in FONTS if f not in listed]
    if missing:
        raise MissingFonts("本机未安装排版所需的字体 " + "、".join(missing)
                           + "（Debian 软件包 fonts-noto-cjk），请先运行 make print-deps")


def _fetcher(allowed: list[Path]):
    """WeasyPrint's fetcher, limited to data: URLs and files under `allowed`:
    a print never loads anything from another host or outside the repository."""
    from weasyprint.urls import URLFetcher, URLFetchingError

    roots = [os.path.realpath(p) for p in allowed]

    class LocalFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "data":
                return super().fetch(url, headers)
            if parts.scheme == "file":
                path = os.path.realpath(unquote(parts.path))
                if any(path == r or path.startswith(r + os.sep) for r in roots):
                    return super().fetch(url, headers)
            raise URLFetchingError(f"不从本仓库以外读取：{url}")

    return LocalFetcher(allowed_protocols={"file", "data"})


def write_pdf(html: str, target: Path, base: Path, allowed: list[Path], stylesheet: Path) -> int:
    """Typeset `html` (relative addresses from `base`) into `target`; returns
    the number of pages. `target` appears complete or not at all."""
    # WeasyPrint reports unsupported CSS and missing images at WARNING, and
    # its steps at INFO (some while it is imported): the templates are ours,
    # and a missing photo is `check`'s to report.
    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("weasyprint.progress").setLevel(logging.ERROR)
    import weasyprint

    cjk.install()
    html = cjk.mark_quotes(html)
    fetcher = _fetcher(allowed)
    document = weasyprint.HTML(string=html, base_url=str(base), url_fetcher=fetcher).render(
        stylesheets=[weasyprint.CSS(filename=str(stylesheet), url_fetcher=fetcher)])
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".printing-", suffix=".pdf", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            # The file identifier from the content, not from the clock: the
            # same records give the same bytes.
            ident = hashlib.sha256(html.encode("utf-8")).hexdigest()[:32].encode()
            document.write_pdf(f, pdf_identifier=ident)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)   # as any file the editor writes, not mkstemp's 0600
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(document.pages)

