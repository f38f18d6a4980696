"""The JSON API (/api/v1). One module per resource; all of them call the features' services."""
from . import (
               accounts,
               auth,
               bookings,
               calendar,
               catalog,
               charges,
               exchange,
               messages,
               openapi,
               orders,
               photos,
               qualifications,
               reference,
               series,
               statements,
               stats,
               synonyms,
               vouchers,
               waitlist,
)
from .base import bp

__all__ = ["bp", "accounts", "auth", "bookings", "calendar", "catalog", "charges", "exchange", "messages", "openapi",
           "orders", "photos", "qualifications", "reference", "series", "statements", "stats", "synonyms", "vouchers",
           "waitlist"]
