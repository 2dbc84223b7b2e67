"""Media in S3-compatible storage (a local fake S3, moto, on 127.0.0.1) when PHUKET_S3_BUCKET is set."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from phuket.main import create_app
from tests.catalog.conftest import add_item, login_as_admin, png_bytes
from tests.conftest import _truncate, make_settings


@pytest.fixture
def fake_s3(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    from moto.server import ThreadedMotoServer

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
async def s3_client(database_url: str, fake_s3: str) -> AsyncIterator[tuple[Any, httpx.AsyncClient, Any]]:
    import boto3

    bucket = boto3.client("s3", endpoint_url=fake_s3)
    bucket.create_bucket(Bucket="phuket-media")
    settings = make_settings(database_url, s3_bucket="phuket-media", s3_endpoint_url=fake_s3)
    app = create_app(settings, configure_logs=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, client=("203.0.113.10", 50000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            try:
                yield app, client, bucket
            finally:
                await _truncate(app.state.db)


async def test_uploads_go_to_the_bucket_and_are_served_by_us(
    s3_client: tuple[Any, httpx.AsyncClient, Any],
) -> None:
    app, client, bucket = s3_client
    admin = await login_as_admin(app, client)
    item = await add_item(app, "vehicle", slug="s3-scooter")
    response = await client.post(
        f"/v1/admin/vehicles/{item.id}/images",
        files={"file": ("p.png", png_bytes(), "image/png")},
        headers=admin.headers,
    )
    assert response.status_code == 201, response.text
    url = response.json()["data"]["images"][0]
    key = url.removeprefix("/media/")
    stored = bucket.get_object(Bucket="phuket-media", Key=key)
    assert stored["Body"].read() == png_bytes() and stored["ContentType"] == "image/png"
    served = await client.get(url)
    assert served.status_code == 200 and served.content == png_bytes()
    assert "immutable" in served.headers["cache-control"]
    missing = await client.get("/media/catalog/vehicle/nothing.png")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "NOT_FOUND"
