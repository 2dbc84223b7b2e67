"""`phuket seed [--if-empty]`: the bundled bilingual Phuket catalog, with placeholder pictures."""

from __future__ import annotations

import argparse
import sys

from phuket.cli import command, run_async
from phuket.core.config import get_settings


def _seed_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--if-empty", action="store_true", help="do nothing when the catalog has any item")


@command("seed", "load the bundled catalog of vehicles, properties and tours (idempotent)", _seed_args)
def seed(args: argparse.Namespace) -> int:
    from phuket.catalog.cache import bump_version
    from phuket.catalog.seeding import catalog_is_empty, seed_catalog
    from phuket.catalog.storage import make_storage
    from phuket.core.cache import RedisCache, make_redis
    from phuket.core.db import Database
    from phuket.core.errors import ValidationFailed

    async def run() -> int:
        settings = get_settings()
        database = Database(settings)
        try:
            async with database.sessionmaker() as session, session.begin():
                if args.if_empty and not await catalog_is_empty(session):
                    print("catalog already has items; nothing seeded")
                    return 0
                try:
                    counts = await seed_catalog(session, make_storage(settings))
                except ValidationFailed as exc:
                    print(f"seed data is invalid: {exc.details}", file=sys.stderr)
                    return 2
            for item_type, (created, updated) in counts.items():
                print(f"{item_type}: {created} created, {updated} updated")
            # Pages cached in Redis by a running server must not outlive the new data.
            if settings.redis_url:
                redis = make_redis(settings.redis_url)
                try:
                    await bump_version(RedisCache(redis, settings.redis_prefix))
                finally:
                    await redis.aclose()
        finally:
            await database.dispose()
        return 0

    return run_async(run())
