"""The caller's own account: profile, update, deletion, GDPR export."""

from __future__ import annotations

import httpx
import pytest

from tests.conftest import Account, assert_error


async def test_me_returns_the_profile(client: httpx.AsyncClient, user: Account) -> None:
    response = await client.get("/v1/users/me", headers=user.headers)
    assert response.status_code == 200
    assert response.json()["data"] == user.user


async def test_patch_me_updates_name_language_and_currency(client: httpx.AsyncClient, user: Account) -> None:
    response = await client.patch(
        "/v1/users/me",
        headers=user.headers,
        json={"fullName": " Анна  <b>К.</b> ", "language": "ru", "currency": "RUB"},
    )
    assert response.status_code == 200
    data = response.json()["data"]
    assert (data["fullName"], data["language"], data["currency"]) == ("Анна К.", "ru", "RUB")
    again = (await client.get("/v1/users/me", headers=user.headers)).json()["data"]
    assert again["currency"] == "RUB"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"currency": "XXX"}, "currency"),
        ({"language": "fr"}, "language"),
        ({"role": "admin"}, "role"),
        ({"email": "new@example.com"}, "email"),
        ({"id": "other"}, "id"),
        ({"fullName": ""}, "fullName"),
        ({"fullName": 5}, "fullName"),
        ({"password": "weak"}, "password"),
    ],
)
async def test_patch_me_rejects_bad_or_forbidden_fields(
    client: httpx.AsyncClient, user: Account, body: dict[str, object], field: str
) -> None:
    response = await client.patch("/v1/users/me", headers=user.headers, json=body)
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in [d["field"] for d in error["error"]["details"]]
    me = (await client.get("/v1/users/me", headers=user.headers)).json()["data"]
    assert me["role"] == "user" and me["email"] == user.email


async def test_changing_password_needs_the_current_one(client: httpx.AsyncClient, user: Account) -> None:
    bad = await client.patch(
        "/v1/users/me", headers=user.headers, json={"password": "New-pass-123", "currentPassword": "Wrong-1"}
    )
    assert_error(bad, 400, "VALIDATION_ERROR")
    missing = await client.patch("/v1/users/me", headers=user.headers, json={"password": "New-pass-123"})
    assert_error(missing, 400, "VALIDATION_ERROR")
    ok = await client.patch(
        "/v1/users/me",
        headers=user.headers,
        json={"password": "New-pass-123", "currentPassword": user.password},
    )
    assert ok.status_code == 200
    login = await client.post("/v1/auth/login", json={"email": user.email, "password": "New-pass-123"})
    assert login.status_code == 200


async def test_delete_me_erases_personal_data_and_frees_the_email(
    client: httpx.AsyncClient, user: Account
) -> None:
    assert (await client.delete("/v1/users/me", headers=user.headers)).status_code == 204
    assert_error(await client.get("/v1/users/me", headers=user.headers), 401, "UNAUTHORIZED")
    again = await client.post(
        "/v1/auth/register", json={"email": user.email, "password": "Sunny-beach-42", "fullName": "New Anna"}
    )
    assert again.status_code == 201
    assert again.json()["data"]["user"]["id"] != user.id


async def test_export_contains_my_profile(client: httpx.AsyncClient, user: Account) -> None:
    response = await client.get("/v1/users/me/export", headers=user.headers)
    assert response.status_code == 200
    assert response.json()["data"]["profile"]["email"] == user.email


async def test_user_endpoints_need_a_token(client: httpx.AsyncClient) -> None:
    for method, path in (
        ("GET", "/v1/users/me"),
        ("PATCH", "/v1/users/me"),
        ("DELETE", "/v1/users/me"),
        ("GET", "/v1/users/me/export"),
    ):
        response = await client.request(method, path, json={} if method == "PATCH" else None)
        assert_error(response, 401, "UNAUTHORIZED")
