"""The JSON API (/api/v1). One module per resource; all of them call the features' services."""
from . import accounts, auth, bookings, calendar, catalog, messages, orders, qualifications, reference, stats
from .base import bp

__all__ = ["bp", "accounts", "auth", "bookings", "calendar", "catalog", "messages", "orders", "qualifications",
           "reference", "stats"]
