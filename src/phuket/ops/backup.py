"""`phuket backup` / `phuket restore`: where backups go, what they are called, how long they are kept.

A backup is two files side by side: `phuket-<kind>-<UTC timestamp>.<dump|sqlite3>` and its `.sha256`
(the `sha256sum` format, so `sha256sum -c` checks it by hand too). Retention as seed §8.1: `daily`
backups are kept 30 days, `hourly` ones 7 days. A run chooses its kind itself unless told: the first
backup of a UTC day is the daily one, later ones are hourly; so one hourly cron job gives both.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from phuket.ops import snapshot

RETENTION: dict[str, timedelta] = {"daily": timedelta(days=30), "hourly": timedelta(days=7)}
_NAME = re.compile(r"^phuket-(?P<kind>daily|hourly)-(?P<ts>\d{8}T\d{6}Z)\.(?P<ext>dump|sqlite3)$")
_TS = "%Y%m%dT%H%M%SZ"


@dataclass(frozen=True)
class BackupName:
    kind: str
    taken_at: datetime
    ext: str

    @property
    def filename(self) -> str:
        return f"phuket-{self.kind}-{self.taken_at.strftime(_TS)}.{self.ext}"

    @classmethod
    def parse(cls, filename: str) -> BackupName | None:
        found = _NAME.match(filename)
        if not found:
            return None
        taken = datetime.strptime(found["ts"], _TS).replace(tzinfo=UTC)
        return cls(found["kind"], taken, found["ext"])


def choose_kind(existing: Iterable[str], now: datetime) -> str:
    for name in existing:
        parsed = BackupName.parse(name)
        if parsed and parsed.kind == "daily" and parsed.taken_at.date() == now.date():
            return "hourly"
    return "daily"


def expired(existing: Iterable[str], now: datetime) -> list[str]:
    """Backups past their kind's retention (their checksum files go with them)."""
    return sorted(
        name
        for name in existing
        if (parsed := BackupName.parse(name)) is not None and now - parsed.taken_at > RETENTION[parsed.kind]
    )


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(path: Path, checksum_file: Path) -> None:
    if not checksum_file.exists():
        raise snapshot.SnapshotError(f"no checksum file {checksum_file.name} beside the backup")
    expected = checksum_file.read_text().split()[0].lower()
    if sha256_of(path) != expected:
        raise snapshot.SnapshotError(f"{path.name} does not match its checksum: damaged or incomplete")


class Store(Protocol):
    location: str

    def names(self) -> list[str]: ...
    def put(self, local: Path, name: str) -> None: ...
    def get(self, name: str, local: Path) -> None: ...
    def delete(self, name: str) -> None: ...


class DirectoryStore:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.location = str(directory)

    def names(self) -> list[str]:
        return sorted(p.name for p in self.directory.iterdir()) if self.directory.is_dir() else []

    def put(self, local: Path, name: str) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        partial = self.directory / f".{name}.partial"
        _copy(local, partial)
        os.replace(partial, self.directory / name)  # never a half-written file under a backup's name

    def get(self, name: str, local: Path) -> None:
        _copy(self.directory / name, local)

    def delete(self, name: str) -> None:
        (self.directory / name).unlink(missing_ok=True)


def _copy(source: Path, target: Path) -> None:
    with source.open("rb") as src, target.open("wb") as dst:
        for block in iter(lambda: src.read(1 << 20), b""):
            dst.write(block)


class S3Store:
    """S3 or anything speaking its API (MinIO): `s3://bucket/prefix`, endpoint from PHUKET_S3_ENDPOINT_URL,
    credentials the usual AWS way (environment, profile or the pod's IAM role)."""

    def __init__(self, bucket: str, prefix: str, endpoint_url: str | None) -> None:
        import boto3
        from botocore.config import Config

        self.bucket = bucket
        self.prefix = prefix.strip("/")
        self.location = f"s3://{bucket}/{self.prefix}" if self.prefix else f"s3://{bucket}"
        config = Config(s3={"addressing_style": "path"}) if endpoint_url else None
        self.client: Any = boto3.client("s3", endpoint_url=endpoint_url, config=config)

    def _key(self, name: str) -> str:
        return f"{self.prefix}/{name}" if self.prefix else name

    def names(self) -> list[str]:
        found: list[str] = []
        start = self._key("")
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=start):
            found += [obj["Key"][len(start) :] for obj in page.get("Contents", [])]
        return sorted(name for name in found if "/" not in name)

    def put(self, local: Path, name: str) -> None:
        self.client.upload_file(str(local), self.bucket, self._key(name))

    def get(self, name: str, local: Path) -> None:
        self.client.download_file(self.bucket, self._key(name), str(local))

    def delete(self, name: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(name))


def open_store(target: str, endpoint_url: str | None) -> Store:
    if target.startswith("s3://"):
        bucket, _, prefix = target[5:].partition("/")
        if not bucket:
            raise snapshot.SnapshotError("an S3 target is s3://bucket[/prefix]")
        return S3Store(bucket, prefix, endpoint_url)
    return DirectoryStore(Path(target))


@dataclass(frozen=True)
class BackupResult:
    location: str
    name: str
    size: int
    sha256: str
    pruned: list[str]


def backup(
    database_url: str, store: Store, *, kind: str | None = None, now: datetime | None = None
) -> BackupResult:
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    existing = store.names()
    name = BackupName(kind or choose_kind(existing, now), now, snapshot.extension_for(database_url)).filename
    with tempfile.TemporaryDirectory(prefix="phuket-backup-") as tmp:
        local = Path(tmp) / name
        snapshot.take(database_url, local)
        digest = sha256_of(local)
        checksum = Path(tmp) / f"{name}.sha256"
        checksum.write_text(f"{digest}  {name}\n")
        store.put(local, name)
        store.put(checksum, checksum.name)  # written last: a backup without one is unfinished
        size = local.stat().st_size
    pruned = []
    for old in expired(existing, now):
        store.delete(old)
        store.delete(f"{old}.sha256")
        pruned.append(old)
    return BackupResult(store.location, name, size, digest, pruned)


def restore(database_url: str, source: str, endpoint_url: str | None, *, force: bool) -> str:
    """Fetch (if remote), verify the checksum, then restore. Returns the backup's name."""
    if source.startswith("s3://"):
        parent, _, name = source.rpartition("/")
        store: Store = open_store(parent, endpoint_url)
    else:
        path = Path(source)
        if not path.is_file():
            raise snapshot.SnapshotError(f"no backup file {source}")
        name = path.name
        store = DirectoryStore(path.parent)
    with tempfile.TemporaryDirectory(prefix="phuket-restore-") as tmp:
        local, checksum = Path(tmp) / name, Path(tmp) / f"{name}.sha256"
        store.get(name, local)
        try:
            store.get(f"{name}.sha256", checksum)
        except Exception:  # missing remotely: verify() says so
            checksum.unlink(missing_ok=True)
        verify(local, checksum)
        snapshot.restore(database_url, local, force=force)
    return name
