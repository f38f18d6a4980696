"""Who may see and do what: the one place that answers it.

`scoped(Model, actor)` returns a SELECT limited to what the actor may see; `get_in_scope`
answers 404 (NotFound) for anything outside it, so other organisations' objects are
indistinguishable from objects that do not exist. Each aggregate registers its scope rule here
with @scope_rule. Who manages an instrument (require_publisher, managed_instrument) and who
reads statistics are answered here too. What an actor may do to a visible booking or order
(403/409) is the model's guard: Booking.require() / ServiceOrder.require().
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import Organization, User, db
from models.base import KEEP_PLAN
from models.booking import Booking
from models.errors import Forbidden, NotFound
from models.instrument import Instrument
from models.order import ServiceOrder
from models.qualification import Qualification, TrainingRequest
from models.series import BookingSeries
from models.waitlist import WaitlistEntry

_RULES = {}
_KEYS = {}  # model → what of the actor its rule reads (see scope_rule)
_BY_ID = {}  # (model, scope key, options) → the rule's SELECT of one object, its id bound at execution
_MOST_KEPT = 1024  # statements kept per process (a key per institution and district at most)


def scope_rule(model, key=None):
    """Register `model`'s rule. `key(actor)`: everything of the actor the rule's SQL depends on; given, the
    statement get_in_scope() runs is built once per key and reused (the hot lookups: instruments)."""
    def register(fn):
        _RULES[model] = fn
        if key is not None:
            _KEYS[model] = key
        return fn

    return register


def scoped(model, actor, stmt=None):
    stmt = sa.select(model) if stmt is None else stmt
    rule = _RULES.get(model)
    if rule is None:
        raise LookupError(f"no scope rule for {model.__name__}")
    return rule(actor, stmt)


MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL


def parse_id(value):
    """An id from user input, or NotFound (garbage and out-of-range ids look like unknown ones; so do
    1.5 and true, which int() would quietly read as 1)."""
    if isinstance(value, bool | float):
        raise NotFound()
    try:
        object_id = int(value)
    except (TypeError, ValueError):
        raise NotFound() from None
    if not 1 <= object_id <= MAX_ID:
        raise NotFound()
    return object_id


def get_in_scope(model, object_id, actor, *, options=()):
    """The object if the actor may see it, else NotFound. `options`: loader options, a tuple built once
    (a module constant), since with a keyed rule they are part of the kept statement's key."""
    object_id = parse_id(object_id)
    obj = db.session.scalar(_by_id(model, actor, options), {"id": object_id})
    if obj is None:
        raise NotFound()
    return obj


def _by_id(model, actor, options):
    key_of = _KEYS.get(model)
    key = None if key_of is None else (model, key_of(actor), options)
    stmt = _BY_ID.get(key)
    if stmt is None:
        stmt = scoped(model, actor).where(model.id == sa.bindparam("id")).options(*options).execution_options(**KEEP_PLAN)
        if key is not None:
            if len(_BY_ID) >= _MOST_KEPT:
                _BY_ID.clear()
            _BY_ID[key] = stmt
    return stmt


def require_publisher(actor, institution_id=None):
    """Only approved institution staff publish, and only for their own institution."""
    if actor is None or not actor.is_institution_staff:
        raise Forbidden(_l("只有技术机构人员可以管理仪器。"))
    if not actor.institution_approved:
        raise Forbidden(_l("贵机构的入驻申请尚待所在区市场监管局审核，通过后即可发布仪器。"))
    if institution_id is not None and actor.organization_id != institution_id:
        raise Forbidden()


def managed_instrument(actor, instrument_id):
    """An instrument the actor's institution owns: 403 for non-publishers, 404 for anyone else's."""
    require_publisher(actor)
    instrument = db.session.scalar(sa.select(Instrument).where(
        Instrument.id == parse_id(instrument_id), Instrument.institution_id == actor.organization_id))
    if instrument is None:
        raise NotFound()
    return instrument


def require_role(actor, *roles):
    if actor is None or actor.role not in roles:
        raise Forbidden()


@scope_rule(Organization)
def _organizations(actor, stmt):
    """Institutions that are approved are public; anything else needs a reason to be seen."""
    public = sa.and_(Organization.kind == "institution", Organization.approved.is_(True))
    if actor is None:
        return stmt.where(public)
    if actor.role in ("admin", "city"):
        return stmt
    if actor.role == "district":
        return stmt.where(sa.or_(public, Organization.district_code == actor.district_code))
    return stmt.where(sa.or_(public, Organization.id == actor.organization_id))


@scope_rule(User)
def _users(actor, stmt):
    """Colleagues of one organisation see each other; the city sees the bureaus' accounts; the admin all."""
    if actor is None:
        return stmt.where(sa.false())
    if actor.role == "admin":
        return stmt
    if actor.role == "city":
        bureaus = sa.select(Organization.id).where(Organization.kind == "bureau")
        return stmt.where(User.organization_id.in_(bureaus))
    return stmt.where(User.organization_id == actor.organization_id, User.organization_id.is_not(None))


def _approved_institutions():
    return sa.select(Organization.id).where(Organization.kind == "institution",
                                            Organization.approved.is_(True))


def _instrument_scope_key(actor):
    if actor is None or actor.role in ("enterprise", "admin", "city"):
        return actor.role if actor is not None else None
    if actor.role == "district":
        return ("district", actor.district_code)
    return (actor.role, actor.organization_id)


@scope_rule(Instrument, key=_instrument_scope_key)
def _instruments(actor, stmt):
    """Public: instruments of approved institutions that are not retired."""
    public = sa.and_(Instrument.status != "retired", Instrument.institution_id.in_(_approved_institutions()))
    if actor is None or actor.role == "enterprise":
        return stmt.where(public)
    if actor.role in ("admin", "city"):
        return stmt
    if actor.role == "district":
        in_district = sa.select(Organization.id).where(Organization.district_code == actor.district_code)
        return stmt.where(sa.or_(public, Instrument.institution_id.in_(in_district)))
    return stmt.where(sa.or_(public, Instrument.institution_id == actor.organization_id))


def instruments_of(institution_filter):
    return sa.select(Instrument.id).where(Instrument.institution_id.in_(institution_filter))


@scope_rule(Booking)
def _bookings(actor, stmt):
    """Enterprises: their own organisation's; institutions: on their instruments; bureaus: their district."""
    if actor is None:
        return stmt.where(sa.false())
    if actor.role in ("admin", "city"):
        return stmt
    if actor.role == "enterprise":
        return stmt.where(Booking.organization_id == actor.organization_id)
    if actor.role == "institution":
        return stmt.where(Booking.instrument_id.in_(
            sa.select(Instrument.id).where(Instrument.institution_id == actor.organization_id)))
    in_district = sa.select(Organization.id).where(Organization.district_code == actor.district_code)
    return stmt.where(Booking.instrument_id.in_(instruments_of(in_district)))


@scope_rule(BookingSeries)
def _series(actor, stmt):
    """A series is seen by whoever sees its bookings: the enterprise, the institution, the bureaus."""
    if actor is None:
        return stmt.where(sa.false())
    if actor.role in ("admin", "city"):
        return stmt
    if actor.role == "enterprise":
        return stmt.where(BookingSeries.organization_id == actor.organization_id)
    if actor.role == "institution":
        return stmt.where(BookingSeries.instrument_id.in_(
            sa.select(Instrument.id).where(Instrument.institution_id == actor.organization_id)))
    in_district = sa.select(Organization.id).where(Organization.district_code == actor.district_code)
    return stmt.where(BookingSeries.instrument_id.in_(instruments_of(in_district)))


@scope_rule(WaitlistEntry)
def _waitlist(actor, stmt):
    """An enterprise sees its own places in line, an institution the lines for its instruments."""
    if actor is None or actor.role not in ("enterprise", "institution"):
        return stmt.where(sa.false())
    if actor.role == "enterprise":
        return stmt.where(WaitlistEntry.organization_id == actor.organization_id)
    return stmt.where(WaitlistEntry.instrument_id.in_(
        sa.select(Instrument.id).where(Instrument.institution_id == actor.organization_id)))


@scope_rule(ServiceOrder)
def _orders(actor, stmt):
    """The two parties see their orders; bureaus see their district's institutions' orders."""
    if actor is None:
        return stmt.where(sa.false())
    if actor.role in ("admin", "city"):
        return stmt
    if actor.role == "enterprise":
        return stmt.where(ServiceOrder.organization_id == actor.organization_id)
    if actor.role == "institution":
        return stmt.where(ServiceOrder.institution_id == actor.organization_id)
    in_district = sa.select(Organization.id).where(Organization.district_code == actor.district_code)
    return stmt.where(ServiceOrder.institution_id.in_(in_district))


STATISTICS_READERS = ("institution", "district", "city")


def require_statistics_reader(actor):
    """Statistics are for institutions and market-regulation bureaus: anyone else gets 403."""
    if actor is None or actor.role not in STATISTICS_READERS:
        raise Forbidden(_l("统计数据仅向技术机构和市场监管部门开放。"))


def is_party(actor, order):
    """The ordering enterprise or the institution: who may see confidential details and the report."""
    return order.is_customer(actor) or order.is_staff(actor)


def may_approve_institution(actor, organization):
    """A district bureau approves institution sign-ups in its own district."""
    return (
        actor is not None
        and organization.kind == "institution"
        and not organization.approved
        and actor.is_district
        and actor.district_code == organization.district_code
    )


def _on_instruments_in_scope(actor, stmt, instrument_column, own):
    """Qualifications and training: their own (`own`), their instruments', their district's."""
    if actor is None:
        return stmt.where(sa.false())
    if actor.role in ("admin", "city"):
        return stmt
    if actor.role == "enterprise":
        return stmt.where(own)
    if actor.role == "institution":
        return stmt.where(instrument_column.in_(
            sa.select(Instrument.id).where(Instrument.institution_id == actor.organization_id)))
    in_district = sa.select(Organization.id).where(Organization.district_code == actor.district_code)
    return stmt.where(instrument_column.in_(instruments_of(in_district)))


@scope_rule(Qualification)
def _qualifications(actor, stmt):
    """An enterprise user sees their own; institutions those on their instruments."""
    own = Qualification.user_id == (actor.id if actor is not None else None)
    return _on_instruments_in_scope(actor, stmt, Qualification.instrument_id, own)


@scope_rule(TrainingRequest)
def _training_requests(actor, stmt):
    """An enterprise sees its organisation's requests; institutions those on their instruments."""
    own = TrainingRequest.organization_id == (actor.organization_id if actor is not None else None)
    return _on_instruments_in_scope(actor, stmt, TrainingRequest.instrument_id, own)
