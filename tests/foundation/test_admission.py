"""Admission control (core/admission.py): a worker runs at most PHUKET_MAX_CONCURRENT_REQUESTS requests;
the others wait their turn in arrival order, and one that waited too long gets 503 + Retry-After in the
contract's shape. Probes are never queued; a client that left while queued costs no work."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from starlette.types import Message, Receive, Scope, Send

from phuket.core.admission import AdmissionGate, AdmissionMiddleware
from phuket.core.errors import PayloadTooLarge
from phuket.main import create_app
from tests.conftest import assert_error, make_settings


async def test_the_gate_admits_in_arrival_order_and_never_lets_a_newcomer_overtake() -> None:
    gate = AdmissionGate(limit=1, timeout=5)
    assert await gate.acquire()
    order: list[int] = []

    async def visitor(n: int) -> None:
        assert await gate.acquire()
        order.append(n)
        await asyncio.sleep(0)
        gate.release()

    waiting = [asyncio.create_task(visitor(n)) for n in range(5)]
    await asyncio.sleep(0.01)
    assert gate.queued == 5 and gate.running == 1
    gate.release()
    assert not gate.try_acquire(), "a freed slot belongs to the oldest waiter, not to a newcomer"
    await asyncio.gather(*waiting)
    assert order == [0, 1, 2, 3, 4]
    assert gate.running == 0 and gate.queued == 0


async def test_a_waiter_that_times_out_gets_false_and_the_slot_goes_to_the_next() -> None:
    gate = AdmissionGate(limit=1, timeout=0.05)
    assert await gate.acquire()
    assert await gate.acquire() is False  # waited 50 ms, gave up
    patient = AdmissionGate(limit=1, timeout=5)
    assert await patient.acquire()
    impatient = asyncio.create_task(asyncio.wait_for(patient.acquire(), 0.01))
    later = asyncio.create_task(patient.acquire())
    with pytest.raises(TimeoutError):
        await impatient  # cancelled while queued
    patient.release()
    assert await asyncio.wait_for(later, 1) is True, "the cancelled waiter is skipped"
    patient.release()
    assert patient.running == 0


def _full_gate(app: Any) -> AdmissionGate:
    layer = app.middleware_stack
    while layer is not None and not isinstance(layer, AdmissionMiddleware):
        layer = getattr(layer, "app", None)
    assert isinstance(layer, AdmissionMiddleware), "create_app() installs admission control"
    while layer.gate.try_acquire():
        pass
    return layer.gate


async def test_a_request_that_waits_too_long_is_answered_503_and_probes_still_answer(
    database_url: str,
) -> None:
    settings = make_settings(database_url, max_concurrent_requests=2, admission_timeout_seconds=0.2)
    app = create_app(settings, configure_logs=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            assert (await client.get("/v1/weather")).status_code == 200
            gate = _full_gate(app)  # two long requests hold both slots
            refused = await client.get("/v1/weather")
            body = assert_error(refused, 503, "SERVICE_UNAVAILABLE")
            assert refused.headers["retry-after"] == "1"
            assert refused.headers["x-content-type-options"] == "nosniff"
            assert body["error"]["message"]
            assert (await client.get("/health/live")).status_code == 200, "probes bypass the queue"
            assert (await client.get("/metrics")).status_code == 200
            metrics = (await client.get("/metrics")).text
            assert "phuket_admission_rejections_total 1.0" in metrics

            queued = asyncio.create_task(client.get("/v1/weather"))
            await asyncio.sleep(0.05)
            assert gate.queued == 1
            gate.release()  # one long request ends: the queued one goes in
            assert (await queued).status_code == 200


class _Recorder:
    def __init__(self) -> None:
        self.called = False
        self.received: list[Message] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.called = True
        try:
            self.received.append(await receive())
        except PayloadTooLarge:
            await send({"type": "http.response.start", "status": 413, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"ok"})


async def _queued_call(receive: Receive) -> tuple[_Recorder, list[Message]]:
    inner = _Recorder()
    middleware = AdmissionMiddleware(inner, limit=1, timeout=5)
    assert middleware.gate.try_acquire()
    sent: list[Message] = []

    async def send(message: Message) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "POST", "path": "/v1/bookings", "headers": [], "query_string": b""}
    call = asyncio.create_task(middleware(scope, receive, send))
    await asyncio.sleep(0.01)
    middleware.gate.release()
    await asyncio.wait_for(call, 1)
    assert middleware.gate.running == 0, "the slot is given back"
    return inner, sent


async def test_a_client_that_left_while_queued_costs_no_work() -> None:
    async def gone() -> Message:
        return {"type": "http.disconnect"}

    inner, sent = await _queued_call(gone)
    assert not inner.called
    assert sent[0]["status"] == 499  # for the access log and the metrics; nobody is there to read it


async def test_a_queued_request_s_body_reaches_the_application_intact() -> None:
    async def body() -> Message:
        return {"type": "http.request", "body": b'{"a": 1}', "more_body": False}

    inner, sent = await _queued_call(body)
    assert inner.received == [{"type": "http.request", "body": b'{"a": 1}', "more_body": False}]
    assert sent[0]["status"] == 200

    async def too_large() -> Message:
        raise PayloadTooLarge()

    inner, sent = await _queued_call(too_large)
    assert inner.called and sent[0]["status"] == 413, "the application answers the oversize body, not a 500"


async def test_a_slow_body_holds_no_slot_and_is_cut_off_after_the_body_timeout() -> None:
    inner = _Recorder()
    middleware = AdmissionMiddleware(inner, limit=1, timeout=5, body_timeout=0.2)
    never = asyncio.Event()
    sent: dict[str, list[Message]] = {"slow": [], "quick": []}

    async def dribble() -> Message:
        await never.wait()  # the rest of the body never comes
        return {"type": "http.disconnect"}

    async def empty() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    def sender(name: str) -> Send:
        async def send(message: Message) -> None:
            sent[name].append(message)

        return send

    post = {"type": "http", "method": "POST", "path": "/v1/bookings", "query_string": b""}
    slow = {**post, "headers": [(b"content-length", b"100"), (b"content-type", b"application/json")]}
    quick = {**post, "headers": []}
    slow_call = asyncio.create_task(middleware(slow, dribble, sender("slow")))
    await asyncio.sleep(0.05)
    assert middleware.gate.running == 0, "waiting for a body takes no slot"
    await asyncio.wait_for(middleware(quick, empty, sender("quick")), 1)
    assert sent["quick"][0]["status"] == 200
    await asyncio.wait_for(slow_call, 1)
    assert sent["slow"][0]["status"] == 408
    body = b"".join(m.get("body", b"") for m in sent["slow"])
    assert b'"VALIDATION_ERROR"' in body and b"did not arrive in time" in body
