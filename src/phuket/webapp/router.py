"""Serve the built web client (web/dist) at `/`, behind every API route.

`SpaRoute` is a Starlette route that matches only GET/HEAD requests whose path lies outside the API's
prefixes, so it can never shadow `/v1`, `/health`, `/metrics`, `/docs`, `/openapi.json` or `/media`:
an unknown API path still gets the API's own 404/405 in the contract's shape. A path that names a file
in the build is that file; any other path is `index.html` (the app routes on the client), except under
`/assets/`, where a missing file is a 404 (a stale chunk must fail loudly, not load HTML as JavaScript).
"""

from __future__ import annotations

import mimetypes
import re
from pathlib import Path
from typing import Any

from fastapi import FastAPI
from starlette.datastructures import URLPath
from starlette.responses import FileResponse, HTMLResponse, Response
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send

RESERVED_PREFIXES = ("/v1", "/health", "/metrics", "/docs", "/redoc", "/openapi.json", "/media")
IMMUTABLE = "public, max-age=31536000, immutable"
NO_CACHE = "no-cache"
# Vite names built chunks `<name>-<hash>.<ext>` with an 8+ character base64url hash.
_HASHED = re.compile(r"^assets/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$")
_NOT_BUILT = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Phuket</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>Phuket</h1>
<p>The API is running, but the web client has not been built yet. Run <code>make web</code>
(or <code>make run</code>, which builds it) and reload this page.</p>
<p>The API is at <a href="/v1">/v1</a>; its documentation at <a href="/docs">/docs</a>.</p>
</body></html>
"""

mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")
mimetypes.add_type("text/javascript", ".mjs")


def default_dist_dir() -> Path:
    """web/dist of the source checkout this package runs from."""
    return Path(__file__).resolve().parents[3] / "web" / "dist"


def is_reserved(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in RESERVED_PREFIXES)


class SpaRoute(BaseRoute):
    def __init__(self, dist_dir: Path) -> None:
        self.dist_dir = dist_dir

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return Match.NONE, {}
        if is_reserved(scope["path"]):
            return Match.NONE, {}
        return Match.FULL, {}

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = self.response_for(scope["path"])
        await response(scope, receive, send)

    def response_for(self, path: str) -> Response:
        index = self.dist_dir / "index.html"
        if not index.is_file():
            return HTMLResponse(_NOT_BUILT, headers={"Cache-Control": NO_CACHE})
        relative = path.lstrip("/")
        target = self._file(relative)
        if target is not None:
            cache = IMMUTABLE if _HASHED.match(relative) else NO_CACHE
            return FileResponse(target, headers={"Cache-Control": cache})
        if relative.startswith("assets/"):
            return Response("Not Found", status_code=404, media_type="text/plain")
        return FileResponse(index, media_type="text/html", headers={"Cache-Control": NO_CACHE})

    def _file(self, relative: str) -> Path | None:
        """The build file that `relative` names, or None; never a path outside the build."""
        if not relative or "\x00" in relative:
            return None
        root = self.dist_dir.resolve()
        candidate = (root / relative).resolve()
        if not candidate.is_relative_to(root) or not candidate.is_file():
            return None
        return candidate


def install_webapp(app: FastAPI, dist_dir: Path | None = None) -> None:
    """Add the web client as the app's last route, so every API route is matched first."""
    app.router.routes.append(SpaRoute(dist_dir or default_dist_dir()))
