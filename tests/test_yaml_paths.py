"""The two YAML readers agree: libyaml's fast path (taken for well-formed
files) and the careful pure-Python composer (taken for the rest, for its
messages) give the same values and the same line for every field, on any
document hypothesis can write (block style, Chinese text, comments, blank
lines, any indentation), and the same fault line where both fail."""
from __future__ import annotations

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings, strategies as st

from scripts.records import yaml_reader as yr

SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

KEYS = st.one_of(st.from_regex(r"[a-z][a-z0-9_]{0,8}", fullmatch=True), st.sampled_from(["名称", "年份", "id"]))
TEXT = st.text(alphabet=st.sampled_from(list("扎兰屯党建网先进典型 abcXYZ019:#-'\"，。：“”\\\t%@!?{}[]&*|>")),
               max_size=40)
SCALARS = st.one_of(TEXT, st.integers(-10**12, 10**12), st.booleans(), st.none(),
                    st.floats(allow_nan=False, allow_infinity=False, width=32),
                    st.dates().map(lambda d: d.isoformat()))
DATA = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(KEYS, inner, max_size=5)), max_leaves=20)
DOCUMENTS = st.dictionaries(KEYS, DATA, min_size=1, max_size=6)


def read(compose, text: str):
    """(value, {path: line}) through one composer, or the fault's line."""
    try:
        node = compose(text)
    except yr.YamlFault as fault:
        return ("fault", fault.line)
    if node is yr._FAILED:
        return None
    try:
        return yr.to_value(node)
    except yr.YamlFault as fault:
        return ("fault", fault.line)


def dump(data, indent: int, width: int, comments: bool, blank: bool) -> str:
    text = yaml.safe_dump(data, allow_unicode=True, default_flow_style=False, sort_keys=False,
                          indent=indent, width=width)
    out = []
    for n, line in enumerate(text.splitlines()):
        out.append(line)
        if comments and n % 3 == 0 and not line.rstrip().endswith(("|", ">", "|-", ">-", "'", '"')):
            out.append(" " * (len(line) - len(line.lstrip())) + "# 说明：注释行")
        if blank and n % 4 == 1:
            out.append("")
    return "\n".join(out) + "\n"


# slow: 150 generated documents take about 9 s, most of `make test-fast`'s
# margin under a minute; `make test` runs it.
@pytest.mark.slow
@SETTINGS
@given(DOCUMENTS, st.integers(2, 4), st.integers(20, 200), st.booleans(), st.booleans())
def test_fast_and_careful_readers_agree_on_values_and_lines(data, indent, width, comments, blank):
    text = dump(data, indent, width, comments, blank)
    fast = read(yr._compose_fast, text)
    assume(fast is not None)       # the fast path declined (flow collections, anchors)
    careful = read(yr._compose, text)
    assert fast == careful, text


@SETTINGS
@given(st.text(alphabet=st.sampled_from(list("ab:- \n#'\"[]{}扎兰屯：\t")), max_size=80))
def test_on_any_text_the_fast_path_never_disagrees(text):
    """Where the fast path reads a text at all, it reads it as the careful
    reader does; where it declines, parse_yaml falls back to the careful one."""
    fast = read(yr._compose_fast, text)
    careful = read(yr._compose, text)
    if fast is not None and careful is not None and careful[0] != "fault":
        assert fast == careful, repr(text)
    try:
        parsed = yr.parse_yaml(text)
    except yr.YamlFault as fault:
        assert careful is None or careful == ("fault", fault.line) or careful[0] != "fault", repr(text)
    else:
        if careful is not None and careful[0] != "fault":
            assert parsed == careful, repr(text)


def test_the_fast_path_is_taken_for_ordinary_records():
    text = "name: 刘廷江\nhonours:\n  - title: 荣誉\n    year: 2010\n"
    assert yr._compose_fast(text) is not yr._FAILED
    assert yr.parse_yaml(text) == ({"name": "刘廷江", "honours": [{"title": "荣誉", "year": 2010}]},
                                   {(): 1, ("name",): 1, ("honours",): 2, ("honours", 0): 3,
                                    ("honours", 0, "title"): 3, ("honours", 0, "year"): 4})
