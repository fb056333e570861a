"""三审 by identity: the newsroom signs each review stage; in a repository with
newsroom.yml, check accepts a published record only with three valid
signatures, by three accounts, in order, over its current content."""
from __future__ import annotations

import base64
import re

import pytest
import yaml
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from scripts.check import check, errors
from scripts.check.signatures import signature_problems
from scripts.records import signatures as sig
from scripts.records.loader import load_all

UNIT = "exemplars/units/jia.md"
TIMES = ("2026-12-06T10:15:00+08:00", "2026-12-07T09:00:00+08:00", "2026-12-08T16:30:00+08:00")
ACCOUNTS = ("zhangsan", "lisi", "wangwu")
NAMES = ("张三", "李四", "王五")


@pytest.fixture(scope="module")
def keys():
    private_pem, public_pem = sig.generate_keypair()
    return serialization.load_pem_private_key(private_pem, None), public_pem


@pytest.fixture
def newsroom(repo, keys):
    repo.write(sig.NEWSROOM_FILE, sig.newsroom_file_text(keys[1]))
    return repo


def record(repo, rel):
    (r,) = [r for r in load_all(repo.path)[0] if r.path == rel]
    return r


def signed_review(private, r, accounts=ACCOUNTS, times=TIMES, content_hash=None) -> dict:
    h = content_hash or sig.content_hash(r)
    review = {}
    for stage, account, name, time in zip(sig.STAGES, accounts, NAMES, times):
        review[stage] = {"by": name, "account": account, "date": time[:10], "time": time,
                         "comment": "同意", "hash": h,
                         "signature": sig.sign(private, r.kind.name, r.id, h, stage, account, time)}
    review["thread"] = [{"by": "张三", "account": "zhangsan", "time": TIMES[0], "stage": "first",
                         "action": "通过", "comment": "同意"}]
    return review


def write_unit(repo, rel=UNIT, name="甲党支部", body="这里是事迹正文。\n", review=None, extra=""):
    front = f"name: {name}\nsector: 社区\n{extra}status: published\n"
    if review is not None:
        front += yaml.safe_dump({"review": review}, allow_unicode=True, sort_keys=False)
    return repo.write(rel, f"---\n{front}---\n{body}")


def publish_signed(repo, private, rel=UNIT, **kw) -> dict:
    """A published unit, signed by the newsroom as it is now."""
    review_args = {k: kw.pop(k) for k in ("accounts", "times") if k in kw}
    write_unit(repo, rel, **kw)
    review = signed_review(private, record(repo, rel), **review_args)
    write_unit(repo, rel, review=review, **kw)
    return review


def stage_line(repo, stage, rel=UNIT) -> int:
    lines = (repo.path / rel).read_text(encoding="utf-8").splitlines()
    return next(n for n, t in enumerate(lines, 1) if t.strip() == f"{stage}:")


def problems(repo):
    return signature_problems(repo.path, load_all(repo.path)[0])


def only(found, stage, words, repo, rel=UNIT):
    assert len(found) == 1, "\n".join(map(str, found))
    (p,) = found
    assert (p.path, p.line, p.level) == (rel, stage_line(repo, stage, rel), "error")
    assert p.field == f"review.{stage}（{sig.STAGE_LABELS[stage]}）"
    assert words in p.message, p.message
    return p


# --- the module ------------------------------------------------------------------

def test_content_hash_ignores_layout_but_not_values_or_body():
    data = {"name": "甲", "sector": "社区", "honours": [{"title": "奖", "year": 2010}]}
    h = sig.content_hash_of("unit", "jia", data, "正文\n")
    assert re.fullmatch(r"sha256:[0-9a-f]{64}", h)
    reordered = {"honours": [{"year": 2010, "title": "奖"}], "sector": "社区", "name": "甲",
                 "status": "published", "review": {"first": {"by": "某"}}, "id": "jia"}
    assert sig.content_hash_of("unit", "jia", reordered, "正文\r\n\n") == h
    for changed in [("unit", "jia", {**data, "name": "乙"}, "正文\n"),
                    ("unit", "jia", data, "正文。\n"),
                    ("unit", "yi", data, "正文\n"),
                    ("member", "jia", data, "正文\n"),
                    ("unit", "jia", {**data, "honours": [{"title": "奖", "year": 2011}]}, "正文\n")]:
        assert sig.content_hash_of(*changed) != h


def test_content_hash_of_a_record_reformatted_stays(repo):
    repo.write(UNIT, "---\nname: 甲党支部\nsector: 社区\nstatus: draft\n---\n正文\n")
    before = sig.content_hash(record(repo, UNIT))
    repo.write(UNIT, "---\n# 注释\nsector: '社区'\nstatus: published\nname: \"甲党支部\"\n---\n正文\n")
    assert sig.content_hash(record(repo, UNIT)) == before


def test_sign_and_verify_cover_every_field(keys):
    private, public_pem = keys
    public = sig.load_public_key_pem(public_pem.decode())
    fields = ("unit", "jia", "sha256:" + "0" * 64, "final", "wangwu", TIMES[2])
    signature = sig.sign(private, *fields)
    assert sig.verify(public, *fields, signature)
    for i in range(len(fields)):
        other = list(fields)
        other[i] = "second" if i == 3 else fields[i] + "x"
        assert not sig.verify(public, *other, signature)
    assert not sig.verify(public, *fields, "不是签名")
    assert not sig.verify(public, *fields, base64.b64encode(b"\0" * 64).decode())
    assert sig.signed_text(*fields).startswith(b"zlt-review-v1\n")


def test_a_line_break_cannot_smuggle_a_field(keys):
    with pytest.raises(ValueError):
        sig.signed_text("unit", "jia", "sha256:0", "final", "wangwu\nstage: first", TIMES[0])
    with pytest.raises(ValueError):
        sig.signed_text("unit", "jia", "sha256:0", "fourth", "wangwu", TIMES[0])


def test_private_key_round_trip(tmp_path):
    private_pem, public_pem = sig.generate_keypair()
    (tmp_path / "k.pem").write_bytes(private_pem)
    key = sig.load_private_key(tmp_path / "k.pem")
    public = sig.load_public_key_pem(public_pem)
    s = sig.sign(key, "unit", "jia", "sha256:1", "first", "a", TIMES[0])
    assert sig.verify(public, "unit", "jia", "sha256:1", "first", "a", TIMES[0], s)
    assert sig.fingerprint(public).startswith("sha256:")


# --- the rule --------------------------------------------------------------------

def test_without_newsroom_yml_the_rule_is_silent(repo):
    hand = {s: {"by": "编辑部", "date": "2026-12-06"} for s in sig.STAGES}
    write_unit(repo, review=hand)
    assert sig.newsroom_key(repo.path) is None
    assert problems(repo) == []
    assert check(repo.path) == []


def test_a_properly_signed_record_passes(newsroom, keys):
    publish_signed(newsroom, keys[0])
    assert problems(newsroom) == []
    assert check(newsroom.path) == []


def test_reformatting_a_signed_record_keeps_it_valid(newsroom, keys):
    publish_signed(newsroom, keys[0])
    path = newsroom.path / UNIT
    text = path.read_text(encoding="utf-8")
    text = text.replace("name: 甲党支部\nsector: 社区\n", "# 改了格式\nsector: \"社区\"\nname: '甲党支部'\n")
    path.write_text(text, encoding="utf-8")
    assert problems(newsroom) == []


def test_hand_typed_review_is_refused(newsroom):
    write_unit(newsroom, review={s: {"by": n, "date": "2026-12-06"} for s, n in zip(sig.STAGES, NAMES)})
    found = problems(newsroom)
    assert [p.field for p in found] == [f"review.{s}（{sig.STAGE_LABELS[s]}）" for s in sig.STAGES]
    for p, stage in zip(found, sig.STAGES):
        assert p.path == UNIT and p.line == stage_line(newsroom, stage) and "没有审稿系统的签名" in p.message
    # The full check reports it, as a release-blocking error.
    assert any("没有审稿系统的签名" in p.message for p in errors(check(newsroom.path)))


def test_a_partly_signed_stage_is_refused(newsroom, keys):
    review = publish_signed(newsroom, keys[0])
    del review["second"]["signature"]
    write_unit(newsroom, review=review)
    only(problems(newsroom), "second", "缺少signature（签名）", newsroom)


def test_signature_copied_from_another_record(newsroom, keys):
    other = publish_signed(newsroom, keys[0], rel="exemplars/units/yi.md", name="乙党支部")
    review = publish_signed(newsroom, keys[0])
    review["final"] = other["final"]
    write_unit(newsroom, review=review)
    # Copied with its hash, the signature is another record's: it fails.
    only(problems(newsroom), "final", "签名无效", newsroom)
    review["final"] = {**other["final"], "hash": review["second"]["hash"]}
    write_unit(newsroom, review=review)
    only(problems(newsroom), "final", "签名无效", newsroom)


def test_signature_copied_from_another_stage(newsroom, keys):
    review = publish_signed(newsroom, keys[0])
    review["final"] = {**review["final"], "signature": review["second"]["signature"],
                       "account": review["second"]["account"], "time": review["second"]["time"]}
    write_unit(newsroom, review=review)
    only(problems(newsroom), "final", "签名无效", newsroom)


@pytest.mark.parametrize("field, value", [("account", "zhaoliu"), ("time", "2026-12-08T16:31:00+08:00"),
                                          ("hash", "sha256:" + "a" * 64)])
def test_tampered_signed_field(newsroom, keys, field, value):
    review = publish_signed(newsroom, keys[0])
    review["final"][field] = value
    write_unit(newsroom, review=review)
    only(problems(newsroom), "final", "签名无效", newsroom)


def test_tampered_date_is_refused(newsroom, keys):
    review = publish_signed(newsroom, keys[0])
    review["first"]["date"] = "2026-11-01"
    write_unit(newsroom, review=review)
    only(problems(newsroom), "first", "审核日期“2026-11-01”与签名的审核时间", newsroom)


def test_signed_by_another_newsroom(newsroom):
    other_private = serialization.load_pem_private_key(sig.generate_keypair()[0], None)
    publish_signed(newsroom, other_private)
    assert [p.field.split("（")[0] for p in problems(newsroom)] == [f"review.{s}" for s in sig.STAGES]


@pytest.mark.parametrize("edit", ["body", "field"])
def test_record_edited_after_final(newsroom, keys, edit):
    review = publish_signed(newsroom, keys[0])
    if edit == "body":
        write_unit(newsroom, review=review, body="这里是改过的事迹正文。\n")
    else:
        write_unit(newsroom, review=review, extra="town: 某某街道\n")
    only(problems(newsroom), "final", "终审后记录被修改", newsroom)
    assert any("终审后记录被修改" in p.message for p in errors(check(newsroom.path)))


def test_content_changed_between_stages(newsroom, keys):
    write_unit(newsroom, body="初稿。\n")
    first = signed_review(keys[0], record(newsroom, UNIT))["first"]
    review = publish_signed(newsroom, keys[0])
    review["first"] = first
    write_unit(newsroom, review=review)
    only(problems(newsroom), "first", "初审后记录被修改", newsroom)


def test_one_account_cannot_sign_two_stages(newsroom, keys):
    publish_signed(newsroom, keys[0], accounts=("zhangsan", "lisi", "zhangsan"))
    p = only(problems(newsroom), "final", "账号“zhangsan”已签署初审", newsroom)
    assert "三个不同的人" in p.message


def test_stages_in_order(newsroom, keys):
    publish_signed(newsroom, keys[0], times=(TIMES[0], TIMES[2], TIMES[1]))
    only(problems(newsroom), "final", "终审时间“2026-12-07T09:00:00+08:00”早于复审时间", newsroom)


def test_samples_and_unpublished_records_are_not_checked(newsroom):
    hand = {s: {"by": "编辑部", "date": "2026-12-06"} for s in sig.STAGES}
    write_unit(newsroom, review=hand, extra="sample: true\n")
    write_unit(newsroom, rel="exemplars/units/yi.md", review=hand)
    (newsroom.path / "exemplars/units/yi.md").write_text(
        (newsroom.path / "exemplars/units/yi.md").read_text(encoding="utf-8")
        .replace("status: published", "status: review"), encoding="utf-8")
    assert problems(newsroom) == []


@pytest.mark.parametrize("text, line, words", [
    ("# 公钥\npublic_key: |\n  not a key\n", 2, "不是有效的 Ed25519 公钥"),
    ("# 公钥\nkey: x\n", 1, "缺少审稿系统的公钥"),
    ("- a\n- b\n", 1, "public_key: |"),
    ("public_key: [\n", 2, ""),
])
def test_a_broken_newsroom_yml_is_an_error_not_silence(repo, text, line, words):
    repo.write(sig.NEWSROOM_FILE, text)
    write_unit(repo, review={s: {"by": "编辑部", "date": "2026-12-06"} for s in sig.STAGES})
    (p,) = problems(repo)
    assert (p.path, p.line, p.level) == (sig.NEWSROOM_FILE, line, "error") and words in p.message
    assert p in errors(check(repo.path))


def test_a_key_of_another_algorithm_is_refused(repo):
    pem = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    repo.write(sig.NEWSROOM_FILE, sig.newsroom_file_text(pem))
    (p,) = problems(repo)
    assert p.path == sig.NEWSROOM_FILE and p.line == 10 and "Ed25519" in p.message


def test_newsroom_file_text_is_readable_and_explained(repo, keys):
    text = sig.newsroom_file_text(keys[1])
    assert "审稿系统" in text and "私钥" in text
    repo.write(sig.NEWSROOM_FILE, text)
    key = sig.newsroom_key(repo.path)
    assert sig.fingerprint(key) == sig.fingerprint(sig.load_public_key_pem(keys[1]))
