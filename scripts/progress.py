"""Progress and stage timings of long builds.

`stage("render")` times one step of the pipeline (kept in STAGES, for the
benchmark) and `Progress` tells the editor, on stderr and in Chinese, how far a
long step has got. Small sites stay quiet.
"""
from __future__ import annotations

import resource
import sys
import time
from contextlib import contextmanager

# Below this many items a step is quick: no progress messages.
QUIET_BELOW = 1000
# At most one message per this many seconds (and always the last one).
EVERY_SECONDS = 2.0

# name -> {"seconds": wall time, "cpu_seconds": CPU time (with child processes),
#          "peak_rss_kb": peak RSS of the process (or a child) so far}
STAGES: dict[str, dict] = {}


def _cpu() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


@contextmanager
def stage(name: str):
    start, cpu = time.perf_counter(), _cpu()
    try:
        yield
    finally:
        rss = max(resource.getrusage(who).ru_maxrss
                  for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
        STAGES[name] = {"seconds": time.perf_counter() - start,
                        "cpu_seconds": _cpu() - cpu, "peak_rss_kb": rss}


class Progress:
    """“正在校验记录 3000/10000”, throttled, for steps over QUIET_BELOW items."""

    def __init__(self, what: str, total: int, stream=None):
        self.what, self.total = what, total
        self.stream = stream or sys.stderr
        self.done = 0
        self.last = 0.0
        self.enabled = total >= QUIET_BELOW

    def step(self, n: int = 1) -> None:
        self.done += n
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self.last >= EVERY_SECONDS or self.done == self.total:
            self.last = now
            # A step may find more items than foreseen (mkdocs adds pages).
            print(f"正在{self.what} {self.done}/{max(self.done, self.total)}", file=self.stream, flush=True)
