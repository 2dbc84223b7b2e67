"""Running the worker: in-process under `make run` (PHUKET_INPROCESS_WORKER), or as `phuket worker`."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

from phuket.notifications.worker import Worker

log = logging.getLogger("phuket.worker")


class BackgroundWorker:
    """The worker as a task of the web process; `stop()` lets the current message finish."""

    def __init__(self, state: Any) -> None:
        self.stop_event = asyncio.Event()
        self.worker = Worker(state)
        self.task = asyncio.create_task(self.worker.run(self.stop_event), name="outbox-worker")

    async def stop(self, grace_seconds: float = 20.0) -> None:
        self.stop_event.set()
        try:
            await asyncio.wait_for(asyncio.shield(self.task), timeout=grace_seconds)
        except TimeoutError:
            log.warning("worker did not stop in time; cancelling (its leases will run out)")
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task


def start_inprocess_worker(state: Any) -> BackgroundWorker | None:
    if not state.settings.inprocess_worker:
        return None
    return BackgroundWorker(state)
