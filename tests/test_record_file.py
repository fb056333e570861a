"""Record files as the workbench writes them (scripts/editor/record_file.py):
whatever the values, what is written reads back as the same record, in the
model's order."""
from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scripts.editor.record_file import leading_comments, prune, record_text
from scripts.records.schema import load_schema
from scripts.records.yaml_reader import parse_yaml, split_front_matter

SCHEMA = load_schema()
UNIT, SMS = SCHEMA.kinds["unit"], SCHEMA.kinds["sms"]

# Text as editors paste it: quotes, colons, hashes, brackets, leading blanks,
# line breaks, words YAML would read as true or a number or a date.
TRICKY = st.sampled_from(["是", "yes", "no", "true", "null", "~", "12:30", "2024-07-01", "1e3", "0x1F", "- a",
                          "a: b", "# x", "'", '"', "[a]", "{a}", "&a", "*a", "!x", "%", "@", "`", "|", ">",
                          " 前导空格", "尾随空格 ", "两行\n文字", "末尾换行\n", "\t制表", "\xa0", "\u3000全角空格",
                          "\x85", "行\u2028分隔", "\r", "\ufeff"])
TEXT = st.one_of(TRICKY, st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40),
                 st.lists(TRICKY, min_size=1, max_size=3).map("".join))
VALUE = st.one_of(TEXT, st.integers(-10**6, 10**6), st.booleans(),
                  st.floats(-1e12, 1e12, allow_nan=False))   # the reader refuses larger ones


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(name=TEXT, summary=TEXT, town=VALUE, honours=st.lists(st.fixed_dictionaries(
    {"title": TEXT, "year": st.integers(1921, 2100)}, optional={"body": TEXT, "result": TEXT}), max_size=3),
    members=st.lists(TEXT, max_size=3), extra=st.dictionaries(
        st.from_regex(r"[a-z_]{1,10}", fullmatch=True).filter(lambda k: k not in UNIT.fields), VALUE, max_size=2))
def test_what_is_written_reads_back_the_same(name, summary, town, honours, members, extra):
    data = prune({"summary": summary, "name": name, "town": town, "honours": honours, "members": members,
                  **extra})
    text = record_text(UNIT, data, "正文。")
    front, body, _ = split_front_matter(text)
    assert parse_yaml(front)[0] == data
    assert body.strip() == "正文。"
    written = list(parse_yaml(front)[0])
    assert written == [k for k in UNIT.fields if k in data] + [k for k in data if k not in UNIT.fields]


def test_plain_yaml_records_keep_their_leading_comments():
    text = record_text(SMS, {"author": "某某", "text": "短信"}, comments=["# 来源：某某活动"])
    assert text == "# 来源：某某活动\ntext: 短信\nauthor: 某某\n"
    assert leading_comments(text) == ["# 来源：某某活动"]
