"""Every feature's router, in the order they appear in the API document."""

from __future__ import annotations

from fastapi import APIRouter

from phuket.auth.router import router as auth_router
from phuket.health.router import router as health_router
from phuket.users.router import router as users_router

ROUTERS: list[APIRouter] = [health_router, auth_router, users_router]
