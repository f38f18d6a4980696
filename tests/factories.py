"""Factories with sensible defaults. Each returns a saved object.

They commit: inside a test that only releases a savepoint of the test's outer transaction, so
the row survives a request that rolls back its own work (as real data would).
"""
import io
import itertools
from datetime import UTC, date, datetime

from argon2 import PasswordHasher
from pypdf import PdfWriter

from models import ApiToken, Organization, User, db
from models.uscc import check_character

PASSWORD = "secret-pass-1"
_PASSWORD_HASH = PasswordHasher().hash(PASSWORD)  # hashed once: Argon2 is slow on purpose
_seq = itertools.count(1)
NOW = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)


def one_page_pdf():
    """The smallest real PDF a report check accepts: one blank page."""
    writer, buffer = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=595, height=842)
    writer.write(buffer)
    return buffer.getvalue()


PDF = one_page_pdf()


def valid_uscc(n=None):
    n = next(_seq) if n is None else n
    first17 = f"91310115MA1{n:06d}"
    return first17 + check_character(first17)


def create_org(kind="enterprise", **fields):
    n = next(_seq)
    defaults = {
        "enterprise": dict(name=f"测试企业{n}号有限公司", district_code="310115", industry="C", size="small"),
        "institution": dict(name=f"测试检测机构{n}", district_code="310115", approved=True,
                            cma_no=f"CMA{n:06d}", cma_valid_until=date(2029, 12, 31)),
        "bureau": dict(name=f"测试区市场监管局{n}", district_code="310115"),
    }[kind]
    defaults.update(uscc=valid_uscc(n), contact_email=f"org{n}@example.com")
    defaults.update(fields)
    org = Organization(kind=kind, **defaults)
    db.session.add(org)
    db.session.commit()
    return org


ROLE_ORG = {"enterprise": "enterprise", "institution": "institution", "district": "bureau", "city": "bureau"}


def create_user(role="enterprise", organization=None, **fields):
    n = next(_seq)
    if organization is None and role in ROLE_ORG:
        extra = {"district_code": None} if role == "city" else {}
        organization = create_org(ROLE_ORG[role], **extra)
    defaults = dict(email=f"user{n}@example.com", name=f"用户{n}", password_hash=_PASSWORD_HASH)
    defaults.update(fields)
    user = User(role=role, organization=organization, **defaults)
    db.session.add(user)
    db.session.commit()
    return user


class World:
    """Two of everything: the actors DEVELOPERS.md rule 5 tests scope with."""

    @classmethod
    def build(cls):
        w = cls()
        w.district_a = create_user("district", create_org("bureau", name="浦东新区市场监督管理局", district_code="310115"))
        w.district_b = create_user("district", create_org("bureau", name="闵行区市场监督管理局", district_code="310112"))
        w.city = create_user("city", create_org("bureau", name="上海市市场监督管理局", district_code=None))
        w.admin = create_user("admin", None)
        w.lab_a = create_user("institution", create_org("institution", name="甲检测院", district_code="310115"))
        w.lab_b = create_user("institution", create_org("institution", name="乙检测公司", district_code="310112"))
        w.sme_a = create_user("enterprise", create_org("enterprise", name="甲精密机械", district_code="310115"))
        w.sme_b = create_user("enterprise", create_org("enterprise", name="乙新材料", district_code="310112",
                                                      size="micro"))
        w.institution_a, w.institution_b = w.lab_a.organization, w.lab_b.organization
        w.enterprise_a, w.enterprise_b = w.sme_a.organization, w.sme_b.organization
        return w


class ApiCaller:
    """Calls the API as one user, with a real bearer token."""

    def __init__(self, client, user):
        self.client = client
        self.headers = {}
        if user is not None:
            row, token = ApiToken.issue(user, NOW, 30)
            db.session.add(row)
            db.session.commit()
            self.headers = {"Authorization": f"Bearer {token}"}

    @classmethod
    def factory(cls, client):
        return lambda user=None: cls(client, user)

    def _call(self, method, path, **kw):
        headers = dict(self.headers, **kw.pop("headers", {}))
        return self.client.open("/api/v1" + path, method=method, headers=headers, **kw)

    def get(self, path, **kw):
        return self._call("GET", path, **kw)

    def post(self, path, json=None, **kw):
        if "data" in kw:  # a multipart form, e.g. a report upload
            return self._call("POST", path, **kw)
        return self._call("POST", path, json=json if json is not None else {}, **kw)

    def patch(self, path, json=None, **kw):
        return self._call("PATCH", path, json=json or {}, **kw)

    def put(self, path, json=None, **kw):
        return self._call("PUT", path, json=json or {}, **kw)

    def delete(self, path, **kw):
        return self._call("DELETE", path, **kw)


def create_instrument(institution=None, **fields):
    from decimal import Decimal

    from models.instrument import Instrument

    n = next(_seq)
    institution = institution or create_org("institution")
    modes = fields.pop("service_modes", ["self_operated", "assisted"])
    defaults = dict(name=f"测试仪器{n}", name_en=f"Test instrument {n}", internal_code=f"T-{n:05d}",
                    category_code="010100", hourly_rate=Decimal("600.00"), sme_discount_percent=Decimal("20"),
                    calibration_valid_until=date(2027, 3, 1), status="active", requires_approval=False,
                    slot_minutes=30, min_minutes=30, max_minutes=480, lead_minutes=60, max_advance_days=60,
                    buffer_minutes=0, max_future_bookings_per_org=5, cancel_free_hours=24,
                    # Off unless a test is about qualifications (tests/unit/test_qualifications*.py turn it on),
                    # so tests of the other booking rules book self-operated time without granting first.
                    requires_qualification=False,
                    created_at=NOW, updated_at=NOW)
    defaults.update(fields)
    instrument = Instrument(institution_id=institution.id, **defaults)
    instrument.service_modes = modes
    db.session.add(instrument)
    db.session.commit()
    return instrument


def create_booking(instrument=None, organization=None, start=None, minutes=60, status="confirmed", **fields):
    """A booking with its calendar hold, made directly (no rule checks) in any state."""
    from datetime import timedelta

    from models.booking import ACTIVE, Booking
    from models.occupancy import Occupancy

    instrument = instrument or create_instrument()
    organization = organization or create_org("enterprise")
    creator = fields.pop("created_by", None) or create_user("enterprise", organization)
    start = start or NOW + timedelta(days=1, hours=1)  # Tuesday 10:00 Shanghai
    end = start + timedelta(minutes=minutes)
    hold = Occupancy.hold(instrument, start, end, NOW, "booking")
    hold.active = status in ACTIVE
    defaults = dict(purpose="测试", service_mode="self_operated", price_amount=instrument.price_for(organization, minutes),
                    created_at=NOW, updated_at=NOW)
    defaults.update(fields)
    booking = Booking(instrument=instrument, organization=organization, created_by=creator, occupancy=hold,
                      start_at=start, end_at=end, status=status, **defaults)
    db.session.add_all([hold, booking])
    db.session.commit()
    return booking
