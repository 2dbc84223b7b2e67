"""`phuket seed`: the bundled catalog, idempotent, with pictures that work offline."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy import func, select

from phuket.catalog.models import Property, Tour, Vehicle
from tests.catalog.conftest import ip


def _seed(database_url: str, data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PHUKET_DATABASE_URL": database_url, "PHUKET_DATA_DIR": str(data_dir)}
    env.pop("PHUKET_REDIS_URL", None)
    return subprocess.run(
        [str(Path(sys.executable).parent / "phuket"), "seed", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


async def _counts(app: Any) -> dict[str, int]:
    async with app.state.db.read_sessionmaker() as session:
        return {
            m.__tablename__: (await session.execute(select(func.count()).select_from(m))).scalar_one()
            for m in (Vehicle, Property, Tour)
        }


async def test_seed_loads_the_catalog_once_and_is_idempotent(
    app: Any, client: httpx.AsyncClient, database_url: str
) -> None:
    data_dir = app.state.settings.data_dir
    first = _seed(database_url, data_dir, "--if-empty")
    assert first.returncode == 0, first.stderr
    counts = await _counts(app)
    assert counts["vehicle"] >= 40 and counts["property"] >= 40 and counts["tour"] >= 25

    skipped = _seed(database_url, data_dir, "--if-empty")
    assert skipped.returncode == 0 and "nothing seeded" in skipped.stdout
    again = _seed(database_url, data_dir)
    assert again.returncode == 0 and "0 created" in again.stdout
    assert await _counts(app) == counts

    areas = (await client.get("/v1/properties?per_page=100", headers=ip())).json()["data"]
    assert len({row["area"] for row in areas}) >= 8
    tour = (await client.get("/v1/tours?sort=rating&per_page=1", headers=ip())).json()["data"][0]
    picture = await client.get(tour["images"][0])
    assert picture.status_code == 200 and picture.content.startswith(b"<svg")
    assert "immutable" in picture.headers["cache-control"]
    scooters = await client.get(
        "/v1/vehicles?type=scooter&q=patong", headers={**ip(), "Accept-Language": "ru"}
    )
    assert scooters.json()["data"] and all(r["type"] == "scooter" for r in scooters.json()["data"])
