"""Registration, login, token rotation, logout and password reset (seed §3.1, §5.2; API.md)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import httpx
import jwt
import pytest
from sqlalchemy import select

from phuket.core.config import Settings
from phuket.core.outbox import OutboxMessage
from phuket.core.security import issue_token
from tests.conftest import Account, assert_error, register


async def test_register_returns_user_and_token_pair(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/register",
        json={
            "email": "  Anna.Petrova@Example.COM ",
            "password": "Sunny-beach-42",
            "fullName": "Анна Петрова",
            "language": "ru",
        },
    )
    assert response.status_code == 201
    data = response.json()["data"]
    assert data["tokenType"] == "bearer"
    assert data["expiresIn"] == 1800
    assert data["user"]["email"] == "anna.petrova@example.com"
    assert data["user"]["fullName"] == "Анна Петрова"
    assert data["user"]["language"] == "ru"
    assert data["user"]["role"] == "user"
    assert "password" not in response.text.lower().replace("passwordhash", "")
    me = await client.get("/v1/users/me", headers={"Authorization": f"Bearer {data['accessToken']}"})
    assert me.json()["data"]["id"] == data["user"]["id"]


async def test_register_twice_with_same_email_in_other_case_is_409(client: httpx.AsyncClient) -> None:
    await register(client, email="ivan@example.com")
    response = await client.post(
        "/v1/auth/register",
        json={"email": "IVAN@example.com", "password": "Other-pass-77", "fullName": "Ivan"},
    )
    assert_error(response, 409, "EMAIL_TAKEN")


async def test_register_strips_markup_from_names(client: httpx.AsyncClient) -> None:
    account = await register(
        client, full_name='<img src=x onerror=alert(1)>Bob <script>alert("x")</script>Smith'
    )
    assert account.user["fullName"] == "Bob Smith"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"password": "Sunny-beach-42", "fullName": "A"}, "email"),
        ({"email": "not-an-email", "password": "Sunny-beach-42", "fullName": "A"}, "email"),
        ({"email": "a@b.co", "fullName": "A"}, "password"),
        ({"email": "a@b.co", "password": "short1", "fullName": "A"}, "password"),
        ({"email": "a@b.co", "password": "onlyletters", "fullName": "A"}, "password"),
        ({"email": "a@b.co", "password": "12345678901", "fullName": "A"}, "password"),
        ({"email": "a@b.co", "password": "Я" * 36 + "1", "fullName": "A"}, "password"),  # 73 bytes
        ({"email": "a@b.co", "password": "Sunny-beach-42"}, "fullName"),
        ({"email": "a@b.co", "password": "Sunny-beach-42", "fullName": ""}, "fullName"),
        ({"email": "a@b.co", "password": "Sunny-beach-42", "fullName": "<script></script>"}, "fullName"),
        ({"email": "a@b.co", "password": "Sunny-beach-42", "fullName": "x" * 101}, "fullName"),
        ({"email": "a@b.co", "password": "Sunny-beach-42", "fullName": "A", "language": "de"}, "language"),
        ({"email": "a@b.co", "password": "Sunny-beach-42", "fullName": "A", "role": "admin"}, "role"),
        ({"email": 42, "password": "Sunny-beach-42", "fullName": "A"}, "email"),
        ({"email": "a@b.co", "password": ["x"], "fullName": "A"}, "password"),
        ({"email": "a@b.co", "password": "Sunny-beach-42", "fullName": {"first": "A"}}, "fullName"),
    ],
)
async def test_register_rejects_bad_input_field_by_field(
    client: httpx.AsyncClient, body: dict[str, object], field: str
) -> None:
    response = await client.post("/v1/auth/register", json=body)
    error = assert_error(response, 400, "VALIDATION_ERROR")
    assert field in [d["field"] for d in error["error"]["details"]], error


async def test_password_of_exactly_72_bytes_is_accepted_and_not_truncated(client: httpx.AsyncClient) -> None:
    password = "Ж" * 35 + "a1"  # 72 bytes
    account = await register(client, password=password)
    ok = await client.post("/v1/auth/login", json={"email": account.email, "password": password})
    assert ok.status_code == 200
    # A password sharing the first 71 bytes must not match (no silent truncation).
    bad = await client.post("/v1/auth/login", json={"email": account.email, "password": "Ж" * 35 + "a2"})
    assert_error(bad, 401, "INVALID_CREDENTIALS")


async def test_login_with_unicode_password_and_email_case(client: httpx.AsyncClient) -> None:
    account = await register(client, email="olga@example.com", password="Пляж-Ката-2026")
    response = await client.post(
        "/v1/auth/login", json={"email": "OLGA@example.com", "password": "Пляж-Ката-2026"}
    )
    assert response.status_code == 200
    assert response.json()["data"]["user"]["id"] == account.id


async def test_wrong_password_and_unknown_email_get_the_same_answer(
    client: httpx.AsyncClient, user: Account
) -> None:
    wrong = await client.post("/v1/auth/login", json={"email": user.email, "password": "Wrong-pass-1"})
    unknown = await client.post(
        "/v1/auth/login", json={"email": "nobody@example.com", "password": "Wrong-pass-1"}
    )
    b1 = assert_error(wrong, 401, "INVALID_CREDENTIALS")
    b2 = assert_error(unknown, 401, "INVALID_CREDENTIALS")
    assert b1["error"] == b2["error"]
    assert wrong.headers["www-authenticate"] == unknown.headers["www-authenticate"] == "Bearer"


async def test_refresh_rotates_and_the_old_token_dies(client: httpx.AsyncClient, user: Account) -> None:
    first = await client.post("/v1/auth/refresh", json={"refreshToken": user.refresh})
    assert first.status_code == 200
    pair = first.json()["data"]
    assert pair["refreshToken"] != user.refresh and pair["accessToken"] != user.access
    me = await client.get("/v1/users/me", headers={"Authorization": f"Bearer {pair['accessToken']}"})
    assert me.status_code == 200
    second = await client.post("/v1/auth/refresh", json={"refreshToken": pair["refreshToken"]})
    assert second.status_code == 200


async def test_reusing_a_rotated_refresh_token_revokes_the_whole_family(
    client: httpx.AsyncClient, user: Account
) -> None:
    rotated = (await client.post("/v1/auth/refresh", json={"refreshToken": user.refresh})).json()["data"]
    # The thief replays the old token: refused, and the legitimate new token dies with it.
    assert_error(
        await client.post("/v1/auth/refresh", json={"refreshToken": user.refresh}), 401, "TOKEN_REVOKED"
    )
    assert_error(
        await client.post("/v1/auth/refresh", json={"refreshToken": rotated["refreshToken"]}),
        401,
        "TOKEN_REVOKED",
    )
    # Another login (another family) still works.
    again = await client.post("/v1/auth/login", json={"email": user.email, "password": user.password})
    assert again.status_code == 200
    fresh = again.json()["data"]["refreshToken"]
    assert (await client.post("/v1/auth/refresh", json={"refreshToken": fresh})).status_code == 200


async def test_access_token_cannot_be_used_as_refresh_and_vice_versa(
    client: httpx.AsyncClient, user: Account
) -> None:
    assert_error(
        await client.post("/v1/auth/refresh", json={"refreshToken": user.access}), 401, "UNAUTHORIZED"
    )
    response = await client.get("/v1/users/me", headers={"Authorization": f"Bearer {user.refresh}"})
    assert_error(response, 401, "UNAUTHORIZED")


def _forge(settings: Settings, payload: dict[str, object], key: str | None = None, alg: str = "HS256") -> str:
    return jwt.encode(payload, key or settings.secret_key.get_secret_value(), algorithm=alg)


async def test_tampered_alg_none_wrong_key_and_expired_tokens_are_refused(
    client: httpx.AsyncClient, settings: Settings, user: Account
) -> None:
    now = int(time.time())
    base = {"sub": user.id, "jti": "j1", "type": "access", "iat": now, "exp": now + 600}
    header, payload, signature = user.access.split(".")
    tampered_payload = jwt.utils.base64url_encode(
        jwt.utils.base64url_decode(payload).replace(b'"role":"user"', b'"role":"admin"')
    ).decode()
    cases = {
        "tampered": (f"{header}.{tampered_payload}.{signature}", "UNAUTHORIZED"),
        "alg none": (jwt.encode(base, key=None, algorithm="none"), "UNAUTHORIZED"),  # type: ignore[arg-type]
        "wrong key": (_forge(settings, base, key="another-secret-key-of-enough-length-000"), "UNAUTHORIZED"),
        "other alg": (_forge(settings, base, alg="HS512"), "UNAUTHORIZED"),
        "expired": (_forge(settings, {**base, "iat": now - 4000, "exp": now - 10}), "TOKEN_EXPIRED"),
        "no jti": (_forge(settings, {k: v for k, v in base.items() if k != "jti"}), "UNAUTHORIZED"),
        "garbage": ("not.a.token", "UNAUTHORIZED"),
    }
    for name, (token, code) in cases.items():
        response = await client.get("/v1/users/me", headers={"Authorization": f"Bearer {token}"})
        assert_error(response, 401, code), name
        assert response.headers["www-authenticate"] == "Bearer", name


async def test_missing_or_malformed_authorization_header_is_401(client: httpx.AsyncClient) -> None:
    for value in (None, "", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"):
        headers = {} if value is None else {"Authorization": value}
        assert_error(await client.get("/v1/users/me", headers=headers), 401, "UNAUTHORIZED")


async def test_expired_refresh_token_is_refused(
    client: httpx.AsyncClient, settings: Settings, user: Account
) -> None:
    token, _ = issue_token(
        settings, subject=user.id, token_type="refresh", family="f", now=datetime.now(UTC) - timedelta(days=8)
    )
    assert_error(await client.post("/v1/auth/refresh", json={"refreshToken": token}), 401, "TOKEN_EXPIRED")


async def test_validly_signed_refresh_token_we_never_issued_is_refused(
    client: httpx.AsyncClient, settings: Settings, user: Account
) -> None:
    token, _ = issue_token(settings, subject=user.id, token_type="refresh", family="forged")
    assert_error(await client.post("/v1/auth/refresh", json={"refreshToken": token}), 401, "UNAUTHORIZED")


async def test_logout_blacklists_the_access_token_until_it_expires(
    client: httpx.AsyncClient, user: Account
) -> None:
    response = await client.post("/v1/auth/logout", headers=user.headers)
    assert response.status_code == 204 and response.content == b""
    assert_error(await client.get("/v1/users/me", headers=user.headers), 401, "TOKEN_REVOKED")
    # The refresh token was not given, so it still works and yields a fresh access token.
    again = await client.post("/v1/auth/refresh", json={"refreshToken": user.refresh})
    assert again.status_code == 200


async def test_logout_with_refresh_token_ends_the_session_family(
    client: httpx.AsyncClient, user: Account
) -> None:
    response = await client.post("/v1/auth/logout", headers=user.headers, json={"refreshToken": user.refresh})
    assert response.status_code == 204
    assert_error(
        await client.post("/v1/auth/refresh", json={"refreshToken": user.refresh}), 401, "TOKEN_REVOKED"
    )


async def test_logout_needs_a_valid_token(client: httpx.AsyncClient) -> None:
    assert_error(await client.post("/v1/auth/logout"), 401, "UNAUTHORIZED")


async def test_token_of_a_deleted_user_is_refused(client: httpx.AsyncClient, user: Account) -> None:
    other = await client.post("/v1/auth/login", json={"email": user.email, "password": user.password})
    second_access = other.json()["data"]["accessToken"]
    assert (await client.delete("/v1/users/me", headers=user.headers)).status_code == 204
    assert_error(
        await client.get("/v1/users/me", headers={"Authorization": f"Bearer {second_access}"}),
        401,
        "UNAUTHORIZED",
    )
    assert_error(
        await client.post("/v1/auth/refresh", json={"refreshToken": user.refresh}), 401, "TOKEN_REVOKED"
    )
    login = await client.post("/v1/auth/login", json={"email": user.email, "password": user.password})
    assert_error(login, 401, "INVALID_CREDENTIALS")


async def _reset_token(app: object, user_id: str) -> str:
    async with app.state.db.sessionmaker() as session:  # type: ignore[attr-defined]
        rows = (
            (await session.execute(select(OutboxMessage).where(OutboxMessage.user_id == user_id)))
            .scalars()
            .all()
        )
    [message] = [m for m in rows if m.kind == "password_reset"]
    return str(message.payload["token"])


async def test_password_reset_flow(client: httpx.AsyncClient, app: object, user: Account) -> None:
    response = await client.post("/v1/auth/password/forgot", json={"email": user.email.upper()})
    assert response.status_code == 202
    token = await _reset_token(app, user.id)
    done = await client.post(
        "/v1/auth/password/reset", json={"token": token, "newPassword": "New-island-2027"}
    )
    assert done.status_code == 204
    assert_error(
        await client.post("/v1/auth/login", json={"email": user.email, "password": user.password}),
        401,
        "INVALID_CREDENTIALS",
    )
    ok = await client.post("/v1/auth/login", json={"email": user.email, "password": "New-island-2027"})
    assert ok.status_code == 200
    # Sessions opened before the reset are ended; the token works once only.
    assert_error(
        await client.post("/v1/auth/refresh", json={"refreshToken": user.refresh}), 401, "TOKEN_REVOKED"
    )
    again = await client.post(
        "/v1/auth/password/reset",
        json={"token": token, "newPassword": "Third-pass-99"},
        headers={"X-Forwarded-For": "192.0.2.200"},
    )
    assert_error(again, 400, "VALIDATION_ERROR")


async def test_forgot_password_answers_the_same_for_unknown_email(
    client: httpx.AsyncClient, app: object
) -> None:
    response = await client.post("/v1/auth/password/forgot", json={"email": "ghost@example.com"})
    assert response.status_code == 202
    async with app.state.db.sessionmaker() as session:  # type: ignore[attr-defined]
        count = len((await session.execute(select(OutboxMessage))).scalars().all())
    assert count == 0


async def test_reset_with_a_bad_token_or_weak_password_is_400(client: httpx.AsyncClient) -> None:
    r1 = await client.post("/v1/auth/password/reset", json={"token": "nope", "newPassword": "Valid-pass-11"})
    assert_error(r1, 400, "VALIDATION_ERROR")
    r2 = await client.post("/v1/auth/password/reset", json={"token": "nope", "newPassword": "weak"})
    body = assert_error(r2, 400, "VALIDATION_ERROR")
    assert body["error"]["details"][0]["field"] == "newPassword"


async def test_login_is_blocked_after_five_attempts_a_minute_per_client(client: httpx.AsyncClient) -> None:
    ip = {"X-Forwarded-For": "192.0.2.77"}
    for _ in range(5):
        response = await client.post(
            "/v1/auth/login", json={"email": "a@b.co", "password": "Wrong-1"}, headers=ip
        )
        assert response.status_code == 401
        assert response.headers["ratelimit-limit"] == "5"
    blocked = await client.post("/v1/auth/login", json={"email": "a@b.co", "password": "Wrong-1"}, headers=ip)
    assert_error(blocked, 429, "RATE_LIMITED")
    assert 1 <= int(blocked.headers["retry-after"]) <= 60
    assert blocked.headers["ratelimit-remaining"] == "0"
    # Another client is not affected.
    other = await client.post(
        "/v1/auth/login",
        json={"email": "a@b.co", "password": "Wrong-1"},
        headers={"X-Forwarded-For": "192.0.2.78"},
    )
    assert other.status_code == 401


async def test_x_forwarded_for_is_ignored_from_untrusted_peers(database_url: str) -> None:
    from phuket.main import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(database_url, trusted_proxies=""), configure_logs=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("198.18.0.1", 1234))
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            statuses = []
            for n in range(6):
                r = await c.post(
                    "/v1/auth/login",
                    json={"email": "a@b.co", "password": "Wrong-1"},
                    headers={"X-Forwarded-For": f"10.0.0.{n}"},  # spoofed: must not reset the limit
                )
                statuses.append(r.status_code)
    assert statuses == [401] * 5 + [429]


async def test_rate_limiting_can_be_switched_off(database_url: str) -> None:
    from phuket.main import create_app
    from tests.conftest import make_settings

    app = create_app(make_settings(database_url, rate_limit_enabled=False), configure_logs=False)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            statuses = {
                (await c.post("/v1/auth/login", json={"email": "a@b.co", "password": "Wrong-1"})).status_code
                for _ in range(8)
            }
    assert statuses == {401}
