"""mkdocs.yml's settings, for the steps that need them before MkDocs runs: the
fixed nav (网站地图), the Markdown extensions (body check) and the footer's
`extra:` (release check).

Read with MkDocs' own YAML loader, so that these steps see what the build will
see (!ENV resolved, !!python/name: imported, INHERIT merged); !relative only
means something while MkDocs renders a page, and is read as None here.
"""
from __future__ import annotations

import functools
from pathlib import Path


def site_config(root: Path) -> dict:
    """mkdocs.yml of `root` as a dict ({} if there is none or it is not a mapping).

    Raises mkdocs.exceptions.ConfigurationError if it is not valid YAML. Read
    once per version of the file; the dict is shared: do not change it."""
    path = (root / "mkdocs.yml").resolve()
    try:
        stat = path.stat()
    except FileNotFoundError:
        return {}
    return _read(path, stat.st_mtime_ns, stat.st_size)


@functools.lru_cache(maxsize=16)
def _read(path: Path, mtime_ns: int, size: int) -> dict:
    from mkdocs.utils.yaml import get_yaml_loader, yaml_load
    loader = get_yaml_loader()
    loader.add_multi_constructor("!", lambda loader, suffix, node: None)
    with open(path, encoding="utf-8") as f:
        config = yaml_load(f, loader)
    return config if isinstance(config, dict) else {}
