"""Third-party browser code the site ships, made from its npm release:

    python -m scripts.dev.vendor            # rewrite templates/overrides/assets/vendor/
    python -m scripts.dev.vendor --check    # exit 1 if a shipped file differs from its release

The site's pages load nothing from another host, and the offline bundle runs
from file://, where browsers refuse ES modules. So a library is copied into
the theme's assets once, as a classic script: the module's `export {…}` line
becomes one global, and the rest of the release's file is kept byte for byte
under a header naming the release, its integrity hash and its licence. The
tarball comes from `npm pack` (the npm registry) and is checked against the
pinned integrity before anything is written.
"""
from __future__ import annotations

import argparse
import base64
import hashlib
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VENDOR = ROOT / "templates" / "overrides" / "assets" / "vendor"


@dataclass(frozen=True)
class Library:
    package: str
    version: str
    integrity: str      # npm's dist.integrity of the tarball
    module: str         # the ES module inside the tarball
    licence: str        # its licence file inside the tarball
    global_name: str    # window.<name> in the classic script
    target: str         # file name under VENDOR


LIBRARIES = [
    # QR codes of record pages (templates/partials/qr.md.j2, assets/zlt/qr.js):
    # ISO 18004, 4.4 KB gzipped with its licence, no dependencies.
    Library("lean-qr", "2.7.4",
            "sha512-tlMPFfqhAAZN7+j/djRSvl/2+AYT2+7RRuyq8bvcbV8gMiENiscquQ9WTfCSyeEdxsVaEB+tU7e9nFZC63BFnQ==",
            "package/index.mjs", "package/LICENSE", "leanQR", "lean-qr.js"),
]

_EXPORT = re.compile(r"export\s*\{([^}]*)\}\s*;?\s*$")
_AS = re.compile(r"\s+as\s+")


def _tarball(lib: Library, folder: Path) -> Path:
    done = subprocess.run(["npm", "pack", f"{lib.package}@{lib.version}", "--silent"], cwd=folder,
                          capture_output=True, text=True, timeout=300)
    if done.returncode != 0:
        sys.exit(f"npm pack {lib.package}@{lib.version} 失败：{done.stderr.strip()[-2000:]}")
    tgz = folder / done.stdout.strip().splitlines()[-1]
    algorithm, _, expected = lib.integrity.partition("-")
    digest = base64.b64encode(hashlib.new(algorithm, tgz.read_bytes()).digest()).decode()
    if digest != expected:
        sys.exit(f"{tgz.name} 的完整性校验不符（{algorithm}-{digest}），未写入任何文件")
    return tgz


def classic_script(lib: Library, module: str, licence: str) -> str:
    """The ES module as a script defining window.<global_name>."""
    export = _EXPORT.search(module)
    if not export:
        sys.exit(f"{lib.package}: 模块末尾没有 export {{…}}，无法改写")
    names = []
    for item in filter(None, (i.strip() for i in export.group(1).split(","))):
        local, exported = (_AS.split(item) + [item])[:2]
        names.append(f"{exported}:{local}")
    # "*/" inside the licence would end the comment early.
    notice = "\n".join(" * " + line if line else " *" for line in licence.replace("*/", "* /").strip().splitlines())
    return (f"/*! {lib.package} {lib.version} (npm, {lib.integrity}), made a classic script by\n"
            f" * scripts/dev/vendor.py: its export line became window.{lib.global_name}.\n *\n{notice}\n */\n"
            f"(function(){{\"use strict\";{module[:export.start()]}window.{lib.global_name}={{{','.join(names)}}};}})();\n")


def node_check(text: str) -> str | None:
    """Node compiles `text` as a classic script (vm.Script, as a browser's
    <script> would): None if it does (or there is no node), else node's
    message. A module left with an import or a second export would not."""
    node = shutil.which("node")
    if not node:
        return None
    done = subprocess.run([node, "-e", "new (require('vm').Script)(require('fs').readFileSync(0, 'utf8'))"],
                          input=text, capture_output=True, text=True, timeout=60)
    return None if done.returncode == 0 else done.stderr.strip()[-2000:]


def build(lib: Library) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        with tarfile.open(_tarball(lib, Path(tmp))) as tar:
            read = lambda name: tar.extractfile(name).read().decode("utf-8")  # noqa: E731
            text = classic_script(lib, read(lib.module), read(lib.licence))
    problem = node_check(text)
    if problem:
        sys.exit(f"{lib.package}: 改写后的脚本不是合法的 JavaScript，未写入：{problem}")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only, write nothing")
    args = parser.parse_args(argv)
    stale = []
    for lib in LIBRARIES:
        text, target = build(lib), VENDOR / lib.target
        if args.check:
            if not target.is_file() or target.read_text(encoding="utf-8") != text:
                stale.append(target)
        else:
            VENDOR.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            print(f"已写入 {target.relative_to(ROOT)}")
    for target in stale:
        print(f"{target.relative_to(ROOT)} 与其发布版本不符：请运行 python -m scripts.dev.vendor", file=sys.stderr)
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
