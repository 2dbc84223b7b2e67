"""Connection-level limits against a real server: oversize request heads and slow clients
(ops/protocol.py), and the open-files limit (`phuket serve`). Before them, a 10 MB header or 100,000
headers were read into memory and answered 200, and a silent connection stayed open for ever."""

from __future__ import annotations

import contextlib
import json
import re
import resource
import socket
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.ops.server import Server, running_server, server_env


@pytest.fixture(scope="module")
def server(database_url: str) -> Iterator[Server]:
    with running_server(server_env(database_url, PHUKET_MAX_HEADER_BYTES="16384")) as running:
        yield running


def exchange(server: Server, raw: bytes) -> bytes:
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # refused mid-send: answer waits
            sock.sendall(raw)
        chunks = []
        while True:
            try:
                chunk = sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)


def get(path: str, headers: str = "") -> bytes:
    return f"GET {path} HTTP/1.1\r\nHost: test\r\n{headers}Connection: close\r\n\r\n".encode()


def status_and_body(reply: bytes) -> tuple[int, bytes, str]:
    head, _, body = reply.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    return int(lines[0].split()[1]), body, "\n".join(lines[1:]).lower()


@pytest.mark.parametrize(
    "raw",
    [
        get("/health/live", f"X-Big: {'a' * 200_000}\r\n"),
        get("/health/live", "".join(f"X-H{i}: v\r\n" for i in range(20_000))),
        get("/health/live?x=" + "a" * 100_000),
        get("/health/live", f"X-Big: {'a' * 20_000}\r\n"),  # arrives in one read: the exact check
    ],
    ids=["one huge header", "twenty thousand headers", "a huge request line", "just over the limit"],
)
def test_an_oversize_head_is_refused_431_in_the_contract_shape(server: Server, raw: bytes) -> None:
    status, body, headers = status_and_body(exchange(server, raw))
    assert status == 431
    error = json.loads(body)
    assert error["error"]["code"] == "PAYLOAD_TOO_LARGE" and error["error"]["message"]
    assert f"x-request-id: {error['meta']['requestId']}" in headers
    assert "connection: close" in headers and "x-content-type-options: nosniff" in headers
    assert "Traceback" not in server.log()


def test_heads_within_the_limit_and_large_bodies_are_served(server: Server) -> None:
    status, body, _ = status_and_body(exchange(server, get("/health/live", f"X-Ok: {'a' * 12_000}\r\n")))
    assert status == 200 and json.loads(body)["data"]
    # A large body, then a second request on the same connection: body bytes never count as head bytes.
    payload = json.dumps({"email": "x@example.com", "password": "p" * 10, "pad": "b" * 300_000}).encode()
    post = (
        b"POST /v1/auth/login HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
        + f"Content-Length: {len(payload)}\r\n\r\n".encode()
        + payload
    )
    replies = exchange(server, post + get("/health/live"))
    statuses = [int(code) for code in re.findall(rb"HTTP/1\.1 (\d{3}) ", replies)]
    assert statuses[0] in (400, 401) and statuses[1:] == [200], statuses


def test_a_head_sent_slowly_is_cut_off_once_past_the_limit(server: Server) -> None:
    host, port = server.base_url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"GET /health/live HTTP/1.1\r\nHost: test\r\n")
        sent, reply = 0, b""
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            while sent < 1_000_000:  # an endless head, a line at a time
                sock.sendall(f"X-Drip-{sent}: {'d' * 1000}\r\n".encode())
                sent += 1000
                sock.settimeout(0.01)
                with contextlib.suppress(TimeoutError):
                    reply = sock.recv(65536)
                    break
        sock.settimeout(10)
        while chunk := sock.recv(65536):
            reply += chunk
    status, body, _ = status_and_body(reply)
    assert status == 431 and json.loads(body)["error"]["code"] == "PAYLOAD_TOO_LARGE"
    assert sent < 200_000, f"cut off only after {sent} bytes"


def test_malformed_http_gets_a_400_in_the_contract_shape(server: Server) -> None:
    status, body, headers = status_and_body(
        exchange(server, b"GET /health/live HTTP/1.1\r\nBad Header\r\n\r\n")
    )
    assert status == 400
    assert json.loads(body)["error"]["code"] == "VALIDATION_ERROR"
    assert "content-type: application/json" in headers


def test_connections_that_send_no_complete_head_are_closed(database_url: str) -> None:
    """Slowloris: uvicorn kept a silent connection, or one with half a head, open for ever."""
    env = server_env(database_url, PHUKET_HEADER_TIMEOUT_SECONDS="1")
    with running_server(env) as server:
        host, port = server.base_url.removeprefix("http://").split(":")
        idle = socket.create_connection((host, int(port)), timeout=10)
        half = socket.create_connection((host, int(port)), timeout=10)
        with idle, half:
            half.sendall(b"GET /health/live HTTP/1.1\r\nHost: test\r\nX-Slow: ")
            started = time.monotonic()
            assert idle.recv(100) == b"" and half.recv(100) == b"", "closed by the server"
            assert time.monotonic() - started < 5
        # A keep-alive connection that sends whole requests, with pauses shorter than the timeout.
        with socket.create_connection((host, int(port)), timeout=10) as polite:
            for _ in range(3):
                polite.sendall(b"GET /health/live HTTP/1.1\r\nHost: test\r\n\r\n")
                reply = b""
                while not reply.endswith(b"}"):  # the JSON body's end
                    chunk = polite.recv(65536)
                    assert chunk, f"closed mid-conversation: {reply!r}"
                    reply += chunk
                assert reply.startswith(b"HTTP/1.1 200 ")
                time.sleep(0.6)


def test_the_server_raises_a_stingy_open_files_limit(database_url: str) -> None:
    """1,000 connections need 1,000 descriptors; many hosts start a process with a soft limit of 1,024."""
    _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard < 4096:
        pytest.fail(f"this machine's hard limit on open files is {hard}: the test needs at least 4096")
    with running_server(server_env(database_url), open_files=256) as server:
        limits = Path(f"/proc/{server.process.pid}/limits").read_text()
        line = next(ln for ln in limits.splitlines() if ln.startswith("Max open files"))
        assert int(line.split()[3]) == min(hard, 1_048_576), line
