"""`phuket serve` as production runs it: several workers share their metrics; SIGTERM lets every request
already accepted finish before the process exits."""

from __future__ import annotations

import asyncio
import signal
import subprocess

import httpx

from .promtext import value
from .server import running_server, server_env


def test_metrics_add_up_across_workers(database_url: str) -> None:
    requests = 40
    with running_server(server_env(database_url), workers=2) as server:
        base = server.base_url

        def scrape() -> str:
            # A fresh connection each time, so that scrapes land on either worker.
            response = httpx.get(base + "/metrics", headers={"Connection": "close"}, timeout=10)
            assert response.status_code == 200
            return response.text

        def live_count(body: str) -> float:
            found = value(
                body, "phuket_http_requests_total", method="GET", route="/health/live", status="200"
            )
            return found or 0.0

        before = live_count(scrape())

        async def burst() -> list[int]:
            limits = httpx.Limits(max_keepalive_connections=0, max_connections=requests)
            async with httpx.AsyncClient(base_url=base, limits=limits, timeout=10) as client:
                replies = await asyncio.gather(*(client.get("/health/live") for _ in range(requests)))
            return [r.status_code for r in replies]

        assert asyncio.run(burst()) == [200] * requests
        for _ in range(6):
            body = scrape()
            assert live_count(body) - before == requests, server.log()
            assert value(body, "phuket_http_requests_in_flight") == 1


def test_sigterm_lets_in_flight_requests_finish(database_url: str) -> None:
    # Naturally slow requests: logins pay the real bcrypt cost (12 rounds, also for an unknown email, so
    # that timing reveals nothing) and queue behind each other, as they would in a login burst.
    env = server_env(database_url, PHUKET_BCRYPT_ROUNDS="12")
    count = 12
    with running_server(env) as server:

        async def scenario() -> list[int | str]:
            async with httpx.AsyncClient(base_url=server.base_url, timeout=60) as client:

                async def login(i: int) -> httpx.Response:
                    return await client.post(
                        "/v1/auth/login",
                        json={"email": f"shutdown-{i}@example.com", "password": "Sunny-beach-42"},
                    )

                tasks = [asyncio.create_task(login(i)) for i in range(count)]
                done, _pending = await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
                assert len(done) < count, "every request finished before the signal: nothing was tested"
                server.process.send_signal(signal.SIGTERM)
                replies = await asyncio.gather(*tasks, return_exceptions=True)
            return [r.status_code if isinstance(r, httpx.Response) else repr(r) for r in replies]

        statuses = asyncio.run(scenario())
        # Every request already sent is answered (401: no such account), none is cut off.
        assert statuses == [401] * count, (statuses, server.log())
        try:
            # Uvicorn re-raises the signal once it has shut down cleanly, so the exit status is SIGTERM's.
            assert server.process.wait(timeout=40) in (0, -signal.SIGTERM), server.log()
        except subprocess.TimeoutExpired as exc:
            raise AssertionError("server did not exit after SIGTERM:\n" + server.log()) from exc
        # And it no longer accepts connections.
        try:
            httpx.get(server.base_url + "/health/live", timeout=2)
        except httpx.ConnectError:
            pass
        else:
            raise AssertionError("the server still answers after SIGTERM")
