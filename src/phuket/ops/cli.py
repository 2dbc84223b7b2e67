"""`phuket backup --to DIR|s3://bucket/prefix` and `phuket restore FILE [--force]` (docs/operations.md)."""

from __future__ import annotations

import argparse
import sys

from phuket.cli import command
from phuket.core.config import get_settings


def _backup_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--to", required=True, metavar="DIR|s3://bucket/prefix", help="where backups are kept")
    p.add_argument(
        "--kind",
        choices=["daily", "hourly"],
        default=None,
        help="default: daily for the first backup of the UTC day, hourly after it",
    )


@command(
    "backup", "snapshot the database to a folder or S3, with a checksum; prune old backups", _backup_args
)
def backup_command(args: argparse.Namespace) -> int:
    from phuket.ops import backup
    from phuket.ops.snapshot import SnapshotError

    settings = get_settings()
    try:
        store = backup.open_store(args.to, settings.s3_endpoint_url)
        result = backup.backup(settings.database_url, store, kind=args.kind)
    except SnapshotError as exc:
        print(f"backup failed: {exc}", file=sys.stderr)
        return 1
    print(f"backup written: {result.location}/{result.name} ({result.size} bytes, sha256 {result.sha256})")
    for name in result.pruned:
        print(f"pruned (past retention): {name}")
    return 0


def _restore_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("file", help="a backup file, local or s3://bucket/prefix/phuket-....dump")
    p.add_argument("--force", action="store_true", help="replace the contents of a non-empty database")


@command("restore", "restore a backup into the database PHUKET_DATABASE_URL names", _restore_args)
def restore_command(args: argparse.Namespace) -> int:
    from phuket.ops import backup
    from phuket.ops.snapshot import NotEmpty, SnapshotError

    settings = get_settings()
    try:
        name = backup.restore(settings.database_url, args.file, settings.s3_endpoint_url, force=args.force)
    except NotEmpty as exc:
        print(f"restore refused: {exc}", file=sys.stderr)
        return 2
    except SnapshotError as exc:
        print(f"restore failed: {exc}", file=sys.stderr)
        return 1
    print(f"restored {name}; next: `phuket db upgrade` if this release has newer migrations")
    return 0
