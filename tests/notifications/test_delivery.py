"""The worker delivers the outbox through fake FCM and SendGrid servers, in the user's language."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from phuket.core.db import utcnow
from phuket.notifications.jobs import PeriodicJobs
from phuket.notifications.models import Device
from phuket.notifications.worker import Worker
from tests.conftest import register
from tests.fakes.notify import FakeFCM, FakeSendGrid
from tests.notifications.helpers import add_device, booked, outbox


async def test_a_booking_is_pushed_and_emailed_once_in_russian(
    client: httpx.AsyncClient, notify_app: Any, fcm: FakeFCM, sendgrid: FakeSendGrid
) -> None:
    anna = await register(client, language="ru", full_name="Анна")
    await add_device(client, anna, "phone-1")
    await add_device(client, anna, "tablet-1")
    booking = await booked(client, notify_app, anna)
    await Worker(notify_app.state).drain()

    pushes = fcm.messages()
    assert sorted(p["token"] for p in pushes) == ["phone-1", "tablet-1"]
    assert all(p["notification"]["title"] == "Бронирование создано" for p in pushes)
    assert booking["confirmationCode"] in pushes[0]["notification"]["body"]
    assert pushes[0]["android"]["collapse_key"] == pushes[0]["data"]["messageId"]
    mails = sendgrid.mails()
    assert len(mails) == 1
    assert mails[0]["personalizations"][0]["to"][0]["email"] == anna.email
    assert mails[0]["subject"].startswith("Бронирование создано")
    assert "Здравствуйте, Анна!" in mails[0]["content"][0]["value"]
    assert set(fcm.delivered.values()) == {1} and set(sendgrid.delivered.values()) == {1}
    assert {m.status for m in await outbox(notify_app)} == {"sent"}
    await Worker(notify_app.state).drain()  # nothing is sent twice
    assert len(fcm.messages()) == 2 and len(sendgrid.mails()) == 1


async def test_without_keys_email_goes_to_the_mailbox_folder_and_push_to_the_log(
    client: httpx.AsyncClient, app: Any, user: Any, caplog: pytest.LogCaptureFixture
) -> None:
    await add_device(client, user, "dev-token-12345678")
    await client.post("/v1/auth/password/forgot", json={"email": user.email})
    await booked(client, app, user)
    with caplog.at_level(logging.INFO, logger="phuket.notifications"):
        await Worker(app.state).drain()
    emails = await outbox(app, "email")
    assert len(emails) == 2 and {m.status for m in emails} == {"sent"}
    mailbox = app.state.settings.data_dir / "mailbox"
    texts = [(mailbox / f"{m.id}.eml").read_text() for m in emails]
    assert any("reset-password?token=" in t and "Reset your password" in t for t in texts)
    assert any("Booking received" in t for t in texts)
    assert any("push (FCM not configured): Booking received" in r.getMessage() for r in caplog.records)


async def test_dead_device_tokens_are_removed(
    client: httpx.AsyncClient, notify_app: Any, fcm: FakeFCM, user: Any
) -> None:
    await add_device(client, user, "uninstalled")
    await add_device(client, user, "alive")
    fcm.dead_tokens.add("uninstalled")
    await booked(client, notify_app, user)
    await Worker(notify_app.state).drain()
    async with notify_app.state.db.sessionmaker() as session:
        tokens = (await session.execute(select(Device.token))).scalars().all()
    assert list(tokens) == ["alive"]
    pushes = {m.payload["token"]: m for m in await outbox(notify_app, "push")}
    assert pushes["alive"].status == "sent" and pushes["uninstalled"].status == "dead"


async def test_a_reminder_goes_out_once_a_day_before_the_start(
    client: httpx.AsyncClient, notify_app: Any, user: Any
) -> None:
    booking = await booked(client, notify_app, user, start=3)
    await client.post(f"/v1/bookings/{booking['id']}/payment", json={"method": "cash"}, headers=user.headers)
    from phuket.bookings.models import Booking

    async with notify_app.state.db.sessionmaker() as session:
        stored = await session.get(Booking, booking["id"])
        assert stored is not None and stored.status == "confirmed"
        starts_at = stored.starts_at
    jobs = PeriodicJobs(notify_app.state)
    await jobs.run_due(starts_at - timedelta(hours=30), force=True)
    assert await outbox(notify_app, "booking_reminder") == []
    await jobs.run_due(starts_at - timedelta(hours=12), force=True)
    await PeriodicJobs(notify_app.state).run_due(starts_at - timedelta(hours=11), force=True)
    reminders = await outbox(notify_app, "booking_reminder")
    assert len(reminders) == 1 and reminders[0].payload["bookingId"] == booking["id"]


async def test_unpaid_bookings_expire_in_the_worker(client: httpx.AsyncClient, app: Any, user: Any) -> None:
    booking = await booked(client, app, user)
    await PeriodicJobs(app.state).run_due(utcnow() + timedelta(hours=2), force=True)
    shown = (await client.get(f"/v1/bookings/{booking['id']}", headers=user.headers)).json()["data"]
    assert shown["status"] == "expired"
    assert len(await outbox(app, "booking_expired")) == 1
