"""The envelope, pagination and the request-scoped context (request id, language)."""

from __future__ import annotations

import math
import re
import uuid
from collections.abc import Mapping
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Annotated, Any
from urllib.parse import urlencode

import orjson
from fastapi import Depends, Query, Request, Response
from starlette.responses import JSONResponse

request_id_var: ContextVar[str] = ContextVar("request_id", default="-")
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,128}$")


def new_request_id(client_value: str | None) -> str:
    if client_value and _SANE_REQUEST_ID.match(client_value):
        return client_value
    return str(uuid.uuid4())


def now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def meta_for(request: Request | None = None) -> dict[str, str]:
    return {"requestId": request_id_var.get(), "timestamp": now_iso()}


def envelope(data: Any) -> dict[str, Any]:
    """What a route returns: FastAPI validates it against `Envelope[X]` and serialises camelCase."""
    return {"data": data, "meta": meta_for()}


class ORJSONResponse(JSONResponse):
    def render(self, content: Any) -> bytes:
        return orjson.dumps(content, option=orjson.OPT_NON_STR_KEYS)


def json_response(
    body: Any, status_code: int = 200, headers: Mapping[str, str] | None = None
) -> ORJSONResponse:
    return ORJSONResponse(body, status_code=status_code, headers=dict(headers or {}))


class PageParams:
    """`page` (≥1) and `per_page` (1..100) as seed §4.4; bad values are 400 VALIDATION_ERROR."""

    def __init__(self, page: int = 1, per_page: int = 20) -> None:
        self.page = page
        self.per_page = per_page

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    @property
    def limit(self) -> int:
        return self.per_page


async def page_params(
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=100)] = 20,
) -> PageParams:
    # async: a class or plain `def` dependency would be run in the thread pool on every request.
    return PageParams(page, per_page)


Pagination = Annotated[PageParams, Depends(page_params)]


def set_pagination_headers(request: Request, response: Response, params: PageParams, total: int) -> None:
    pages = max(1, math.ceil(total / params.per_page)) if total else 1
    response.headers["X-Total-Count"] = str(total)
    response.headers["X-Page"] = str(params.page)
    response.headers["X-Per-Page"] = str(params.per_page)
    response.headers["X-Total-Pages"] = str(pages)

    query = [(k, v) for k, v in request.query_params.multi_items() if k not in ("page", "per_page")]
    base = str(request.url.replace(query=""))

    def link(page: int, rel: str) -> str:
        qs = urlencode([*query, ("page", str(page)), ("per_page", str(params.per_page))])
        return f'<{base}?{qs}>; rel="{rel}"'

    links = [link(1, "first")]
    if params.page > 1:
        links.append(link(min(params.page - 1, pages), "prev"))
    if params.page < pages:
        links.append(link(params.page + 1, "next"))
    links.append(link(pages, "last"))
    response.headers["Link"] = ", ".join(links)
