"""Domain errors and the one mapping from any exception to the contract's error response.

Every router raises these; nothing else decides what an error looks like on the wire.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response

from phuket.core.i18n import translate
from phuket.core.schemas import ApiModel, Meta

log = logging.getLogger("phuket.errors")


class ErrorDetail(ApiModel):
    field: str
    message: str


class ErrorBody(ApiModel):
    code: str
    message: str
    details: list[ErrorDetail] = []


class ErrorResponse(ApiModel):
    error: ErrorBody
    meta: Meta


class AppError(Exception):
    """An error the client can act on. `code` is stable; the message is translated at render time."""

    status_code = 400
    code = "VALIDATION_ERROR"

    def __init__(
        self,
        code: str | None = None,
        *,
        message: str | None = None,
        details: Iterable[tuple[str, str]] = (),
        headers: Mapping[str, str] | None = None,
        commit: bool = False,
    ) -> None:
        if code is not None:
            self.code = code
        self.message = message
        self.details = list(details)
        self.headers = dict(headers or {})
        # When true, the request's transaction is committed although the request fails:
        # e.g. revoking a refresh-token family must stick even though the caller gets 401.
        self.commit = commit
        super().__init__(self.code)


class ValidationFailed(AppError):
    status_code = 400
    code = "VALIDATION_ERROR"


class Unauthorized(AppError):
    status_code = 401
    code = "UNAUTHORIZED"

    def __init__(self, code: str | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("headers", {"WWW-Authenticate": "Bearer"})
        super().__init__(code, **kwargs)


class Forbidden(AppError):
    status_code = 403
    code = "FORBIDDEN"


class NotFound(AppError):
    status_code = 404
    code = "NOT_FOUND"


class Conflict(AppError):
    status_code = 409
    code = "CONFLICT"


class PayloadTooLarge(AppError):
    status_code = 413
    code = "PAYLOAD_TOO_LARGE"


class UnsupportedMediaType(AppError):
    status_code = 415
    code = "UNSUPPORTED_MEDIA_TYPE"


class BusinessRuleError(AppError):
    """422: the request is well formed but breaks a rule of the business (dates, seats, state)."""

    status_code = 422
    code = "INVALID_STATE"


class RateLimited(AppError):
    status_code = 429
    code = "RATE_LIMITED"


class ServiceUnavailable(AppError):
    status_code = 503
    code = "SERVICE_UNAVAILABLE"


def error_response(
    request: Request | None,
    status_code: int,
    code: str,
    message: str | None = None,
    details: Iterable[tuple[str, str]] = (),
    headers: Mapping[str, str] | None = None,
) -> Response:
    from phuket.core.http import json_response, meta_for

    body = {
        "error": {
            "code": code,
            "message": message or translate(code),
            "details": [{"field": f, "message": m} for f, m in details],
        },
        "meta": meta_for(request),
    }
    return json_response(body, status_code=status_code, headers=headers)


_PYDANTIC_KEYS = {
    "missing": "field.required",
    "json_invalid": "field.json",
    "extra_forbidden": "field.extra",
    "string_too_short": "field.too_short",
    "string_too_long": "field.too_long",
    "too_short": "field.too_short",
    "too_long": "field.too_long",
    "greater_than": "field.too_small",
    "greater_than_equal": "field.too_small",
    "less_than": "field.too_big",
    "less_than_equal": "field.too_big",
    "literal_error": "field.choice",
    "enum": "field.choice",
    "date_from_datetime_parsing": "field.date",
    "date_parsing": "field.date",
    "date_type": "field.date",
    "float_parsing": "field.number",
    "float_type": "field.number",
    "decimal_parsing": "field.number",
    "decimal_type": "field.number",
    "int_parsing": "field.integer",
    "int_type": "field.integer",
    "int_from_float": "field.integer",
    "bool_parsing": "field.boolean",
    "bool_type": "field.boolean",
    "string_type": "field.type",
    "model_type": "field.type",
    "list_type": "field.type",
    "dict_type": "field.type",
    "model_attributes_type": "field.type",
    "value_error": "field.invalid",
}


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header", "cookie")]
    return ".".join(parts) or "body"


def validation_details(errors: Iterable[Mapping[str, Any]]) -> list[tuple[str, str]]:
    rows: list[tuple[str, str]] = []
    seen: set[str] = set()
    for err in errors:
        kind = str(err.get("type", ""))
        field = "body" if kind == "json_invalid" else _field_name(tuple(err.get("loc", ())))
        if field in seen:
            continue
        seen.add(field)
        ctx = err.get("ctx") or {}
        custom = ctx.get("error") if isinstance(ctx, Mapping) else None
        if isinstance(custom, AppErrorKey):
            message = translate(str(custom))
        elif kind == "value_error" and "email" in str(err.get("msg", "")).lower():
            message = translate("field.email")
        else:
            message = translate(_PYDANTIC_KEYS.get(kind, "field.invalid"))
        rows.append((field, message))
    return rows


class AppErrorKey(ValueError):
    """Raise inside a pydantic validator with an i18n key: the key's text becomes the field's message."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else "field.invalid"


async def _app_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, AppError)
    return error_response(request, exc.status_code, exc.code, exc.message, exc.details, exc.headers)


async def _validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return error_response(request, 400, "VALIDATION_ERROR", details=validation_details(exc.errors()))


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if isinstance(exc.__cause__, AppError):  # e.g. the body limit tripped while FastAPI read the body
        return await _app_error(request, exc.__cause__)
    mapping = {
        400: "VALIDATION_ERROR",
        401: "UNAUTHORIZED",
        403: "FORBIDDEN",
        404: "NOT_FOUND",
        405: "METHOD_NOT_ALLOWED",
        409: "CONFLICT",
        413: "PAYLOAD_TOO_LARGE",
        415: "UNSUPPORTED_MEDIA_TYPE",
        429: "RATE_LIMITED",
        503: "SERVICE_UNAVAILABLE",
    }
    status = exc.status_code if exc.status_code in mapping else 400
    headers = dict(exc.headers or {})
    return error_response(request, status, mapping.get(status, "VALIDATION_ERROR"), headers=headers)


def is_unavailable(exc: BaseException) -> bool:
    """A dependency we cannot reach right now (database down, pool exhausted, SQLite busy): 503 with
    Retry-After, so clients back off and retry, rather than a 500 that says we are broken."""
    from sqlalchemy import exc as sa_exc

    if isinstance(exc, sa_exc.TimeoutError | ConnectionError | TimeoutError):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        if exc.connection_invalidated or isinstance(exc, sa_exc.InterfaceError):
            return True
        if isinstance(exc, sa_exc.OperationalError):
            return True
        orig = exc.orig
        return isinstance(orig, ConnectionError | OSError) or type(orig).__name__ in {
            "ConnectionDoesNotExistError",
            "CannotConnectNowError",
            "ConnectionFailureError",
            "AdminShutdownError",
            "InterfaceError",
        }
    cause = exc.__cause__ or exc.__context__
    return isinstance(exc, OSError) or (cause is not None and cause is not exc and is_unavailable(cause))


def install_exception_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    # Anything else is answered 500 by RequestContextMiddleware (so it still carries our headers).


_DESCRIPTIONS = {
    400: "Validation error (`VALIDATION_ERROR`)",
    401: "Missing, invalid, expired or revoked token",
    403: "Forbidden (`FORBIDDEN`)",
    404: "Not found (`NOT_FOUND`)",
    409: "Conflict (`EMAIL_TAKEN`, `CONFLICT`)",
    413: "Body too large (`PAYLOAD_TOO_LARGE`)",
    415: "Unsupported media type (`UNSUPPORTED_MEDIA_TYPE`)",
    422: "Business rule broken",
    429: "Rate limited (`RATE_LIMITED`), see `Retry-After`",
    503: "Service unavailable (`SERVICE_UNAVAILABLE`)",
}


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` for a route: every listed status documented with the error schema."""
    result: dict[int | str, dict[str, Any]] = {}
    for status in (400, 429, *statuses):
        result[status] = {"model": ErrorResponse, "description": _DESCRIPTIONS.get(status, "Error")}
    return result
