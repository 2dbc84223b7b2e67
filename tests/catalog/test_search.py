"""Text search in Russian and English with the database's own engine, forgiving of form."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from phuket.catalog.seeding import seed_catalog
from phuket.catalog.service import search_items
from phuket.catalog.storage import LocalStorage
from tests.catalog.conftest import add_item, ip


@pytest.fixture
async def tours(app: Any) -> None:
    await add_item(
        app, "tour", slug="phi-phi-speedboat", category="islands",
        name={"en": "Phi Phi Islands by Speedboat", "ru": "Острова Пхи-Пхи на спидботе"},
        description={"en": "Maya Bay and Pileh Lagoon.", "ru": "Бухта Майя и лагуна Пиле."},
    )  # fmt: skip
    await add_item(
        app, "tour", slug="phi-phi-big-boat", category="islands",
        name={"en": "Phi-Phi by big boat", "ru": "Пхи Пхи на большом корабле"},
    )  # fmt: skip
    await add_item(
        app, "tour", slug="james-bond", category="islands",
        name={"en": "James Bond Island", "ru": "Остров Джеймса Бонда"},
        description={"en": "Phang Nga Bay by longtail.", "ru": "Залив Пханг Нга на лодке."},
    )  # fmt: skip
    await add_item(
        app, "tour", slug="elephants", category="nature",
        name={"en": "Ethical elephant sanctuary", "ru": "Слоновий заповедник"},
        description={"en": "Feed and walk with elephants.", "ru": "Кормление слонов, прогулка с ёжиком."},
    )  # fmt: skip


async def _found(client: httpx.AsyncClient, q: str, lang: str = "en") -> list[str]:
    response = await client.get("/v1/tours", params={"q": q}, headers={**ip(), "Accept-Language": lang})
    assert response.status_code == 200, response.text
    return sorted(row["slug"] for row in response.json()["data"])


PHI_PHI = ["phi-phi-big-boat", "phi-phi-speedboat"]


@pytest.mark.parametrize("q", ["пхи-пхи", "Пхи Пхи", "phi phi", "Phi-Phi", "PHI PHI", "phiphi", "пхипхи"])
async def test_every_spelling_of_phi_phi_finds_the_phi_phi_tours(
    client: httpx.AsyncClient, tours: None, q: str
) -> None:
    assert await _found(client, q) == PHI_PHI


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("остров", ["james-bond", *PHI_PHI]),  # "острова", and the category's Russian name
        ("лагун", ["phi-phi-speedboat"]),  # a Russian word by its prefix ("лагуна")
        ("слон", ["elephants"]),  # prefix of "слоновий"/"слонов"
        ("ЕЖИКОМ", ["elephants"]),  # case and ё/е
        ("ёжиком", ["elephants"]),
        ("eleph", ["elephants"]),  # a partial English word
        ("bond island", ["james-bond"]),  # every word must match
        ("maya", ["phi-phi-speedboat"]),  # the description is searched too
        ("submarine", []),
        ("!!!", ["elephants", "james-bond", *PHI_PHI]),  # no words: no text filter
    ],
)
async def test_forgiving_matching_in_both_languages(
    client: httpx.AsyncClient, tours: None, q: str, expected: list[str]
) -> None:
    assert await _found(client, q) == sorted(expected)


async def test_search_combines_with_other_filters_and_counts_right(
    client: httpx.AsyncClient, tours: None
) -> None:
    response = await client.get("/v1/tours?q=island&category=islands&per_page=1", headers=ip())
    assert response.headers["x-total-count"] == "3"
    assert len(response.json()["data"]) == 1
    assert await _found(client, "elephant") == ["elephants"]
    response = await client.get("/v1/tours?q=elephant&category=islands", headers=ip())
    assert response.json()["data"] == []


async def test_search_endpoint_spans_kinds_in_the_request_language(
    client: httpx.AsyncClient, app: Any, tours: None
) -> None:
    await add_item(
        app, "vehicle", slug="patong-scooter", area="Patong", name={"en": "Yamaha NMAX", "ru": "Ямаха"}
    )
    await add_item(app, "property", slug="patong-condo", area="Patong", type="condo",
                   name={"en": "Condo in Patong", "ru": "Кондо в Патонге"})  # fmt: skip
    response = await client.get("/v1/search", params={"q": "патонг"}, headers={"Accept-Language": "ru"})
    assert response.status_code == 200
    hits = response.json()["data"]
    assert {(h["itemType"], h["slug"]) for h in hits} == {
        ("vehicle", "patong-scooter"),
        ("property", "patong-condo"),
    }
    condo = next(h for h in hits if h["slug"] == "patong-condo")
    assert condo["name"] == "Кондо в Патонге" and condo["priceUnit"] == "night"
    assert condo["image"] is None
    scooters = (await client.get("/v1/search", params={"q": "скутер"})).json()["data"]
    assert [h["slug"] for h in scooters][:1] == ["patong-scooter"]  # the type's Russian name


async def test_search_items_for_the_assistant(app: Any, tours: None) -> None:
    async with app.state.db.read_sessionmaker() as session:
        found = await search_items(session, "Пхи-Пхи", language="ru", limit=10)
        assert sorted(item.slug for _kind, item in found) == PHI_PHI
        assert {kind for kind, _item in found} == {"tour"}
        assert len(await search_items(session, "island", language="en", limit=1)) == 1
        assert await search_items(session, "   ", language="en") == []


async def test_bundled_catalog_finds_phi_phi_in_both_languages(app: Any, tmp_path: Any) -> None:
    async with app.state.db.sessionmaker() as session, session.begin():
        await seed_catalog(session, LocalStorage(tmp_path))
    async with app.state.db.read_sessionmaker() as session:
        for q, language in (("пхи-пхи", "ru"), ("phi phi", "en")):
            found = await search_items(session, q, language=language, limit=5)
            assert len(found) == 5
            assert all("phi-phi" in item.slug for _kind, item in found), [i.slug for _k, i in found]
