"""The JSON API (/api/v1). One module per resource; all of them call the features' services."""
from . import auth, bookings, calendar, catalog, orders, qualifications, reference, series, stats, waitlist
from .base import bp

__all__ = ["bp", "auth", "bookings", "calendar", "catalog", "orders", "qualifications", "reference", "series", "stats",
           "waitlist"]
