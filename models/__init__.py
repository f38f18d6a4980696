"""The domain model. Importing this package registers every table with the metadata."""
from .account import AccountToken
from .audit import AuditRecord
from .base import db, utcnow
from .booking import Booking
from .conversation import OrderAttachment, OrderMessage
from .importing import ImportBatch
from .instrument import Category, Closure, Instrument, InstrumentPhoto, OpeningHours
from .notification import Notification
from .occupancy import Occupancy
from .ops import Heartbeat, SignInAttempt
from .order import OrderItem, OrderReport, Review, ServiceOrder
from .organization import District, Organization
from .pilot import Pilot, PilotTable
from .qualification import Qualification, TrainingRequest, TrainingSession
from .rarely_changed import CacheVersion
from .series import BookingSeries
from .settlement import AdjustmentRequest, Charge, InvoiceRequest
from .stats import AheadDay, OpenHoursAhead, SnapshotDay, StaleDay, UsageSnapshot
from .synonym import SearchSynonym
from .user import ApiToken, User, UserSession
from .voucher import Voucher
from .waitlist import WaitlistEntry
from .workday import CalendarDay

__all__ = ["db", "utcnow", "AccountToken", "AuditRecord", "Booking", "BookingSeries", "CacheVersion", "CalendarDay", "Category", "Closure",
           "Heartbeat", "ImportBatch", "Instrument", "InstrumentPhoto", "Notification", "Occupancy", "OpeningHours",
           "OrderAttachment", "OrderItem", "OrderMessage", "OrderReport", "Review", "SearchSynonym", "ServiceOrder", "Pilot",
           "PilotTable", "Qualification", "TrainingRequest", "TrainingSession", "SnapshotDay", "StaleDay", "UsageSnapshot",
           "OpenHoursAhead", "AheadDay", "District", "Organization", "ApiToken",
           "SignInAttempt", "User", "UserSession", "AdjustmentRequest", "Charge", "InvoiceRequest", "Voucher",
           "WaitlistEntry"]
