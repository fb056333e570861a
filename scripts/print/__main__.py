"""`make print-deps`: install what `make print` needs from Debian, only what
is missing; as a user who cannot install, name the packages to ask the
administrator for, and fail (apt-get would fail with an English message)."""
from __future__ import annotations

import os
import subprocess
import sys

from . import missing_message, missing_packages


def main(missing: list[str] | None = None, uid: int | None = None) -> int:
    missing = missing_packages() if missing is None else missing
    if not missing:
        return 0
    if (os.geteuid() if uid is None else uid) != 0:
        print(missing_message(missing, root_user=False), file=sys.stderr)
        return 1
    print(f"正在安装打印所需的系统软件：{' '.join(missing)}（约需 1–2 分钟）……", flush=True)
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for command in (["apt-get", "update", "-q"],
                    ["apt-get", "install", "-y", "-q", "--no-install-recommends", *missing]):
        if subprocess.run(command, env=env).returncode != 0:
            print(f"安装失败：{' '.join(command)}。请检查网络或软件源后再试。", file=sys.stderr)
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
