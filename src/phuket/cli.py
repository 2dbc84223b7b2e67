"""The `phuket` command (API.md, "Command line")."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import sys
from collections.abc import Callable, Coroutine
from typing import Any

from phuket.core.config import get_settings

Handler = Callable[[argparse.Namespace], int]
COMMANDS: dict[str, tuple[Callable[[argparse.ArgumentParser], None], Handler, str]] = {}


def command(
    name: str, help_text: str, configure: Callable[[argparse.ArgumentParser], None] | None = None
) -> Callable[[Handler], Handler]:
    def decorator(handler: Handler) -> Handler:
        COMMANDS[name] = (configure or (lambda _p: None), handler, help_text)
        return handler

    return decorator


def run_async(coro: Coroutine[Any, Any, int]) -> int:
    return asyncio.run(coro)


def _serve_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--reload", action="store_true", help="development only")


MAX_OPEN_FILES = 1_048_576


def raise_open_files_limit() -> None:
    """Each connection is a file descriptor. Many hosts give a process a soft limit of 1,024 (and a hard
    one far above): past it, accept() fails and clients see refused connections. Like nginx's
    `worker_rlimit_nofile`, the server raises its soft limit to the hard one; the workers inherit it
    (so does `make bench`, whose wrk opens a thousand connections)."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = MAX_OPEN_FILES if hard == resource.RLIM_INFINITY else min(hard, MAX_OPEN_FILES)
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


@command("serve", "serve the API and the web client", _serve_args)
def serve(args: argparse.Namespace) -> int:
    import uvicorn

    from phuket.ops.multiproc import prepare_metrics_dir
    from phuket.ops.protocol import LimitedHttpToolsProtocol

    settings = get_settings()
    prepare_metrics_dir(args.workers)
    raise_open_files_limit()
    uvicorn.run(
        "phuket.main:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        reload=args.reload,
        http=LimitedHttpToolsProtocol,
        server_header=False,
        date_header=True,
        proxy_headers=bool(settings.trusted_proxies),
        forwarded_allow_ips=",".join(settings.trusted_proxies) or None,
        timeout_graceful_shutdown=30,
        log_config=None,
        access_log=False,
    )
    return 0


def _db_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=["upgrade", "downgrade", "current"])
    p.add_argument("revision", nargs="?", default=None, help="target revision (upgrade: head, downgrade: -1)")


@command("db", "database migrations (Alembic)", _db_args)
def db(args: argparse.Namespace) -> int:
    from phuket.core import migrate

    if args.action == "upgrade":
        migrate.upgrade(revision=args.revision or "head")
    elif args.action == "downgrade":
        migrate.downgrade(revision=args.revision or "-1")
    else:
        migrate.current()
    return 0


def _admin_args(p: argparse.ArgumentParser) -> None:
    p.add_argument("--email", required=True)
    p.add_argument("--password", required=True)


@command("create-admin", "create an admin account, or promote an existing one", _admin_args)
def create_admin(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from phuket.auth.schemas import RegisterRequest
    from phuket.core.db import Database
    from phuket.core.errors import AppErrorKey
    from phuket.users import service as users

    try:
        body = RegisterRequest(email=args.email, password=args.password, full_name="Administrator")
    except (ValidationError, AppErrorKey) as exc:
        print(f"invalid email or password: {exc}", file=sys.stderr)
        return 2

    async def run() -> int:
        settings = get_settings()
        database = Database(settings)
        try:
            async with database.sessionmaker() as session, session.begin():
                user = await users.promote_to_admin(
                    session, settings, email=body.email, password=body.password
                )
                print(f"admin ready: {user.email}")
        finally:
            await database.dispose()
        return 0

    return run_async(run())


@command("openapi", "print the OpenAPI document")
def openapi(_args: argparse.Namespace) -> int:
    from phuket.main import create_app

    document = create_app(configure_logs=False).openapi()
    sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n")
    return 0


# Features add their own commands (seed, worker, backup...) with `@command` in a `cli.py` of their own.
FEATURE_COMMANDS: list[str] = ["phuket.catalog.cli", "phuket.ops.cli", "phuket.notifications.cli"]


def _load_feature_commands() -> None:
    import importlib

    for module in FEATURE_COMMANDS:
        importlib.import_module(module)


def main(argv: list[str] | None = None) -> int:
    _load_feature_commands()
    parser = argparse.ArgumentParser(prog="phuket", description="Phuket travel app")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, (configure, _handler, help_text) in COMMANDS.items():
        configure(sub.add_parser(name, help=help_text))
    args = parser.parse_args(argv)
    return COMMANDS[args.command][1](args)


if __name__ == "__main__":
    # Run as `python -m phuket.cli`, this file is `__main__`, while features register their commands on
    # the imported `phuket.cli`: use that one's registry.
    from phuket.cli import main as package_main

    raise SystemExit(package_main())
