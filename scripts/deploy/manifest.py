"""The signed manifest of a release: every file (path, size, SHA-256) and
every folder, signed with an Ed25519 key that stays on the publishing
machine (verify.py checks the served site against it on the server).

Why a signature: the manifest lives on the web server, where whoever can
write the web root may also be able to write the manifest. Only the
public key is on the server (placed by its administrator, outside the
target, not writable by the publishing account), so a manifest edited there,
or made with another key, is refused.

The file, `manifests/<release>.manifest` on the target:

    zlt-signature ed25519 sha256:<key fingerprint> <base64 signature>
    {"format": "zlt-manifest-v1", "release": "…", "created": "…", "dirs": […], "files": [[path, size, sha256], …]}

The signature covers the exact bytes after the first line (no
canonicalisation to get wrong); the fingerprint on the first line is only a
hint for the message when another key signed.

The private key: `ZLT_SIGNING_KEY` or ~/.config/zhalantun-dangjian/
publish-signing-key.pem (XDG_CONFIG_HOME respected), mode 600, never in the
repository. The first publish without one creates it and says so (see
`ensure_key`), as ssh-keygen or certbot would: an administrator
then installs the public key beside it on the server.
"""
from __future__ import annotations

import base64
import binascii
import errno
import hashlib
import json
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from ..records.signatures import fingerprint, generate_keypair, load_private_key, load_public_key_pem

FORMAT = "zlt-manifest-v1"
SIGNATURE_TAG = "zlt-signature"
KEY_ENV = "ZLT_SIGNING_KEY"
KEY_FILE = "publish-signing-key.pem"
DEFAULT_PUBLIC_KEY = "/etc/zhalantun-dangjian/publish.pub"
MANIFESTS = "manifests"
SUFFIX = ".manifest"


class ManifestError(Exception):
    """A manifest that cannot be made or trusted; the message is in Chinese."""


@dataclass
class Manifest:
    release: str
    created: str
    files: dict[str, tuple[int, str]] = field(default_factory=dict)   # path → (size, sha256 hex)
    dirs: set[str] = field(default_factory=set)                       # every folder, "" not included

    def to_bytes(self) -> bytes:
        data = {"format": FORMAT, "release": self.release, "created": self.created,
                "dirs": sorted(self.dirs),
                "files": [[path, size, digest] for path, (size, digest) in sorted(self.files.items())]}
        return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


def file_digest(fd: int) -> str:
    """SHA-256 of an open file, from its start."""
    os.lseek(fd, 0, os.SEEK_SET)
    with os.fdopen(os.dup(fd), "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def check_path(path: str) -> bool:
    """A path relative to the release's root that stays in it."""
    parts = path.split("/")
    return bool(path) and "\x00" not in path and all(p not in ("", ".", "..") for p in parts)


def build(site: Path, release: str, created: str) -> Manifest:
    """The manifest of a built site. A symlink in it is refused: a built site
    has none (mkdocs copies files), and the verifier removes every symlink it
    finds, so one published would be taken away again a minute later."""
    manifest = Manifest(release, created)
    for folder, dirnames, filenames in os.walk(site):
        rel_folder = os.path.relpath(folder, site)
        for name in sorted(dirnames + filenames):
            full = os.path.join(folder, name)
            rel = name if rel_folder == "." else f"{rel_folder}/{name}"
            rel = rel.replace(os.sep, "/")
            st = os.lstat(full)
            if "\n" in rel or "\r" in rel:
                raise ManifestError(f"网站中的文件名含换行符，无法发布：{rel!r}")
            if stat.S_ISLNK(st.st_mode):
                raise ManifestError(f"网站中有符号链接 {rel}（指向 {os.readlink(full)}），无法发布："
                                    "网站只能由普通文件组成，请改为复制文件")
            if stat.S_ISDIR(st.st_mode):
                manifest.dirs.add(rel)
            elif stat.S_ISREG(st.st_mode):
                fd = os.open(full, os.O_RDONLY | os.O_NOFOLLOW)
                try:
                    manifest.files[rel] = (os.fstat(fd).st_size, file_digest(fd))
                finally:
                    os.close(fd)
            else:
                raise ManifestError(f"网站中有特殊文件 {rel}（不是普通文件或目录），无法发布")
    return manifest


def sign(manifest: Manifest, key: Ed25519PrivateKey) -> bytes:
    """The manifest file's bytes: the signature line, then the signed JSON."""
    body = manifest.to_bytes()
    signature = base64.b64encode(key.sign(body)).decode("ascii")
    return f"{SIGNATURE_TAG} ed25519 {fingerprint(key.public_key())} {signature}\n".encode("ascii") + body


def verify(data: bytes, public_key: Ed25519PublicKey, release: str) -> Manifest:
    """The manifest in `data` if `public_key` signed it for `release`;
    ManifestError (Chinese) otherwise. Nothing is parsed before the
    signature holds."""
    head, newline, body = data.partition(b"\n")
    parts = head.decode("ascii", "replace").split(" ")
    if not newline or len(parts) != 4 or parts[0] != SIGNATURE_TAG or parts[1] != "ed25519":
        raise ManifestError("清单格式不对（第一行应为签名）")
    try:
        public_key.verify(base64.b64decode(parts[3], validate=True), body)
    except (binascii.Error, ValueError, InvalidSignature):
        ours = fingerprint(public_key)
        if parts[2] != ours:
            raise ManifestError(f"清单不是用服务器认可的密钥签名的（清单自称密钥 {parts[2]}，"
                                f"服务器的公钥是 {ours}）") from None
        raise ManifestError("清单的签名不对：清单在签名之后被改动过") from None
    try:
        data = json.loads(body)
        if data.get("format") != FORMAT:
            raise ValueError(data.get("format"))
        manifest = Manifest(str(data["release"]), str(data["created"]))
        manifest.dirs = {str(d) for d in data["dirs"]}
        manifest.files = {str(p): (int(s), str(h)) for p, s, h in data["files"]}
    except (ValueError, KeyError, TypeError):
        raise ManifestError("清单签名正确但内容无法读取（格式版本不符？请用同一版本的工具发布和检查）") from None
    if manifest.release != release:
        raise ManifestError(f"清单属于版本 {manifest.release}，不是正在使用的版本 {release}（被调换过）")
    bad = [p for p in [*manifest.files, *manifest.dirs] if not check_path(p)]
    if bad:
        raise ManifestError(f"清单中有不安全的路径：{bad[0]!r}")
    return manifest


# --- keys -------------------------------------------------------------------------

def default_key_path() -> Path:
    given = os.environ.get(KEY_ENV, "").strip()
    if given:
        return Path(given).expanduser()
    config = os.environ.get("XDG_CONFIG_HOME", "").strip() or os.path.join(os.path.expanduser("~"), ".config")
    return Path(config) / "zhalantun-dangjian" / KEY_FILE


def public_path(private: Path) -> Path:
    return private.with_name(private.name.removesuffix(".pem") + ".pub")


def create_key(path: Path) -> bool:
    """A new key pair at `path` (600) and its public key beside it (.pub);
    False when a key is already there (never overwritten: the server trusts it)."""
    private, public = generate_keypair()
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(private)
    try:
        # link(2) fails if the key exists: two first publishes at once keep one key.
        os.link(tmp, path)
    except FileExistsError:
        return False
    finally:
        tmp.unlink()
    public_path(path).write_bytes(public)
    return True


def load_key(path: Path) -> Ed25519PrivateKey:
    try:
        mode = path.stat().st_mode
        key = load_private_key(path)
    except OSError as e:
        raise ManifestError(f"读不到签名私钥 {path}：{e.strerror or e}") from None
    except (ValueError, TypeError):
        raise ManifestError(f"{path} 不是签名私钥（应为 Ed25519，由 python -m scripts verify keygen 生成）") from None
    if mode & 0o077:
        raise ManifestError(f"签名私钥 {path} 别人也能读取（权限 {stat.S_IMODE(mode):o}）："
                            f"请运行 chmod 600 {path}")
    return key


def ensure_key(path: Path | None = None) -> tuple[Ed25519PrivateKey, Path, bool]:
    """(the signing key, its path, whether it was just created)."""
    path = path or default_key_path()
    created = not path.exists() and create_key(path)
    return load_key(path), path, created


def public_pem(key: Ed25519PrivateKey) -> str:
    from cryptography.hazmat.primitives import serialization
    return key.public_key().public_bytes(serialization.Encoding.PEM,
                                         serialization.PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def load_public_key(path: Path) -> Ed25519PublicKey:
    try:
        return load_public_key_pem(path.read_bytes())
    except OSError as e:
        if e.errno == errno.ENOENT:
            raise ManifestError(f"服务器上没有发布公钥 {path}：请按 README“防篡改”安装") from None
        raise ManifestError(f"读不到公钥 {path}：{e.strerror or e}") from None
    except (ValueError, TypeError):
        raise ManifestError(f"{path} 不是 Ed25519 公钥（应为 python -m scripts verify keygen 生成的 .pub 文件）") from None
