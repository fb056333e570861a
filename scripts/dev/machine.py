"""What a benchmark says of the machine it ran on: shared by `make bench`
(bench.py) and `make bench-print` (bench_print.py)."""
from __future__ import annotations

from importlib import metadata


def package_versions(names: list[str]) -> list[str]:
    """"name version" of each installed package of `names`, in that order."""
    versions = []
    for name in names:
        try:
            versions.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            pass
    return versions
