"""The links an incremental build keeps of each page (build.incremental
linked_names): every way a page can name a file that mkdocs resolves, so
that a page linking to a deleted file or to an anchor of a changed page is
built again and its links checked, as in a full build."""
from scripts.build.incremental import linked_names


def test_every_link_form_mkdocs_resolves_is_kept():
    text = ("见[某页](../units/foo.md#jianjie)和![照片](img/a.png \"题注\")。\n"
            '<div markdown><a href="bar.md">b</a><img src="../c.jpg"></div>\n'
            "[参见][r] 与 [d](<baz.md>)\n\n[r]: ../ref.md#k\n"
            "正文里提到 plain.md 不是链接，[外部](https://example.org/x.html) 也算名字。\n")
    names = linked_names(text)
    for name in ("foo.md", "foo.md#", "a.png", "bar.md", "c.jpg", "baz.md", "ref.md", "ref.md#"):
        assert name in names, name
    assert "plain.md" not in names and "bar.md#" not in names
