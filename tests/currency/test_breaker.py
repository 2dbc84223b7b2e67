"""The per-provider circuit breaker of core/breaker.py (seed §10.2), shared by every provider client."""

from __future__ import annotations

import asyncio

import pytest

from phuket.core.breaker import BreakerOpen, breaker_states, get_breaker, reset_breakers


async def boom() -> None:
    raise ConnectionError("down")


async def test_five_failures_open_the_breaker_and_three_probes_are_allowed_half_open() -> None:
    reset_breakers(open_seconds=1.0)
    breaker = get_breaker("stripe")
    assert breaker_states()["stripe"] == "closed"
    for _ in range(4):
        with pytest.raises(ConnectionError):
            await breaker.call(boom)
    assert breaker_states()["stripe"] == "closed"
    with pytest.raises(ConnectionError):
        await breaker.call(boom)
    assert breaker_states()["stripe"] == "open"
    with pytest.raises(BreakerOpen):
        await breaker.call(boom)
    await asyncio.sleep(1.1)
    assert breaker_states()["stripe"] == "half_open"
    release = asyncio.Event()
    started = 0

    async def slow_probe() -> str:
        nonlocal started
        started += 1
        await release.wait()
        return "ok"

    probes = [asyncio.create_task(breaker.call(slow_probe)) for _ in range(3)]
    await asyncio.sleep(0.05)
    with pytest.raises(BreakerOpen):  # a fourth call while three probes are out
        await breaker.call(slow_probe)
    release.set()
    assert await asyncio.gather(*probes) == ["ok", "ok", "ok"]
    assert started == 3
    assert breaker_states()["stripe"] == "closed"


async def test_a_failed_probe_opens_it_again_and_timeouts_count_as_failures() -> None:
    reset_breakers(open_seconds=1.0)
    breaker = get_breaker("sendgrid")

    async def hang() -> None:
        await asyncio.sleep(5)

    for _ in range(5):
        with pytest.raises(TimeoutError):
            await breaker.call(hang, timeout=0.01)
    assert breaker.state == "open"
    await asyncio.sleep(1.1)
    with pytest.raises(ConnectionError):
        await breaker.call(boom)
    assert breaker.state == "open"


def test_every_provider_is_listed_for_the_metrics() -> None:
    reset_breakers()
    assert set(breaker_states()) >= {"openai", "openweather", "currency", "stripe", "fcm", "sendgrid"}
    assert set(breaker_states().values()) == {"closed"}
