"""A free TCP port of 127.0.0.1, for the servers the workbench starts (its
own, the live preview) and for the developers' tools and tests that start
servers of their own (scripts/dev/nginx_server.py, tests/). Here, in the
editor stage, because the workbench may not import scripts/dev/ while
scripts/dev/ and the tests may import the editor's modules.

The port is free when asked; a server started just after takes it (another
process could in between, which on 127.0.0.1 of one machine does not happen
in practice).
"""
from __future__ import annotations

import socket


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
