"""The hostile request corpus (tests/hostile/requests/*.yml, format in
tests/hostile/README.md) against one running workbench: each request gets
the answer its case names, as JSON with a Chinese error and the security
headers, and no file of the repository changes (the Makefile, .git/config,
the hooks, scripts/, .venv/, a record's photo) nor appears outside the media
folders. The fixture repository has what an attack would aim at, a record
whose photo another upload could take, a record file that is a symlink to
the Makefile and a media folder that is a symlink out of the repository.
A stalled body and a browser closing mid-request are here in Python.

The requests are sent raw (http.client would correct them): Content-Length
is the body's unless the case sets it, and a header set to null is not sent
at all (`Content-Length: null`)."""
from __future__ import annotations

import base64
import io
import json
import logging
import os
import socket
import threading
import time
from pathlib import Path

import pytest
import yaml
from PIL import Image

from scripts.editor.workbench import Handler, Server, Workbench

CASES = sorted((Path(__file__).parent / "hostile" / "requests").glob("*.yml"))
STALL = 2          # seconds: the handler's timeout, lowered for the test


def jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (16, 12), colour).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture(scope="module")
def bench(tmp_path_factory):
    from tests.conftest import Repo

    base = tmp_path_factory.mktemp("hostile-requests")
    root = base / "repo"
    root.mkdir()
    Repo(root, with_content=True)
    targets = {"Makefile": "all:\n\ttrue\n", ".ci/run": "#!/bin/sh\n", ".git/config": "[core]\n\tbare = false\n",
               ".git/hooks/README": "hooks\n", "scripts/x.py": "print(1)\n", ".venv/bin/x": "#!/bin/sh\n"}
    for rel, text in targets.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "media/photos").mkdir(parents=True)
    (root / "media/photos/zhibu-huodong.jpg").write_bytes(jpeg("red"))
    (root / "exemplars/units/hongxing-gacha-dangzhibu.md").write_text(
        "---\nname: 红星嘎查党支部\nsector: 农村\nphoto: media/photos/zhibu-huodong.jpg\nphoto_alt: 支部活动\n---\n",
        encoding="utf-8")
    (root / "exemplars/units/evil.md").symlink_to("../../Makefile")
    outside = base / "outside"
    outside.mkdir()
    (outside / "film.mp4").write_bytes(b"\0" * 64)
    (root / "media/videos").symlink_to(outside, target_is_directory=True)
    workbench = Workbench(root, "http://127.0.0.1:1/")
    server = Server(("127.0.0.1", 0), type("H", (Handler,), {"bench": workbench, "timeout": STALL}))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield root, server.server_address[1]
    server.shutdown()


def snapshot(root: Path) -> dict[str, bytes]:
    files = {}
    for folder, dirs, names in os.walk(root):
        for name in names:
            path = Path(folder) / name
            if not path.is_symlink():
                files[path.relative_to(root).as_posix()] = path.read_bytes()
    return files


def exchange(port: int, head: bytes, body: bytes = b"", finish: bool = True, timeout: float = 30) -> tuple[int, dict, bytes]:
    """One raw HTTP exchange (raw: the corpus sends what http.client refuses to)."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        s.sendall(head + body)
        if finish:
            s.shutdown(socket.SHUT_WR)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head_bytes, _, payload = data.partition(b"\r\n\r\n")
    lines = head_bytes.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
    return int(lines[0].split()[1]), headers, payload


def request_bytes(case: dict, port: int) -> tuple[bytes, bytes]:
    body = base64.b64decode(case["body_base64"]) if "body_base64" in case else case.get("body", "").encode("utf-8")
    headers = {"Host": f"127.0.0.1:{port}", "Origin": f"http://127.0.0.1:{port}"}
    if case["method"] != "GET":
        headers["Content-Length"] = str(len(body))
    headers.update(case.get("headers") or {})
    lines = [f"{case['method']} {case['path']} HTTP/1.1"]
    lines += [f"{k}: {v}" for k, v in headers.items() if v is not None]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8"), body


def assert_answered(status: int, headers: dict, payload: bytes) -> dict:
    for name in ("X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy", "Cache-Control"):
        assert name in headers, name
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    assert headers["Content-Type"].startswith("application/json"), headers
    return json.loads(payload)


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_a_hostile_request_gets_its_answer_and_changes_nothing(bench, path):
    root, port = bench
    case = yaml.safe_load(path.read_text(encoding="utf-8"))
    before = snapshot(root)
    status, headers, payload = exchange(port, *request_bytes(case, port))
    answer = assert_answered(status, headers, payload)
    assert status == case["expect"]["status"], (case["why"], answer)
    if "error" in case["expect"]:
        assert case["expect"]["error"] in answer["error"], (case["why"], answer)
        assert any("\u4e00" <= c <= "\u9fff" for c in answer["error"])
    after = snapshot(root)
    changed = [rel for rel, data in before.items() if after.get(rel) != data]
    assert not changed, f"{case['why']}: {changed} changed"
    added = [rel for rel in after if rel not in before]
    assert all(rel.startswith("media/photos/") and rel.endswith(".jpg") for rel in added), added


def test_the_corpus_has_every_kind_of_case():
    names = {p.stem for p in CASES}
    assert len(names) >= 40
    for expected in ("array-body", "lone-surrogate", "content-length-not-a-number", "forged-host", "forged-origin",
                     "write-git-config", "upload-git-hook", "dot-dot-inside", "percent-encoded", "backslash",
                     "symlink-read", "nul", "content-length-huge", "overwrite-used-photo"):
        assert expected in names


@pytest.mark.slow
def test_a_stalled_body_is_answered_and_closed(bench):
    root, port = bench
    head = (f"POST /api/v1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
            f"Content-Length: 1000\r\n\r\n").encode()
    started = time.monotonic()
    status, headers, payload = exchange(port, head, b'{"action": "persistMedia", ', finish=False, timeout=STALL * 5)
    assert STALL - 0.5 < time.monotonic() - started < STALL * 4
    assert status == 408 and "超时" in assert_answered(status, headers, payload)["error"]


@pytest.mark.slow
def test_a_stalled_request_line_is_closed(bench):
    _, port = bench
    with socket.create_connection(("127.0.0.1", port), timeout=STALL * 5) as s:
        s.sendall(b"POST /api/v1 HT")
        started = time.monotonic()
        assert s.recv(100) == b""            # closed by the workbench, not by this test's timeout
        assert time.monotonic() - started < STALL * 4


def test_a_browser_closing_mid_request_is_no_error(bench, caplog, capfd):
    root, port = bench
    caplog.set_level(logging.DEBUG, logger="zlt")
    for _ in range(3):
        with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
            s.sendall((f"POST /api/v1 HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
                       f"Content-Length: 100000\r\n\r\n").encode() + b"{" * 1000)
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\1\0\0\0\0\0\0\0")   # close with a reset
    time.sleep(0.5)
    status, headers, payload = exchange(port, f"GET /api/info HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
    assert status == 200
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING], caplog.text
    assert "Traceback" not in capfd.readouterr().err


def test_a_malformed_request_line_gets_json(bench):
    _, port = bench
    status, headers, payload = exchange(port, b"GARBAGE\r\n\r\n")
    assert status == 400 and "请求" in assert_answered(status, headers, payload)["error"]
