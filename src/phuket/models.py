"""Imports every feature's models so that `Base.metadata` is complete (Alembic, tests)."""

from phuket.auth import models as auth_models
from phuket.core import outbox
from phuket.core.db import Base
from phuket.users import models as users_models

__all__ = ["Base", "auth_models", "outbox", "users_models"]
