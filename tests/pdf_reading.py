"""Reading printed PDFs back as a reader's tools do: Debian's poppler-utils
(pdftotext, pdffonts, pdfinfo, pdftoppm) and zbar-tools (zbarimg), so the
tests check the files themselves, not what the code meant to write."""
from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

A4 = (595.28, 841.89)   # points
_WS = re.compile(r"\s+")


def run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"{args[0]} failed: {done.stderr}"
    return done.stdout


def squeeze(text: str) -> str:
    """Text without whitespace: line breaks and justification spaces differ
    between the source and what pdftotext reads."""
    return _WS.sub("", text)


# The compilation's text block (print.css: 31 mm + 6 mm to the text, 35 mm at
# the foot): the running header above it, the page number below.
TEXT_BLOCK = (88, 742)   # points from the top


def page_texts(pdf: Path, layout: bool = False, block: bool = False, header: bool = False) -> list[str]:
    """The text of every page; `block`: only the compilation's text block;
    `header`: only what is above it (the running header)."""
    top, bottom = (0, TEXT_BLOCK[0]) if header else TEXT_BLOCK
    crop = ["-x", "0", "-y", str(top), "-W", "596", "-H", str(bottom - top)] if block or header else []
    out = run("pdftotext", *(["-layout"] if layout else []), *crop, str(pdf), "-")
    pages = out.split("\f")
    return pages[:-1] if pages and not pages[-1].strip() else pages


def page_count(pdf: Path) -> int:
    return int(re.search(r"^Pages:\s+(\d+)", run("pdfinfo", str(pdf)), re.M).group(1))


def page_sizes(pdf: Path) -> list[tuple[float, float]]:
    n = page_count(pdf)
    info = run("pdfinfo", "-f", "1", "-l", str(n), str(pdf))
    return [(float(w), float(h)) for w, h in re.findall(r"Page\s+\d+ size:\s+([\d.]+) x ([\d.]+)", info)]


@dataclass
class Font:
    name: str
    type: str
    embedded: bool
    subset: bool


def fonts(pdf: Path) -> list[Font]:
    lines = run("pdffonts", str(pdf)).splitlines()[2:]
    out = []
    for line in lines:
        # name, type (may hold spaces), encoding, emb, sub, uni, object id, generation
        m = re.match(r"(\S+)\s+(.+?)\s+(\S+)\s+(yes|no)\s+(yes|no)\s+(yes|no)\s+\d+\s+\d+$", line)
        assert m, line
        out.append(Font(m.group(1), m.group(2), m.group(4) == "yes", m.group(5) == "yes"))
    return out


@dataclass
class Line:
    page: int          # 1-based
    x0: float
    x1: float
    y0: float
    y1: float
    text: str


def lines(pdf: Path) -> list[Line]:
    """Every line of text with its box (pdftotext -bbox-layout), page by page, top down."""
    xml = run("pdftotext", "-bbox-layout", str(pdf), "-")
    xml = re.sub(r"<!DOCTYPE[^>]*>", "", xml).replace(' xmlns="http://www.w3.org/1999/xhtml"', "")
    out = []
    for number, page in enumerate(ET.fromstring(xml).iter("page"), 1):
        found = []
        for line in page.iter("line"):
            words = [w.text or "" for w in line.iter("word")]
            found.append(Line(number, float(line.get("xMin")), float(line.get("xMax")),
                              float(line.get("yMin")), float(line.get("yMax")), "".join(words)))
        out += sorted(found, key=lambda l: (round(l.y0), l.x0))
    return out


def render_png(pdf: Path, out_prefix: Path, page: int, dpi: int = 150) -> Path:
    """One page as a PNG (pdftoppm), at out_prefix.png."""
    out_prefix.parent.mkdir(parents=True, exist_ok=True)
    run("pdftoppm", "-r", str(dpi), "-png", "-singlefile", "-f", str(page), "-l", str(page),
        str(pdf), str(out_prefix))
    return out_prefix.with_suffix(".png")


def qr_codes(png: Path) -> list[str]:
    """Every QR code zbarimg reads in an image."""
    done = subprocess.run(["zbarimg", "-q", "--raw", "-Sdisable", "-Sqrcode.enable", str(png)],
                          capture_output=True, text=True, timeout=120)
    # zbarimg exits 4 when it finds no code.
    assert done.returncode in (0, 4), done.stderr
    return [line for line in done.stdout.splitlines() if line.strip()]


def svg_to_png(svg: str, out: Path, size_mm: int = 60) -> Path:
    """An inline SVG drawn by WeasyPrint on a page of its own, then rasterised
    by pdftoppm: the QR code as a printer would put it on paper."""
    import weasyprint

    pdf = out.with_suffix(".pdf")
    page = size_mm + 20
    weasyprint.HTML(string=f"<style>@page{{size:{page}mm {page}mm;margin:10mm}}"
                           f"svg{{display:block;width:{size_mm}mm;height:{size_mm}mm}}</style>{svg}"
                    ).write_pdf(pdf)
    return render_png(pdf, out.with_suffix(""), 1, dpi=200)
