"""Authorization matrix (OWASP API1/API3/API5): driven by the OpenAPI document, so an endpoint added
later is covered without touching this file."""

from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from phuket.main import create_app
from tests.bookings.conftest import book
from tests.conftest import Account, assert_error, register
from tests.factories import make_vehicle

DOCUMENT = create_app(configure_logs=False).openapi()
OPERATIONS = [
    (method.upper(), path, op)
    for path, ops in DOCUMENT["paths"].items()
    for method, op in ops.items()
    if path.startswith("/v1")
]
SECURED = [(m, p) for m, p, op in OPERATIONS if op.get("security")]
ADMIN = [(m, p) for m, p, _ in OPERATIONS if p.startswith("/v1/admin")]
# Endpoints that need no account, on purpose (public catalog, sign-up/in, provider webhooks, travel tools).
PUBLIC_PREFIXES = (
    "/v1/auth/",
    "/v1/vehicles",
    "/v1/properties",
    "/v1/tours",
    "/v1/search",
    "/v1/currency",
    "/v1/weather",
    "/v1/payments/webhook",
)


def _fill(path: str, value: str = "00000000-0000-0000-0000-000000000000") -> str:
    return re.sub(r"\{[^}]+\}", value, path)


def test_every_non_public_endpoint_requires_a_token() -> None:
    for method, path, _ in OPERATIONS:
        if path.startswith(PUBLIC_PREFIXES) and not path.startswith("/v1/auth/logout"):
            continue
        assert (method, path) in SECURED, f"{method} {path} is not protected by a bearer token"


@pytest.mark.parametrize(("method", "path"), SECURED)
async def test_anonymous_callers_get_401(client: httpx.AsyncClient, method: str, path: str) -> None:
    response = await client.request(
        method, _fill(path), json={} if method in ("POST", "PATCH", "PUT") else None
    )
    assert_error(response, 401, "UNAUTHORIZED")
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(("method", "path"), ADMIN)
async def test_admin_endpoints_refuse_users(
    client: httpx.AsyncClient, user: Account, method: str, path: str
) -> None:
    response = await client.request(
        method, _fill(path), headers=user.headers, json={} if method in ("POST", "PATCH", "PUT") else None
    )
    assert_error(response, 403, "FORBIDDEN")


async def test_another_users_booking_is_invisible_everywhere(
    client: httpx.AsyncClient, app: Any, user: Account
) -> None:
    intruder = await register(client)
    scooter = await make_vehicle(app)
    booking_id = (await book(client, user, scooter, "vehicle", 3, 5)).json()["data"]["id"]
    object_paths = [(m, p) for m, p in SECURED if "{booking_id}" in p and not p.startswith("/v1/admin")]
    assert object_paths, "no booking object endpoints found"
    for method, path in object_paths:
        body: dict[str, Any] | None = {"method": "cash"} if path.endswith("/payment") else None
        response = await client.request(method, _fill(path, booking_id), headers=intruder.headers, json=body)
        assert_error(response, 404, "NOT_FOUND")
    listing = await client.get("/v1/bookings", headers=intruder.headers)
    assert listing.json()["data"] == []
    mine = await client.get(f"/v1/bookings/{booking_id}", headers=user.headers)
    assert mine.status_code == 200 and mine.json()["data"]["status"] == "pending"


def _request_schemas() -> list[tuple[str, str, dict[str, Any]]]:
    schemas = DOCUMENT["components"]["schemas"]
    found = []
    for method, path, op in OPERATIONS:
        ref = op.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema", {})
        for candidate in [ref, *ref.get("anyOf", [])]:
            if "$ref" in candidate:
                found.append((method, path, schemas[candidate["$ref"].rsplit("/", 1)[1]]))
    return found


def test_no_request_body_accepts_unknown_fields() -> None:
    """Mass assignment: a client can never slip `role`, `status`, `price` or an owner into a body."""
    bodies = [(m, p, s) for m, p, s in _request_schemas() if p != "/v1/payments/webhook"]
    assert len(bodies) >= 8
    for method, path, schema in bodies:
        assert schema.get("additionalProperties") is False, f"{method} {path} accepts unknown fields"
        props = set(schema.get("properties", {}))
        if not path.startswith("/v1/admin"):
            assert not props & {
                "role",
                "status",
                "userId",
                "ownerId",
                "totalPrice",
                "amountPaid",
                "paymentStatus",
            }, f"{method} {path} exposes a privileged field: {props}"
