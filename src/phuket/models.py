"""Imports every feature's models so that `Base.metadata` is complete (Alembic, tests)."""

from phuket.auth import models as auth_models
from phuket.bookings import models as bookings_models
from phuket.catalog import models as catalog_models
from phuket.core import outbox
from phuket.core.db import Base
from phuket.currency import models as currency_models
from phuket.notifications import models as notifications_models
from phuket.payments import models as payments_models
from phuket.users import models as users_models
from phuket.weather import models as weather_models

__all__ = [
    "Base",
    "auth_models",
    "bookings_models",
    "catalog_models",
    "currency_models",
    "notifications_models",
    "outbox",
    "payments_models",
    "users_models",
    "weather_models",
]
