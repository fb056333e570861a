"""三审 by identity: each review stage signed by the newsroom server.

Why: a review typed into YAML (`review: {final: {by: 张三, …}}`) proves
nothing. Anyone can type any name, one person can fill all three stages, and
a body edited after 终审 still looks approved. When a repository uses the
newsroom (a `newsroom.yml` at its root holding the server's public key), the
server signs each stage when an account approves it, and `check` accepts a
published record only if its three stages carry valid signatures over its
current content (scripts/check/signatures.py).

What is signed (`signed_text`): the record's kind and id, the hash of its
content (`content_hash`), the stage (first / second / final), the account
that approved and the time, one per line under a version tag. The content
hash covers the record's data without `review` and `status` (the newsroom
writes those after approval), its body, its kind and its id, in a canonical
JSON form: reformatting the YAML (order of fields, quotes, comments) keeps
the hash, changing any value or the body changes it.

Not signed: `by` (the display name) and `comment` of a stage, and the
`review.thread`; the account is what identifies the reviewer.

The server holds the private key (Ed25519, the `cryptography` package); the
repository holds only the public key, so whoever can write the repository
still cannot sign.
"""
from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..problems import InputError, Problem
from .yaml_reader import YamlFault, parse_yaml, read_text

if TYPE_CHECKING:
    from .loader import Record

STAGES = ("first", "second", "final")
STAGE_LABELS = {"first": "初审", "second": "复审", "final": "终审"}
VERSION = "zlt-review-v1"
NEWSROOM_FILE = "newsroom.yml"
# Written by the newsroom after approval, so they cannot be part of what it
# approves; `id` is the file name, carried apart.
UNSIGNED_KEYS = frozenset({"review", "status", "id"})


# --- content hash ------------------------------------------------------------

def _plain(value: Any) -> Any:
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    raise TypeError(f"cannot hash a {type(value).__name__}")


def content_hash_of(kind_name: str, rid: str, data: dict, body: str) -> str:
    """The content hash of a record given as its parts (see content_hash)."""
    content = {k: v for k, v in data.items() if k not in UNSIGNED_KEYS}
    # Line endings depend on the checkout (git autocrlf), trailing blank
    # lines on the editor; neither is a change of content.
    body = (body or "").replace("\r\n", "\n").replace("\r", "\n").rstrip()
    canonical = json.dumps({"kind": kind_name, "id": rid, "data": content, "body": body},
                           sort_keys=True, ensure_ascii=False, separators=(",", ":"),
                           default=_plain)
    return "sha256:" + hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def content_hash(record: "Record") -> str:
    """"sha256:<hex>" of the record's content as read by records.loader."""
    return content_hash_of(record.kind.name, record.id, record.data, record.body)


# --- signatures ----------------------------------------------------------------

def signed_text(kind_name: str, rid: str, content_hash: str, stage: str, account: str,
                time_iso: str) -> bytes:
    """The exact bytes the newsroom signs for one stage; raises ValueError on a
    field that could blur the lines (a line break) or an unknown stage."""
    if stage not in STAGES:
        raise ValueError(f"unknown review stage {stage!r}")
    fields = {"kind": kind_name, "id": rid, "hash": content_hash, "stage": stage,
              "account": account, "time": time_iso}
    for name, value in fields.items():
        if not isinstance(value, str) or not value or any(c in value for c in "\r\n\x00"):
            raise ValueError(f"{name} must be a non-empty one-line string, not {value!r}")
    return (VERSION + "\n" + "".join(f"{k}: {v}\n" for k, v in fields.items())).encode("utf-8")


def sign(private_key: Ed25519PrivateKey, kind_name: str, rid: str, content_hash: str,
         stage: str, account: str, time_iso: str) -> str:
    """The base64 Ed25519 signature of one stage."""
    text = signed_text(kind_name, rid, content_hash, stage, account, time_iso)
    return base64.b64encode(private_key.sign(text)).decode("ascii")


def verify(public_key: Ed25519PublicKey, kind_name: str, rid: str, content_hash: str,
           stage: str, account: str, time_iso: str, signature: str) -> bool:
    """Whether signature is the newsroom's over exactly these fields."""
    try:
        text = signed_text(kind_name, rid, content_hash, stage, account, time_iso)
        raw = base64.b64decode(signature, validate=True) if isinstance(signature, str) else b""
        public_key.verify(raw, text)
    except (ValueError, binascii.Error, InvalidSignature):
        return False
    return True


# --- keys ----------------------------------------------------------------------

def generate_keypair() -> tuple[bytes, bytes]:
    """(private key PEM, PKCS#8 unencrypted; public key PEM) for a new newsroom."""
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    return private, public


def load_private_key(path: Path | str) -> Ed25519PrivateKey:
    """The newsroom's private key from a PEM file; raises ValueError if it is
    not an unencrypted Ed25519 key."""
    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path}: not an Ed25519 private key")
    return key


def load_public_key_pem(text: str | bytes) -> Ed25519PublicKey:
    """An Ed25519 public key from PEM text; raises ValueError otherwise."""
    data = text.encode("ascii", "replace") if isinstance(text, str) else text
    try:
        key = serialization.load_pem_public_key(data)
    except UnsupportedAlgorithm as e:
        raise ValueError(str(e)) from None
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("not an Ed25519 public key")
    return key


def fingerprint(public_key: Ed25519PublicKey) -> str:
    """"sha256:<hex>" of the raw public key: short enough to compare by eye,
    or to pin outside the repository (whoever can write the repository can
    also replace newsroom.yml)."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "sha256:" + hashlib.sha256(raw).hexdigest()


def newsroom_file_text(public_pem: bytes | str) -> str:
    """The newsroom.yml to commit at a repository's root for this public key."""
    pem = public_pem.decode("ascii") if isinstance(public_pem, bytes) else public_pem
    indented = "".join(f"  {line}\n" for line in pem.strip().splitlines())
    return (
        "# 审稿系统（newsroom）的公钥。\n"
        "#\n"
        "# 有了这个文件，本仓库的三审只认审稿系统的签名：每条已发布（published）的\n"
        "# 记录，初审、复审、终审都必须由审稿系统中三个不同的账号审核通过并签名，\n"
        "# 签名覆盖记录的内容；终审之后再改动正文或任何字段，签名即不再相符，\n"
        "# 需要重新送审。手工在 review 中填写的审核人不算数。\n"
        "#\n"
        "# 这是公钥，可以公开；对应的私钥只保存在审稿系统的服务器上，不得放入本仓库。\n"
        "# 更换审稿系统的密钥后，用新公钥替换下面的内容（已有的签名将全部失效）。\n"
        f"public_key: |\n{indented}"
    )


def newsroom_key(root: Path) -> Ed25519PublicKey | None:
    """The newsroom's public key of the repository at root; None when the
    repository does not use the newsroom (no newsroom.yml). Raises InputError
    (in Chinese, with the line) when the file is there but unusable: a
    broken newsroom.yml must not quietly switch the signatures off."""
    path = Path(root) / NEWSROOM_FILE
    if not path.exists() and not path.is_symlink():
        return None

    def fault(line: int, message: str, field: str = "") -> InputError:
        return InputError([Problem(NEWSROOM_FILE, line, field, message)])

    try:
        data, lines = parse_yaml(read_text(path, NEWSROOM_FILE))
    except YamlFault as e:
        raise fault(e.line, e.message, e.field) from None
    except OSError as e:
        raise fault(1, f"无法读取文件（{e.strerror or e}）") from None
    if not isinstance(data, dict):
        raise fault(1, "应写成“public_key: |”，下一行起缩进写审稿系统的公钥（PEM）")
    pem = data.get("public_key")
    line = lines.get(("public_key",), 1)
    if not isinstance(pem, str) or not pem.strip():
        raise fault(line, "缺少审稿系统的公钥：应写成“public_key: |”，下一行起缩进写公钥（PEM，"
                          "以 -----BEGIN PUBLIC KEY----- 开头）", "public_key")
    try:
        return load_public_key_pem(pem.strip() + "\n")
    except (ValueError, TypeError):
        raise fault(line, "不是有效的 Ed25519 公钥：请从审稿系统复制完整的公钥，"
                          "从 -----BEGIN PUBLIC KEY----- 到 -----END PUBLIC KEY-----", "public_key") from None
