"""Hostile input (OWASP API8/API4): injection payloads, NUL bytes, odd encodings. The service answers
4xx or a correct 2xx — never 5xx — and stores text literally and safely."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from tests.conftest import Account, assert_error, register
from tests.hardening.test_authorization import OPERATIONS

PAYLOADS = [
    "' OR '1'='1",
    "'; DROP TABLE booking; --",
    '" OR ""="',
    '1) UNION SELECT email, password_hash FROM "user" --',
    "<script>alert(document.cookie)</script>",
    "<img src=x onerror=alert(1)>",
    "{{7*7}}${7*7}",
    "../../../../etc/passwd",
    "%00",
    "\u202e\u200b\ufeff",
    "Пхи-Пхи' --",
    "a" * 5000,
]

GET_WITH_QUERY = [
    (path, [p["name"] for p in op.get("parameters", []) if p.get("in") == "query"])
    for method, path, op in OPERATIONS
    if method == "GET" and "{" not in path
]


@pytest.mark.parametrize(("path", "params"), [g for g in GET_WITH_QUERY if g[1]])
async def test_query_parameters_survive_injection_payloads(
    client: httpx.AsyncClient, user: Account, path: str, params: list[str]
) -> None:
    for name in params:
        for payload in PAYLOADS:
            response = await client.get(path, params={name: payload}, headers=user.headers)
            assert response.status_code < 500, (path, name, payload, response.text[:300])
            body = response.json()
            assert ("data" in body) != ("error" in body)


async def test_nul_bytes_in_bodies_and_queries_are_400_not_500(
    client: httpx.AsyncClient, user: Account
) -> None:
    cases = [
        (
            "POST",
            "/v1/auth/register",
            {"email": "nul@example.com", "password": "Sunny\u0000beach42", "fullName": "N"},
        ),
        ("POST", "/v1/auth/login", {"email": "nul@example.com", "password": "Sunny\u0000beach42"}),
        ("PATCH", "/v1/users/me", {"fullName": "Anna\u0000"}),
        ("POST", "/v1/auth/password/forgot", {"email": "a\u0000@example.com"}),
    ]
    for method, path, body in cases:
        response = await client.request(method, path, json=body, headers=user.headers)
        assert_error(response, 400, "VALIDATION_ERROR")
    for query in ("q=phi%00phi", "q=%00", "type=scooter%00"):
        response = await client.get(f"/v1/search?{query}", headers=user.headers)
        assert_error(response, 400, "VALIDATION_ERROR")


async def test_injection_text_is_stored_literally(client: httpx.AsyncClient) -> None:
    name = "Robert'); DROP TABLE \"user\";-- O'Brien"
    account = await register(client, full_name=name)
    me = await client.get("/v1/users/me", headers=account.headers)
    assert me.json()["data"]["fullName"] == name
    login = await client.post("/v1/auth/login", json={"email": account.email, "password": account.password})
    assert login.status_code == 200


async def test_sql_injection_in_login_email_finds_nobody(client: httpx.AsyncClient, user: Account) -> None:
    for email in ("' OR 1=1 --@example.com", f"{user.email}' --", "admin@example.com' OR '1'='1"):
        response = await client.post(
            "/v1/auth/login", json={"email": email, "password": "x"}, headers={"X-Forwarded-For": "192.0.2.9"}
        )
        assert response.status_code in (400, 401, 429)


async def test_invalid_percent_encoding_and_utf8_in_the_query(
    client: httpx.AsyncClient, user: Account
) -> None:
    for raw in ("/v1/bookings?status=%ff%fe", "/v1/bookings?page=%E0%A4%A", "/v1/bookings?status=%C3%28"):
        response = await client.get(raw, headers=user.headers)
        assert response.status_code == 400, (raw, response.text)


async def test_huge_and_deep_json_bodies(client: httpx.AsyncClient, user: Account) -> None:
    deep: Any = "x"
    for _ in range(200):
        deep = {"a": deep}
    response = await client.patch("/v1/users/me", json={"fullName": deep}, headers=user.headers)
    assert_error(response, 400, "VALIDATION_ERROR")
    wide = {f"k{n}": n for n in range(20000)}
    response = await client.patch("/v1/users/me", json=wide, headers=user.headers)
    assert response.status_code in (400, 413)
