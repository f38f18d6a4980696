"""Instruments (仪器设备) with their NRII record, categories, weekly opening hours and closures."""
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.orm.attributes import flag_modified

from . import rarely_changed
from .base import TimestampMixin, UTCDateTime, db
from .organization import District, Organization

STATUSES = ("active", "maintenance", "retired")
TRACEABILITY = ("verification", "calibration", "self_calibration")  # 检定 / 校准 / 自校
BOOKING_MODES = ("self_operated", "assisted")  # 占用共享 / 技术共享
ORDER_MODES = ("test_by_proxy", "outsourced_testing")  # 委托共享
SERVICE_MODES = BOOKING_MODES + ORDER_MODES
CLOSURE_KINDS = ("maintenance", "calibration", "internal_use", "other")
# The national record's own enumerations and the national platform's words for them (the spreadsheets and
# app/exchange/nrii.py write these words; app/labels.py NRII_CHOICES shows them in the reader's language).
NRII_WORDS = {
    "ownership_type": {"single": "单台套", "center": "仪器中心（平台）", "facility": "重大科研基础设施"},
    "acquisition": {"purchased": "购置", "self_developed": "自研", "donated": "捐赠", "other": "其他"},
    "usage_type": {"general": "通用", "dedicated": "专用"},
    "funding_source": {"central": "中央", "local": "地方", "own": "自有"},
    "share_mode": {"external": "外部共享", "internal": "内部共享", "none": "不共享"},
}
EXPIRY_WARNING_DAYS = 30
CENT = Decimal("0.01")

DEFAULT_RULES = dict(slot_minutes=30, min_minutes=30, max_minutes=480, lead_minutes=120,
                     max_advance_days=60, buffer_minutes=0, requires_approval=True,
                     max_future_bookings_per_org=5, cancel_free_hours=24)
# Operator qualification (上机资格, models/qualification.py): self-operated use needs an active
# `independent` qualification; one unused this many days lapses.
DEFAULT_RULES.update(requires_qualification=True, qualification_lapse_days=180)


class Category(db.Model):
    """The national scheme's 15 top-level classes (xx0000) and their sub-classes (xxyy00)."""

    __tablename__ = "categories"

    code: Mapped[str] = mapped_column(sa.String(6), primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(50), nullable=False)
    name_en: Mapped[str] = mapped_column(sa.String(80), nullable=False, default="")
    parent_code: Mapped[str | None] = mapped_column(sa.ForeignKey("categories.code"))
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)

    def label(self, english=False):
        return self.name_en if english and self.name_en else self.name


class Instrument(TimestampMixin, db.Model):
    __tablename__ = "instruments"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int] = mapped_column(sa.ForeignKey("organizations.id"), nullable=False)
    # Identity
    name: Mapped[str] = mapped_column(sa.String(100), nullable=False)
    name_en: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    internal_code: Mapped[str | None] = mapped_column(sa.String(50))
    model: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    manufacturer: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    country_of_origin: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="")
    original_value_wan: Mapped[Decimal | None] = mapped_column(sa.Numeric(12, 2))
    commissioned_on: Mapped[date | None] = mapped_column(sa.Date)
    category_code: Mapped[str] = mapped_column(sa.ForeignKey("categories.code"), nullable=False)
    location: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    contact_name: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="")
    contact_phone: Mapped[str] = mapped_column(sa.String(30), nullable=False, default="")
    contact_email: Mapped[str] = mapped_column(sa.String(254), nullable=False, default="")
    # Texts
    specs: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    functions: Mapped[str] = mapped_column(sa.String(300), nullable=False, default="")
    service_content: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    sharing_rules: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="")
    # Metrology (计量特性)
    measurement_range: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    accuracy: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    traceability: Mapped[str | None] = mapped_column(sa.String(20))
    certificate_no: Mapped[str] = mapped_column(sa.String(50), nullable=False, default="")
    certified_on: Mapped[date | None] = mapped_column(sa.Date)
    calibration_valid_until: Mapped[date | None] = mapped_column(sa.Date)
    certifying_body: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="")
    # Services and price
    offers_self_operated: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    offers_assisted: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    offers_test_by_proxy: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    offers_outsourced_testing: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    hourly_rate: Mapped[Decimal] = mapped_column(sa.Numeric(10, 2), nullable=False, default=Decimal("0"))
    sme_discount_percent: Mapped[Decimal] = mapped_column(sa.Numeric(5, 2), nullable=False,
                                                          default=Decimal("0"))
    # Booking rules
    slot_minutes: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=30)
    min_minutes: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=30)
    max_minutes: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=480)
    lead_minutes: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=120)
    max_advance_days: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=60)
    buffer_minutes: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    requires_approval: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True)
    max_future_bookings_per_org: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=5)
    cancel_free_hours: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=24)
    open_on_holidays: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    # Operator qualification rules
    requires_qualification: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=True,
                                                         server_default=sa.true())
    qualification_lapse_days: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=180,
                                                          server_default="180")
    # National record (NRII) fields that nothing else here needs
    ownership_type: Mapped[str] = mapped_column(sa.String(12), nullable=False, default="", server_default="")
    acquisition: Mapped[str] = mapped_column(sa.String(16), nullable=False, default="", server_default="")
    customs_supervised: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False,
                                                     server_default=sa.false())
    usage_type: Mapped[str] = mapped_column(sa.String(12), nullable=False, default="", server_default="")
    subject_area: Mapped[str] = mapped_column(sa.String(100), nullable=False, default="", server_default="")
    achievements: Mapped[str] = mapped_column(sa.String(500), nullable=False, default="", server_default="")
    funding_source: Mapped[str] = mapped_column(sa.String(12), nullable=False, default="", server_default="")
    share_mode: Mapped[str] = mapped_column(sa.String(12), nullable=False, default="", server_default="")
    service_url: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="", server_default="")
    postcode: Mapped[str] = mapped_column(sa.String(6), nullable=False, default="", server_default="")
    custom_hours: Mapped[bool] = mapped_column(sa.Boolean, nullable=False, default=False)
    status: Mapped[str] = mapped_column(sa.String(12), nullable=False, default="active")
    # Lower-cased name, names, model, manufacturer, functions, specs and the names of its category, class,
    # institution and district: what search matches (kept by _keep_search_text below). Both are only ever
    # compared in SQL, so neither is loaded with an instrument unless asked for (deferred).
    search_text: Mapped[str] = mapped_column(sa.Text, nullable=False, default="", deferred=True)
    # PostgreSQL: its two-character pieces under a GIN index, for two-character terms (光谱, 盐雾), which
    # a trigram index cannot serve. Unused (NULL) on SQLite.
    search_bigrams = mapped_column(postgresql.ARRAY(sa.Text).with_variant(sa.JSON(), "sqlite"), deferred=True)

    institution = relationship(Organization, lazy="joined", innerjoin=True)
    category = relationship(Category, lazy="joined", innerjoin=True)

    __table_args__ = (
        sa.UniqueConstraint("institution_id", "internal_code", name="uq_instruments_internal_code"),
        sa.CheckConstraint("status IN ('active', 'maintenance', 'retired')", name="status"),
        sa.CheckConstraint("hourly_rate >= 0", name="hourly_rate"),
        sa.CheckConstraint("sme_discount_percent >= 0 AND sme_discount_percent <= 100", name="discount"),
        sa.Index("ix_instruments_institution_status", "institution_id", "status"),
        sa.Index("ix_instruments_category_code", "category_code"),
        sa.Index("ix_instruments_name", "name", "id"),  # a list without a search term, by name (migration 0020)
    )

    # Services --------------------------------------------------------------------------
    @property
    def service_modes(self):
        return [mode for mode in SERVICE_MODES if getattr(self, f"offers_{mode}")]

    @service_modes.setter
    def service_modes(self, modes):
        for mode in SERVICE_MODES:
            setattr(self, f"offers_{mode}", mode in (modes or ()))

    @property
    def bookable_modes(self):
        return [mode for mode in BOOKING_MODES if getattr(self, f"offers_{mode}")]

    @property
    def accepts_orders(self):
        return self.offers_test_by_proxy or self.offers_outsourced_testing

    def price_for(self, organization, minutes):
        """Hours × hourly rate × (1 − SME discount), rounded to the fen."""
        amount = Decimal(minutes) / 60 * self.hourly_rate
        if organization is not None and organization.is_sme:
            amount *= 1 - self.sme_discount_percent / 100
        return amount.quantize(CENT, rounding=ROUND_HALF_UP)

    @property
    def sme_hourly_rate(self):
        rate = self.hourly_rate * (1 - self.sme_discount_percent / 100)
        return rate.quantize(CENT, rounding=ROUND_HALF_UP)

    # Calibration -----------------------------------------------------------------------
    def calibration_state(self, today):
        """('valid'|'expiring'|'expired'|'none', days left or None)."""
        if self.calibration_valid_until is None:
            return "none", None
        days = (self.calibration_valid_until - today).days
        if days < 0:
            return "expired", days
        if days <= EXPIRY_WARNING_DAYS:
            return "expiring", days
        return "valid", days

    def is_calibrated(self, today):
        return self.calibration_valid_until is not None and self.calibration_valid_until >= today

    def bookable(self, today):
        return self.status == "active" and self.is_calibrated(today) and bool(self.bookable_modes)

    def compute_search_text(self, places=()):
        """What search matches: the record's texts and `places` (its category's and class's names, its
        institution's and district's names), lower-cased."""
        parts = (self.name, self.name_en, self.model, self.manufacturer, self.functions, self.specs, *places)
        return " ".join(p for p in parts if p).lower()

    def __repr__(self):
        return f"<Instrument {self.id} {self.name}>"


def bigrams(text):
    """The distinct two-character pieces of `text` that hold no whitespace."""
    return sorted({text[i:i + 2] for i in range(len(text) - 1) if not any(c.isspace() for c in text[i:i + 2])})


# The same pieces computed by PostgreSQL, for rows written in bulk (migration backfill, bench data).
PG_FILL_BIGRAMS = ("UPDATE instruments SET search_bigrams = ARRAY(SELECT DISTINCT substr(search_text, i, 2) "
                   "FROM generate_series(1, length(search_text) - 1) AS i "
                   "WHERE substr(search_text, i, 2) !~ '\\s')")


PLACES = "instrument_search_places"  # connection.info: {(category, institution): names}, for one flush


def _places(connection, instrument):
    """The names search finds an instrument by beside its own texts, read in the flush's connection (once per
    category and institution in a flush: an import of thousands of rows asks a few times, not thousands)."""
    cache = connection.info.setdefault(PLACES, {})
    key = (instrument.category_code, instrument.institution_id)
    if key not in cache:
        cache[key] = _read_places(connection, instrument)
    return cache[key]


@sa.event.listens_for(sa.orm.Session, "after_flush")
def _forget_places(session, _context):
    # Only a flush that wrote an instrument read its places (session.new and dirty still hold what it wrote).
    wrote = any(isinstance(obj, Instrument) for obj in (*session.new, *session.dirty))
    if wrote and session.in_transaction():
        session.connection().info.pop(PLACES, None)


@sa.event.listens_for(sa.engine.Engine, "commit")
@sa.event.listens_for(sa.engine.Engine, "rollback")
def _forget_places_of(connection):
    """A flush that failed never reached after_flush: a pooled connection must not keep its names."""
    connection.info.pop(PLACES, None)


def _read_places(connection, instrument):
    parent = sa.orm.aliased(Category)
    category = connection.execute(sa.select(Category.name, parent.name)
                                  .outerjoin(parent, parent.code == Category.parent_code)
                                  .where(Category.code == instrument.category_code)).first() or ()
    institution = connection.execute(sa.select(Organization.name, District.name)
                                     .outerjoin(District, District.code == Organization.district_code)
                                     .where(Organization.id == instrument.institution_id)).first() or ()
    return [*category, *institution]


@sa.event.listens_for(Instrument, "before_insert")
@sa.event.listens_for(Instrument, "before_update")
def _keep_search_text(_mapper, connection, instrument):
    instrument.search_text = instrument.compute_search_text(_places(connection, instrument))
    if connection.dialect.name == "postgresql":
        instrument.search_bigrams = bigrams(instrument.search_text)


@sa.event.listens_for(sa.orm.Session, "before_flush")
def _renamed_institutions(session, _context, _instances):
    """An institution renamed or moved to another district: its instruments' search text follows (organizations
    are written before instruments in the same flush, so _places reads the new names)."""
    moved = [org.id for org in session.dirty if isinstance(org, Organization) and org.kind == "institution"
             and any(sa.inspect(org).attrs[name].history.has_changes() for name in ("name", "district_code"))]
    if not moved:
        return
    with session.no_autoflush:
        for instrument in session.scalars(sa.select(Instrument).where(Instrument.institution_id.in_(moved))
                                          .options(sa.orm.undefer(Instrument.search_text))):
            flag_modified(instrument, "search_text")


class OpeningHours(db.Model):
    """One open interval on an ISO weekday (1 = Monday), in minutes from local midnight.

    Rows belong either to an institution (its default week) or to an instrument whose hours
    differ (Instrument.custom_hours).
    """

    __tablename__ = "opening_hours"

    id: Mapped[int] = mapped_column(primary_key=True)
    institution_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organizations.id"), index=True)
    instrument_id: Mapped[int | None] = mapped_column(sa.ForeignKey("instruments.id"), index=True)
    weekday: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    start_minute: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    end_minute: Mapped[int] = mapped_column(sa.Integer, nullable=False)

    __table_args__ = (
        sa.CheckConstraint("weekday BETWEEN 1 AND 7", name="weekday"),
        sa.CheckConstraint("start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute",
                           name="span"),
        sa.CheckConstraint("(institution_id IS NULL) <> (instrument_id IS NULL)", name="owner"),
    )

    @staticmethod
    def hhmm(minute):
        return f"{minute // 60:02d}:{minute % 60:02d}"

    def as_dict(self):
        return {"weekday": self.weekday, "start": self.hhmm(self.start_minute), "end": self.hhmm(self.end_minute)}


DEFAULT_WEEK = [(day, 9 * 60, 17 * 60) for day in range(1, 6)]  # Mon–Fri 09:00–17:00


def weekly_hours_of(instruments):
    """{instrument id: its week} for many instruments, in one query (lists, not N queries)."""
    institution_ids = {i.institution_id for i in instruments if not i.custom_hours}
    custom_ids = {i.id for i in instruments if i.custom_hours}
    rows = db.session.execute(
        sa.select(OpeningHours.institution_id, OpeningHours.instrument_id, OpeningHours.weekday,
                  OpeningHours.start_minute, OpeningHours.end_minute)
        .where(sa.or_(OpeningHours.institution_id.in_(institution_ids), OpeningHours.instrument_id.in_(custom_ids)))
        .order_by(OpeningHours.weekday, OpeningHours.start_minute)).all()
    weeks = {}
    for institution_id, instrument_id, *span in rows:
        weeks.setdefault(("instrument", instrument_id) if instrument_id else ("institution", institution_id),
                         []).append(tuple(span))
    return {i.id: weeks.get(("instrument", i.id), []) if i.custom_hours
            else weeks.get(("institution", i.institution_id), list(DEFAULT_WEEK)) for i in instruments}


def weekly_hours(instrument):
    """The instrument's week as [(weekday, start_minute, end_minute)], sorted; from this process's copy
    (models/rarely_changed.py keeps it current), read from the database the first time it is asked for."""
    key = ("instrument", instrument.id) if instrument.custom_hours else ("institution", instrument.institution_id)
    weeks = rarely_changed.current().weeks
    if key not in weeks:
        weeks[key] = _read_week(instrument)
    return list(weeks[key])


def _read_week(instrument):
    owner = (OpeningHours.instrument_id == instrument.id if instrument.custom_hours
             else OpeningHours.institution_id == instrument.institution_id)
    rows = db.session.execute(
        sa.select(OpeningHours.weekday, OpeningHours.start_minute, OpeningHours.end_minute)
        .where(owner).order_by(OpeningHours.weekday, OpeningHours.start_minute)
    ).all()
    if not rows and not instrument.custom_hours:
        return tuple(DEFAULT_WEEK)
    return tuple(tuple(row) for row in rows)


class Closure(db.Model):
    """停机: time an instrument is not available to the public."""

    __tablename__ = "closures"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("instruments.id"), nullable=False)
    start_at = mapped_column(UTCDateTime, nullable=False)
    end_at = mapped_column(UTCDateTime, nullable=False)
    kind: Mapped[str] = mapped_column(sa.String(16), nullable=False)
    reason: Mapped[str] = mapped_column(sa.String(200), nullable=False, default="")
    source: Mapped[str] = mapped_column(sa.String(8), nullable=False, default="manual")
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at = mapped_column(UTCDateTime, nullable=False)

    instrument = relationship(Instrument)

    __table_args__ = (
        sa.CheckConstraint("start_at < end_at", name="span"),
        sa.CheckConstraint("kind IN ('maintenance', 'calibration', 'internal_use', 'other')", name="kind"),
        sa.Index("ix_closures_instrument_time", "instrument_id", "start_at", "end_at"),
    )

    @property
    def hours(self):
        return (self.end_at - self.start_at) / timedelta(hours=1)


MAX_PHOTOS = 5


class InstrumentPhoto(db.Model):
    """A photo of an instrument (at most MAX_PHOTOS): a large JPEG and a card-sized one, under random names."""

    __tablename__ = "instrument_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(sa.ForeignKey("instruments.id"), nullable=False, index=True)
    position: Mapped[int] = mapped_column(sa.Integer, nullable=False, default=0)
    file: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    thumbnail: Mapped[str] = mapped_column(sa.String(80), nullable=False)
    width: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    height: Mapped[int] = mapped_column(sa.Integer, nullable=False)
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))
    created_at = mapped_column(UTCDateTime, nullable=False)

    instrument = relationship(Instrument)
