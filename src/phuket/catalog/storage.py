"""Media storage: local disk under `data_dir/media` by default, S3-compatible storage when
`PHUKET_S3_BUCKET` is set (boto3, `PHUKET_S3_ENDPOINT_URL` for MinIO & co). Either way images are
served by us under /media/{key}, so that clients never need to know where they live.

Keys are relative paths of safe segments (`catalog/vehicle/<id>/<uuid>.jpg`); anything else (`..`,
absolute paths, odd characters) is refused before it reaches the disk or the bucket."""

from __future__ import annotations

import asyncio
import hashlib
import re
import uuid
from pathlib import Path
from typing import Any, Protocol
from xml.sax.saxutils import escape

from phuket.core.config import Settings

_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
CONTENT_TYPES = {
    "jpg": "image/jpeg",
    "png": "image/png",
    "webp": "image/webp",
    "svg": "image/svg+xml",
}


def safe_key(key: str) -> str | None:
    """The key if every segment is a plain name (no `..`, no hidden files, no separators), else None."""
    parts = key.split("/")
    if not 1 <= len(parts) <= 6 or not all(_SEGMENT.match(p) and ".." not in p for p in parts):
        return None
    return key


def content_type_of(key: str) -> str:
    return CONTENT_TYPES.get(key.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def sniff_image(head: bytes) -> str | None:
    """The real type of an upload from its magic bytes: `jpg`, `png`, `webp` or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if len(head) >= 12 and head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "webp"
    return None


class MediaStorage(Protocol):
    async def put(self, key: str, data: bytes, content_type: str) -> None: ...
    async def get(self, key: str) -> bytes | None: ...
    async def exists(self, key: str) -> bool: ...


class LocalStorage:
    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        if safe_key(key) is None:
            raise ValueError("unsafe media key")
        path = (self.root / key).resolve()
        if not path.is_relative_to(self.root.resolve()):
            raise ValueError("unsafe media key")
        return path

    def path_of(self, key: str) -> Path | None:
        """The file behind a key, or None if the key is unsafe or there is no such file."""
        try:
            path = self._path(key)
        except ValueError:
            return None
        return path if path.is_file() else None

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        path = self._path(key)

        def write() -> None:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
            tmp.write_bytes(data)
            tmp.replace(path)

        await asyncio.to_thread(write)

    async def get(self, key: str) -> bytes | None:
        path = self.path_of(key)
        return None if path is None else await asyncio.to_thread(path.read_bytes)

    async def exists(self, key: str) -> bool:
        return self.path_of(key) is not None


class S3Storage:
    """boto3 is blocking: every call runs in a worker thread."""

    def __init__(self, bucket: str, endpoint_url: str | None, client: Any = None) -> None:
        import boto3

        self.bucket = bucket
        self.client = client or boto3.client("s3", endpoint_url=endpoint_url)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        if safe_key(key) is None:
            raise ValueError("unsafe media key")
        await asyncio.to_thread(
            self.client.put_object,
            Bucket=self.bucket,
            Key=key,
            Body=data,
            ContentType=content_type,
            CacheControl="public, max-age=31536000, immutable",
        )

    async def get(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError

        if safe_key(key) is None:
            return None
        try:
            response = await asyncio.to_thread(self.client.get_object, Bucket=self.bucket, Key=key)
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404", "NotFound"):
                return None
            raise
        body: bytes = await asyncio.to_thread(response["Body"].read)
        return body

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None


def make_storage(settings: Settings) -> MediaStorage:
    if settings.s3_bucket:
        return S3Storage(settings.s3_bucket, settings.s3_endpoint_url)
    return LocalStorage(settings.data_dir / "media")


def upload_key(item_type: str, item_id: str, extension: str) -> str:
    return f"catalog/{item_type}/{item_id}/{uuid.uuid4().hex}.{extension}"


# Placeholder pictures, so that the catalog shows images with no network and no photo shoot.
_PALETTES = {
    "vehicle": ("#0e7490", "#22d3ee"),
    "property": ("#9a3412", "#fb923c"),
    "tour": ("#166534", "#4ade80"),
}
_ICONS = {
    "vehicle": (
        '<circle cx="250" cy="250" r="38" fill="none" stroke="#fff" stroke-width="14"/>'
        '<circle cx="390" cy="250" r="38" fill="none" stroke="#fff" stroke-width="14"/>'
        '<path d="M250 250 L300 170 L370 170 L390 250 M300 170 L285 140 L320 140" fill="none" '
        'stroke="#fff" stroke-width="12" stroke-linecap="round" stroke-linejoin="round"/>'
    ),
    "property": (
        '<path d="M220 200 L320 120 L420 200 L420 290 L220 290 Z" fill="none" stroke="#fff" '
        'stroke-width="12" stroke-linejoin="round"/><rect x="295" y="225" width="50" height="65" fill="#fff"/>'
    ),
    "tour": (
        '<circle cx="380" cy="150" r="34" fill="#fff"/><path d="M200 270 Q250 230 300 270 T400 270 T460 270" '
        'fill="none" stroke="#fff" stroke-width="12" stroke-linecap="round"/>'
        '<path d="M230 230 L300 140 L350 230 Z" fill="#fff" opacity="0.85"/>'
    ),
}


def placeholder_svg(item_type: str, title: str, subtitle: str) -> bytes:
    dark, light = _PALETTES.get(item_type, ("#334155", "#94a3b8"))
    icon = _ICONS.get(item_type, "")
    initials = "".join(w[0] for w in title.split()[:2] if w).upper()
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" width="640" height="400" viewBox="0 0 640 400">'
        f'<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="{dark}"/>'
        f'<stop offset="1" stop-color="{light}"/></linearGradient></defs>'
        '<rect width="640" height="400" fill="url(#g)"/>'
        f"{icon}"
        f'<text x="40" y="80" font-family="sans-serif" font-size="44" font-weight="700" fill="#fff" '
        f'opacity="0.5">{escape(initials)}</text>'
        f'<text x="40" y="345" font-family="sans-serif" font-size="30" font-weight="700" fill="#fff">'
        f"{escape(title[:38])}</text>"
        f'<text x="40" y="378" font-family="sans-serif" font-size="20" fill="#fff" opacity="0.9">'
        f"{escape(subtitle[:60])}</text></svg>"
    )
    return svg.encode()


def placeholder_key(item_type: str, slug: str, svg: bytes) -> str:
    """Content-addressed, so the file can be cached forever and a changed picture gets a new URL."""
    digest = hashlib.sha256(svg).hexdigest()[:12]
    return f"catalog/{item_type}/placeholder/{slug}-{digest}.svg"
