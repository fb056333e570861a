"""Python's cyclic garbage collector during a build.

A build makes millions of objects that live to its end (the records read,
the Site, the render's memo, mkdocs' pages) and almost no cycles among them.
Every full pass of the collector walks all of them and frees nothing: at
10,000 records that was a fifth of an incremental build's time. So the big
reads run with the collector paused, and what they made is set aside
(gc.freeze) once made; the garbage made later is still collected.
"""
from __future__ import annotations

import contextlib
import gc


@contextlib.contextmanager
def paused():
    """The collector off for a read that makes many objects and no garbage."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def set_aside() -> None:
    """What exists now is left out of the collector's passes until release()."""
    gc.freeze()


def release() -> None:
    gc.unfreeze()
