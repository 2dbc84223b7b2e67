"""Providers failing, killed or slow; workers crashing or running side by side: never lost, never twice."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import httpx
from pydantic import SecretStr

from phuket.core.db import utcnow
from phuket.core.outbox import enqueue
from phuket.notifications.worker import LEASE, Worker
from tests.fakes.fixtures import configure
from tests.fakes.notify import FakeFCM, FakeSendGrid
from tests.fakes.server import FakeProvider
from tests.notifications.helpers import add_device, booked, outbox


async def test_failing_email_is_retried_with_backoff_while_the_push_is_not_repeated(
    client: httpx.AsyncClient, notify_app: Any, fcm: FakeFCM, sendgrid: FakeSendGrid, user: Any
) -> None:
    await add_device(client, user, "phone")
    await booked(client, notify_app, user)
    sendgrid.fail_status = 500
    now = utcnow()
    await Worker(notify_app.state).drain(now)
    [email] = await outbox(notify_app, "email")
    assert email.status == "pending" and email.attempts == 1 and "500" in (email.last_error or ""), (
        email.last_error
    )
    assert now + timedelta(seconds=29) < email.available_at <= now + timedelta(seconds=61)
    await Worker(notify_app.state).drain(now + timedelta(seconds=20))  # not due yet: nothing happens
    assert len(sendgrid.mails()) == 1

    sendgrid.fail_status = None
    await Worker(notify_app.state).drain(now + timedelta(minutes=5))
    [email] = await outbox(notify_app, "email")
    assert email.status == "sent" and email.attempts == 2
    assert list(sendgrid.delivered.values()) == [1]
    assert list(fcm.delivered.values()) == [1]  # the push went out once, before and after


async def test_a_message_is_dead_lettered_after_n_tries(
    client: httpx.AsyncClient, notify_app: Any, sendgrid: FakeSendGrid, user: Any
) -> None:
    await client.post("/v1/auth/password/forgot", json={"email": user.email})
    sendgrid.fail_status = 503
    now = utcnow()
    for hours in range(5):
        await Worker(notify_app.state).drain(now + timedelta(hours=hours))
    [email] = await outbox(notify_app, "email")
    assert email.status == "dead" and email.attempts == 3
    assert len(sendgrid.mails()) == 3  # outbox_max_attempts, then no more


async def test_a_killed_provider_loses_nothing_and_a_new_one_gets_each_message_once(
    client: httpx.AsyncClient, notify_app: Any, user: Any
) -> None:
    await add_device(client, user, "phone")
    killed = FakeProvider().__enter__()
    fcm = FakeFCM(killed)
    configure(notify_app, firebase_credentials=fcm.credentials, fcm_base_url=killed.url)
    await booked(client, notify_app, user)
    await booked(client, notify_app, user)
    killed.__exit__(None, None, None)  # the push provider dies mid-run
    now = utcnow()
    await Worker(notify_app.state).drain(now)
    pushes = await outbox(notify_app, "push")
    assert len(pushes) == 2 and {p.status for p in pushes} == {"pending"}
    assert all("unreachable" in (p.last_error or "") for p in pushes)

    with FakeProvider() as revived:  # back, at another address; the worker restarts with it
        fcm2 = FakeFCM(revived)
        configure(notify_app, firebase_credentials=fcm2.credentials, fcm_base_url=revived.url)
        await Worker(notify_app.state).drain(now + timedelta(hours=1))
        await Worker(notify_app.state).drain(now + timedelta(hours=2))
    assert sorted(fcm2.delivered.values()) == [1, 1]
    assert {p.status for p in await outbox(notify_app, "push")} == {"sent"}


async def test_a_slow_provider_times_out_and_is_retried(
    client: httpx.AsyncClient, notify_app: Any, user: Any, monkeypatch: Any
) -> None:
    from phuket.notifications import providers

    monkeypatch.setattr(providers, "TIMEOUT_SECONDS", 0.3)
    with FakeProvider() as slow:
        slow.on("POST", "/v3/mail/send", status=202, delay=1.0)
        configure(notify_app, sendgrid_base_url=slow.url)
        await client.post("/v1/auth/password/forgot", json={"email": user.email})
        await Worker(notify_app.state).drain()
        [email] = await outbox(notify_app, "email")
        assert email.status == "pending" and email.attempts == 1


async def test_a_worker_that_dies_mid_delivery_leaves_the_message_to_another(
    client: httpx.AsyncClient, notify_app: Any, sendgrid: FakeSendGrid, user: Any
) -> None:
    await client.post("/v1/auth/password/forgot", json={"email": user.email})
    now = utcnow()
    await Worker(notify_app.state).run_once(now)  # fan-out: the email child is now pending
    claimed = await Worker(notify_app.state).claim(now)  # ...claimed by a worker that then dies
    assert [c.kind for c in claimed] == ["email"]
    await Worker(notify_app.state).drain(now + timedelta(seconds=10))  # its lease still holds
    assert sendgrid.mails() == []
    await Worker(notify_app.state).drain(now + LEASE + timedelta(seconds=1))
    assert list(sendgrid.delivered.values()) == [1]
    [email] = await outbox(notify_app, "email")
    assert email.status == "sent"


async def test_stopping_releases_claimed_messages_without_spending_an_attempt(
    client: httpx.AsyncClient, notify_app: Any, sendgrid: FakeSendGrid, user: Any
) -> None:
    await client.post("/v1/auth/password/forgot", json={"email": user.email})
    stop = asyncio.Event()
    stop.set()
    await Worker(notify_app.state).run_once(stop=stop)
    [message] = await outbox(notify_app)
    assert message.status == "pending" and message.attempts == 0 and message.locked_until is None


async def test_two_workers_never_deliver_one_message_twice(
    notify_app: Any, sendgrid: FakeSendGrid, user: Any
) -> None:
    sendgrid.fake.routes[("POST", "/v3/mail/send")].delay = 0.01
    async with notify_app.state.db.sessionmaker() as session, session.begin():
        for n in range(40):
            body = {"to": f"guest{n}@example.com", "subject": f"#{n}", "text": "hi", "html": "<p>hi</p>"}
            await enqueue(session, "email", body, user_id=user.id)
    first, second = Worker(notify_app.state, batch=5), Worker(notify_app.state, batch=5)
    await asyncio.gather(first.drain(rounds=50), second.drain(rounds=50))
    messages = await outbox(notify_app, "email")
    assert {m.status for m in messages} == {"sent"}
    assert sorted(sendgrid.delivered) == sorted(m.id for m in messages)
    assert set(sendgrid.delivered.values()) == {1}


async def test_an_unauthorised_key_keeps_retrying_but_a_rejected_message_dies_at_once(
    client: httpx.AsyncClient, notify_app: Any, sendgrid: FakeSendGrid, user: Any
) -> None:
    configure(notify_app, sendgrid_api_key=SecretStr("SG.wrong"))
    await client.post("/v1/auth/password/forgot", json={"email": user.email})
    await Worker(notify_app.state).drain()
    [email] = await outbox(notify_app, "email")
    assert email.status == "pending" and "401" in (email.last_error or "")

    sendgrid.fake.on("POST", "/v3/mail/send", status=400, json={"errors": [{"message": "bad"}]})
    configure(notify_app, sendgrid_api_key=SecretStr("SG.test-key"))
    await Worker(notify_app.state).drain(utcnow() + timedelta(hours=1))
    [email] = await outbox(notify_app, "email")
    assert email.status == "dead" and email.attempts == 2
