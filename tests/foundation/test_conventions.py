"""Wire conventions of API.md that every endpoint shares."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response

from phuket.core.http import PageParams, set_pagination_headers
from phuket.main import create_app
from tests.conftest import assert_error, make_settings

ISO_Z = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


async def test_success_envelope_has_data_and_meta(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live")
    body = response.json()
    assert response.status_code == 200
    assert body["data"] == {"status": "ok"}
    assert body["meta"]["requestId"] == response.headers["x-request-id"]
    assert ISO_Z.match(body["meta"]["timestamp"])


async def test_sane_client_request_id_is_echoed(client: httpx.AsyncClient) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": "ios-req.42_A"})
    assert response.headers["x-request-id"] == "ios-req.42_A"
    assert response.json()["meta"]["requestId"] == "ios-req.42_A"


@pytest.mark.parametrize("bad", ["a b", "x" * 129, "<script>", "ид-запроса", ""])
async def test_insane_request_id_is_replaced_by_a_uuid(client: httpx.AsyncClient, bad: str) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": bad.encode("utf-8")})
    rid = response.headers["x-request-id"]
    assert rid != bad
    assert re.match(r"^[0-9a-f-]{36}$", rid)


async def test_security_headers_and_no_server_banner(client: httpx.AsyncClient) -> None:
    for path in ("/health/live", "/v1/nothing-here"):
        response = await client.get(path)
        h = response.headers
        assert h["strict-transport-security"].startswith("max-age=")
        assert h["x-content-type-options"] == "nosniff"
        assert h["x-frame-options"] == "DENY"
        assert "referrer-policy" in h
        assert "default-src" in h["content-security-policy"]
        assert "server" not in h


async def test_unknown_route_is_404_in_contract_shape(client: httpx.AsyncClient) -> None:
    assert_error(await client.get("/v1/no-such-thing"), 404, "NOT_FOUND")


async def test_wrong_method_is_405_in_contract_shape(client: httpx.AsyncClient) -> None:
    assert_error(await client.delete("/v1/auth/login"), 405, "METHOD_NOT_ALLOWED")


@pytest.mark.parametrize(
    ("header", "lang"),
    [
        ("ru", "ru"),
        ("ru-RU", "ru"),
        ("ru-RU,ru;q=0.9,en;q=0.8", "ru"),
        ("en-US,en;q=0.9", "en"),
        ("de-DE, ru;q=0.5", "ru"),
        ("en;q=0.2, ru;q=0.9", "ru"),
        ("fr, de", "en"),
        ("ru;q=0", "en"),
        ("ru;q=abc", "en"),
        (",,;;", "en"),
    ],
)
async def test_accept_language_picks_message_language(
    client: httpx.AsyncClient, header: str, lang: str
) -> None:
    response = await client.get("/v1/users/me", headers={"Accept-Language": header})
    body = assert_error(response, 401, "UNAUTHORIZED")
    assert response.headers["content-language"] == lang
    expected = "Требуется авторизация." if lang == "ru" else "Authentication is required."
    assert body["error"]["message"] == expected


async def test_malformed_json_is_400_with_a_body_detail(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/login",
        content=b'{"email": "a@b.co", "password": ',
        headers={"Content-Type": "application/json"},
    )
    body = assert_error(response, 400, "VALIDATION_ERROR")
    assert body["error"]["details"][0]["field"] == "body"


async def test_json_that_is_not_an_object_is_400(client: httpx.AsyncClient) -> None:
    for payload in (b"[]", b"42", b'"text"', b"null"):
        response = await client.post(
            "/v1/auth/login", content=payload, headers={"Content-Type": "application/json"}
        )
        assert_error(response, 400, "VALIDATION_ERROR")


async def test_non_json_body_is_415(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/login",
        content=b"email=a@b.co&password=x",
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")
    response = await client.post("/v1/auth/login", content=b"{}", headers={"Content-Type": "text/plain"})
    assert_error(response, 415, "UNSUPPORTED_MEDIA_TYPE")


async def test_body_over_limit_is_413_by_content_length(client: httpx.AsyncClient) -> None:
    big = json.dumps({"email": "a@b.co", "password": "x" * 2_000_000}).encode()
    response = await client.post("/v1/auth/login", content=big, headers={"Content-Type": "application/json"})
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


async def test_body_over_limit_is_413_when_streamed_without_length(client: httpx.AsyncClient) -> None:
    async def chunks():  # type: ignore[no-untyped-def]
        yield b'{"email": "a@b.co", "password": "'
        for _ in range(40):
            yield b"x" * 65536
        yield b'"}'

    response = await client.post(
        "/v1/auth/login", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert_error(response, 413, "PAYLOAD_TOO_LARGE")


async def test_invalid_utf8_body_is_400(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/v1/auth/login",
        content=b'{"email": "\xff\xfe@b.co", "password": "x"}',
        headers={"Content-Type": "application/json"},
    )
    assert_error(response, 400, "VALIDATION_ERROR")


async def test_deeply_nested_json_is_400_not_500(client: httpx.AsyncClient) -> None:
    payload = b'{"email": ' + b"[" * 5000 + b"]" * 5000 + b', "password": "x"}'
    response = await client.post(
        "/v1/auth/login", content=payload, headers={"Content-Type": "application/json"}
    )
    assert_error(response, 400, "VALIDATION_ERROR")


async def test_unexpected_error_is_500_without_internals(database_url: str) -> None:
    app = create_app(make_settings(database_url), configure_logs=False)

    @app.get("/v1/boom")
    async def boom() -> None:
        raise RuntimeError("SELECT secret FROM users -- stack detail")

    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            response = await c.get("/v1/boom")
    body = assert_error(response, 500, "INTERNAL_ERROR")
    assert "SELECT" not in response.text and "Traceback" not in response.text
    assert body["error"]["details"] == []


async def test_cors_preflight_allows_only_configured_origins(database_url: str) -> None:
    app = create_app(
        make_settings(database_url, cors_origins="https://app.phuket.example"), configure_logs=False
    )
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
            ok = await c.options(
                "/v1/auth/login",
                headers={"Origin": "https://app.phuket.example", "Access-Control-Request-Method": "POST"},
            )
            evil = await c.options(
                "/v1/auth/login",
                headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"},
            )
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://app.phuket.example"
    assert "access-control-allow-origin" not in evil.headers


def _request(query: str) -> Request:
    return Request(
        {
            "type": "http",
            "method": "GET",
            "scheme": "http",
            "server": ("api.test", 80),
            "path": "/v1/vehicles",
            "query_string": query.encode(),
            "headers": [],
        }
    )


def test_pagination_headers_and_links_in_the_middle() -> None:
    response = Response()
    set_pagination_headers(
        _request("type=scooter&page=2&per_page=20"), response, PageParams(2, 20), total=150
    )
    h = response.headers
    assert (h["x-total-count"], h["x-page"], h["x-per-page"], h["x-total-pages"]) == ("150", "2", "20", "8")
    links = dict((m.group(2), m.group(1)) for m in re.finditer(r'<([^>]+)>; rel="(\w+)"', h["link"]))
    assert links["first"].endswith("type=scooter&page=1&per_page=20")
    assert links["prev"].endswith("page=1&per_page=20")
    assert links["next"].endswith("page=3&per_page=20")
    assert links["last"].endswith("page=8&per_page=20")


def test_pagination_first_and_last_pages_have_no_prev_or_next() -> None:
    first, last = Response(), Response()
    set_pagination_headers(_request(""), first, PageParams(1, 50), total=100)
    set_pagination_headers(_request(""), last, PageParams(2, 50), total=100)
    assert 'rel="prev"' not in first.headers["link"] and 'rel="next"' in first.headers["link"]
    assert 'rel="next"' not in last.headers["link"] and 'rel="prev"' in last.headers["link"]
    empty = Response()
    set_pagination_headers(_request(""), empty, PageParams(1, 20), total=0)
    assert empty.headers["x-total-pages"] == "1"


def test_committed_openapi_matches_the_code() -> None:
    committed = Path(__file__).resolve().parents[2] / "openapi.json"
    generated = create_app(configure_logs=False).openapi()
    assert committed.exists(), "run `make openapi` and commit openapi.json"
    assert json.loads(committed.read_text(encoding="utf-8")) == json.loads(json.dumps(generated)), (
        "openapi.json is stale: run `make openapi` and commit it (the iOS client is generated from it)"
    )


def test_every_v1_operation_documents_its_errors() -> None:
    document = create_app(configure_logs=False).openapi()
    for path, operations in document["paths"].items():
        if not path.startswith("/v1"):
            continue
        for method, operation in operations.items():
            codes = set(operation["responses"])
            assert "400" in codes, f"{method.upper()} {path} does not document 400"
            assert "429" in codes, f"{method.upper()} {path} does not document 429"
            if operation.get("security"):
                assert "401" in codes, f"{method.upper()} {path} is authenticated but does not document 401"
