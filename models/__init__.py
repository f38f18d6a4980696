"""The domain model. Importing this package registers every table with the metadata."""
from .audit import AuditRecord
from .base import db, utcnow
from .importing import ImportBatch
from .instrument import Category, Closure, Instrument, OpeningHours
from .notification import Notification
from .ops import Heartbeat
from .organization import District, Organization
from .user import ApiToken, User

__all__ = ["db", "utcnow", "AuditRecord", "Category", "Closure", "Heartbeat", "ImportBatch", "Instrument",
           "Notification", "OpeningHours", "District", "Organization", "ApiToken",
           "User"]
