"""The built web client is served at `/` without ever hiding an API path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from phuket.main import create_app
from phuket.webapp.router import is_reserved
from tests.conftest import assert_error, make_settings

INDEX = (
    "<!doctype html><html><body><div id=root></div>"
    "<script type=module src=/assets/index-Bq3xZ9aK.js></script></body></html>"
)


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "index.html").write_text(INDEX)
    (root / "assets" / "index-Bq3xZ9aK.js").write_text("console.log('app')")
    (root / "assets" / "Profile-D_4k-9Lm.css").write_text("body{}")
    (root / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    (root / "manifest.webmanifest").write_text("{}")
    (tmp_path / "secret.txt").write_text("outside the build")
    return root


async def _client(database_url: str, dist_dir: Path) -> AsyncIterator[httpx.AsyncClient]:
    app: Any = create_app(make_settings(database_url, web_dist_dir=dist_dir), configure_logs=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            yield c


@pytest.fixture
async def web(database_url: str, dist: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for c in _client(database_url, dist):
        yield c


@pytest.fixture
async def web_unbuilt(database_url: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    async for c in _client(database_url, tmp_path / "no-such-dist"):
        yield c


async def test_root_serves_index_html_uncached(web: httpx.AsyncClient) -> None:
    response = await web.get("/")
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-cache"
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"


@pytest.mark.parametrize(
    "path", ["/transport", "/tours/abc-123", "/profile/bookings/42/voucher", "/ru/x.y/z"]
)
async def test_client_side_routes_fall_back_to_index(web: httpx.AsyncClient, path: str) -> None:
    response = await web.get(path)
    assert response.status_code == 200
    assert response.text == INDEX
    assert response.headers["cache-control"] == "no-cache"


async def test_hashed_assets_are_cached_for_a_year(web: httpx.AsyncClient) -> None:
    js = await web.get("/assets/index-Bq3xZ9aK.js")
    assert js.status_code == 200
    assert js.text == "console.log('app')"
    assert js.headers["content-type"].startswith("text/javascript")
    assert js.headers["cache-control"] == "public, max-age=31536000, immutable"
    css = await web.get("/assets/Profile-D_4k-9Lm.css")
    assert css.headers["cache-control"] == "public, max-age=31536000, immutable"


async def test_service_worker_and_manifest_are_revalidated(web: httpx.AsyncClient) -> None:
    sw = await web.get("/sw.js")
    assert sw.status_code == 200
    assert sw.headers["cache-control"] == "no-cache"
    assert sw.headers["content-type"].startswith("text/javascript")
    manifest = await web.get("/manifest.webmanifest")
    assert manifest.headers["content-type"].startswith("application/manifest+json")
    assert manifest.headers["cache-control"] == "no-cache"


async def test_missing_asset_is_404_not_index(web: httpx.AsyncClient) -> None:
    response = await web.get("/assets/index-OLDHASH1.js")
    assert response.status_code == 404
    assert "<html" not in response.text


async def test_head_is_served_like_get(web: httpx.AsyncClient) -> None:
    response = await web.head("/tours")
    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-cache"


@pytest.mark.parametrize("path", ["/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt"])
async def test_files_outside_the_build_are_never_served(web: httpx.AsyncClient, path: str) -> None:
    response = await web.get(path)
    assert "outside the build" not in response.text


@pytest.mark.parametrize(
    "path",
    ["/v1/nothing-here", "/v1", "/health", "/metrics/x", "/media/no-such.jpg", "/docs/missing"],
)
async def test_unknown_api_paths_keep_the_api_404(web: httpx.AsyncClient, path: str) -> None:
    response = await web.get(path)
    assert_error(response, 404, "NOT_FOUND")
    assert "default-src 'none'" in response.headers["content-security-policy"] or path.startswith(
        ("/media", "/docs")
    )


async def test_api_routes_win_over_the_web_client(web: httpx.AsyncClient) -> None:
    live = await web.get("/health/live")
    assert live.status_code == 200
    assert live.json()["data"]["status"] == "ok"
    spec = await web.get("/openapi.json")
    assert spec.status_code == 200
    assert spec.json()["info"]["title"] == "Phuket API"
    docs = await web.get("/docs")
    assert docs.status_code == 200
    assert "swagger" in docs.text.lower()


async def test_wrong_method_on_api_path_is_still_405(web: httpx.AsyncClient) -> None:
    response = await web.get("/v1/auth/login")
    assert_error(response, 405, "METHOD_NOT_ALLOWED")


async def test_non_get_on_a_page_path_is_404_in_api_shape(web: httpx.AsyncClient) -> None:
    response = await web.post("/tours", json={})
    assert_error(response, 404, "NOT_FOUND")


async def test_web_client_is_not_in_the_api_document(web: httpx.AsyncClient) -> None:
    spec = (await web.get("/openapi.json")).json()
    assert all(is_reserved(path) for path in spec["paths"]), list(spec["paths"])


async def test_unbuilt_client_answers_a_page_saying_how_to_build_it(web_unbuilt: httpx.AsyncClient) -> None:
    for path in ("/", "/tours/x"):
        response = await web_unbuilt.get(path)
        assert response.status_code == 200
        assert "make web" in response.text
        assert response.headers["cache-control"] == "no-cache"
    assert (await web_unbuilt.get("/health/live")).status_code == 200
