"""The catalog's fast path: a GET whose page this process served lately is answered before FastAPI's
routing, validation and dependencies run — the same bytes and headers as the route, by the same
`render()`, at a fraction of the cost (docs/benchmarks.md, "Catalog list").

Only pages in `LocalPages` are answered here, and only the route stores pages there, after its own
validation passed and only for responses it may cache (never those that depend on bookings). So the fast
path needs no knowledge of the routes' parameters: a query that was never valid is never found. The
route's rate-limit policy still applies, and the request is labelled with the route's template in the
metrics. Anything else — a miss, another method, another path — goes on to the application.

Pure ASGI, inside the request-context middleware (request id, language, security headers, access log)
and the CORS middleware, in front of admission control: a page from memory costs no database
connection, so it does not wait its turn behind requests that need one.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from phuket.catalog.cache import catalog_cache, page_key, render
from phuket.core.errors import RateLimited, error_response
from phuket.core.ratelimit import Limiter, policy_of

PREFIXES = ("/v1/vehicles", "/v1/properties", "/v1/tours", "/v1/search")


class CatalogFastPath:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "GET" or not scope["path"].startswith(PREFIXES):
            await self.app(scope, receive, send)
            return
        application = scope.get("app")
        if application is None:
            await self.app(scope, receive, send)
            return
        state = catalog_cache(application)
        request = Request(scope, receive)
        version = await state.version()
        page = state.pages.get(page_key(version, request)) if version is not None else None
        if page is None:
            await self.app(scope, receive, send)
            return
        scope["route"] = page.route  # the metrics label: the route's template, as if it had answered
        policy = policy_of(page.route)
        if policy is not None:
            limiter: Limiter = application.state.limiter
            try:
                await limiter.check(request, policy)
            except RateLimited as exc:
                await error_response(request, exc.status_code, exc.code, headers=exc.headers)(
                    scope, receive, send
                )
                return
        await render(request, page.payload, page.params)(scope, receive, send)
