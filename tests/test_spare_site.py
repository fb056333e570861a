"""The previous site kept for the next incremental build (build.swap
swap_in(keep=…), build.incremental.sync_links): brought up to date with the
live site by linking only what differs, whatever was done to it."""
from __future__ import annotations

import os
from pathlib import Path

from scripts.build.incremental import sync_links, tree
from scripts.build.swap import spare_of, swap_in


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_swap_keeps_the_previous_site_where_asked(tmp_path):
    site, new = tmp_path / "site", tmp_path / "new"
    write(site / "index.html", "old")
    write(new / "index.html", "new")
    swap_in(new, site, keep=spare_of(site))
    assert (site / "index.html").read_text() == "new"
    assert (spare_of(site) / "index.html").read_text() == "old"
    assert spare_of(site).name.startswith(".building-spare-")


def test_sync_makes_the_copy_exactly_links_to_the_live_files(tmp_path):
    live, copy = tmp_path / "live", tmp_path / "copy"
    for rel in ("index.html", "a/index.html", "a/b/index.html", "gone/index.html", "changed.txt", "search/s/0.js"):
        write(live / rel, rel)
    os.makedirs(copy)
    for rel, st in tree(live).items():
        (copy / rel).parent.mkdir(parents=True, exist_ok=True)
        os.link(live / rel, copy / rel)
    # The live site moves on (what a build and its swap do): a file replaced,
    # one deleted with its folder, one added; the copy gets a stray file and
    # a file of its own where the live one is.
    (live / "changed.txt").unlink()
    write(live / "changed.txt", "changed again")
    (live / "gone/index.html").unlink()
    (live / "gone").rmdir()
    write(live / "new/page/index.html", "new page")
    write(copy / "stray.php", "<?php")
    (copy / "a/index.html").unlink()
    write(copy / "a/index.html", "a copy of its own")

    files = tree(live)
    linked = sync_links(live, files, copy, leave_out={"search/s/0.js"})
    assert linked == 3   # changed.txt, new/page/index.html, a/index.html
    have = tree(copy)
    assert set(have) == set(files) - {"search/s/0.js"}
    assert all(have[rel].st_ino == files[rel].st_ino for rel in have)
    assert not (copy / "gone").exists() and not (copy / "search/s").exists()


def test_what_is_left_out_of_the_copy_files_and_folders():
    from scripts.build.incremental import _left_out
    files = {rel: None for rel in ("a/b/c.html", "a/d.html", "x.html", "search/s/0.js", "feed.xml")}
    assert _left_out(files, {"feed.xml", "search", "a/b", "new/index.html"}) == {
        "a/b/c.html", "feed.xml", "search/s/0.js"}
    assert _left_out(files, {"a"}) == {"a/b/c.html", "a/d.html"}
    assert _left_out(files, set()) == set()
