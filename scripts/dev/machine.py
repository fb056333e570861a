"""What a benchmark says of the machine it ran on: shared by `make bench`
(bench.py), `make bench-print` (bench_print.py), the newsroom's load test
(bench_newsroom.py) and `make lighthouse` (lighthouse.py)."""
from __future__ import annotations

import os
import platform
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path


@dataclass(frozen=True)
class Machine:
    host: str
    cpu: str            # the processor's model name
    cores: int          # what nproc says
    memory_gb: int      # 0: unknown
    python: str
    system: str         # "Linux 6.1.0-…"


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def machine() -> Machine:
    # /proc is Linux's; elsewhere platform's (often vaguer) answer, or "?".
    cpu = next((line.split(":", 1)[1].strip() for line in _read("/proc/cpuinfo").splitlines()
                if line.startswith("model name")), "") or platform.processor() or "?"
    memory = next((int(line.split()[1]) // 1024 // 1024 for line in _read("/proc/meminfo").splitlines()
                   if line.startswith("MemTotal")), 0)
    return Machine(host=platform.node() or "?", cpu=cpu, cores=os.cpu_count() or 0, memory_gb=memory,
                   python=platform.python_version(), system=f"{platform.system()} {platform.release()}")


def package_versions(names: list[str]) -> list[str]:
    """"name version" of each installed package of `names`, in that order."""
    versions = []
    for name in names:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return versions
