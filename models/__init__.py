"""The domain model. Importing this package registers every table with the metadata."""
from .audit import AuditRecord
from .base import db, utcnow
from .notification import Notification
from .ops import Heartbeat
from .organization import District, Organization
from .user import ApiToken, User

__all__ = ["db", "utcnow", "AuditRecord", "Heartbeat", "Notification", "District", "Organization", "ApiToken",
           "User"]
