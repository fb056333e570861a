"""The text both search indexes are built from."""
from scripts.pagetext import page_text
from scripts.search import index_page, spaced


def test_every_chinese_character_is_a_word_and_other_words_stay_whole():
    assert spaced("刘廷江，2010年 Party") == "刘 廷 江 ，2010 年 Party"


def test_page_text_is_the_content_only_and_inline_tags_do_not_split_words():
    html = """<html><body><header><nav>先进典型 工作动态</nav></header>
      <div class="md-content"><article><h1>刘<em>廷</em>江</h1><p>抗洪<strong>抢险</strong></p>
      <script>var x = "脚本";</script><p>第二段</p></article></div>
      <footer>主办单位</footer></body></html>"""
    title, text = page_text(html)
    assert title == "刘廷江"
    assert text == "刘廷江 抗洪抢险 第二段"


def test_the_indexed_page_keeps_the_title_for_display_and_escapes_text():
    page = index_page("刘廷江", "刘廷江 <b>&")
    assert 'data-pagefind-meta="title">刘廷江</div>' in page
    assert "<h1 data-pagefind-weight=\"10\">刘 廷 江</h1>" in page
    assert "&lt;b&gt;&amp;" in page
