"""A real `phuket serve` in a subprocess on a free loopback port, for what only a real server shows
(several workers, signals). The database is the test run's; the port is closed when the test ends."""

from __future__ import annotations

import contextlib
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.conftest import BACKEND, REDIS_URL, RUN_ID

# The console script, as an operator runs it (`python -m phuket.cli` would miss the features' commands).
PHUKET = str(Path(sys.executable).parent / "phuket")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base_url: str
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


def server_env(database_url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PHUKET_", "PROMETHEUS_", "OTEL_"))}
    env.update(
        {
            "PHUKET_ENV": "test",
            "PHUKET_DATABASE_URL": database_url,
            "PHUKET_RATE_LIMIT_ENABLED": "false",
            "PHUKET_LOG_LEVEL": "WARNING",
            "PHUKET_BCRYPT_ROUNDS": "4",
            "PHUKET_DATA_DIR": str(Path(tempfile.gettempdir()) / f"phuket-test-{RUN_ID}"),
            "PHUKET_REDIS_PREFIX": f"phuket-test-{RUN_ID}:serve:",
        }
    )
    if BACKEND == "postgres":
        env["PHUKET_REDIS_URL"] = REDIS_URL
    env.update(extra)
    return env


@contextlib.contextmanager
def running_server(
    env: dict[str, str], *, workers: int = 1, open_files: int | None = None
) -> Iterator[Server]:
    """`open_files`: start the server with this soft limit on open files (as a stingy host would)."""
    port = free_port()

    def limit_open_files() -> None:
        _soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, hard))

    with tempfile.TemporaryDirectory(prefix="phuket-serve-") as tmp:
        log_path = Path(tmp) / "server.log"
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "phuket.cli",
                    "serve",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(port),
                    "--workers",
                    str(workers),
                ],
                env=env,
                preexec_fn=limit_open_files if open_files is not None else None,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            server = Server(process, f"http://127.0.0.1:{port}", log_path)
            try:
                _wait_until_up(server)
                yield server
            finally:
                if process.poll() is None:
                    process.terminate()
                    try:
                        process.wait(timeout=40)
                    except subprocess.TimeoutExpired:
                        process.kill()
                        process.wait()


def _wait_until_up(server: Server) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise AssertionError(f"server exited with {server.process.returncode}:\n{server.log()}")
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(server.base_url + "/health/live", timeout=1).status_code == 200:
                return
        time.sleep(0.1)
    raise AssertionError(f"server did not come up:\n{server.log()}")
