"""Catalog search: substrings of Chinese or English text, found by the database's index.

SQLite: an FTS5 trigram index over instruments.search_text answers terms of three or more
characters; shorter terms (most Chinese words are two characters, e.g. 光谱, 盐雾) use LIKE on
the column. PostgreSQL: a pg_trgm GIN index serves LIKE for three or more characters, and a GIN
index over the text's two-character pieces (search_bigrams) serves two-character terms; a single
character is a LIKE scan.
Nothing is filtered in Python.
"""
from dataclasses import dataclass

import sqlalchemy as sa

from models import Organization, db
from models.instrument import SERVICE_MODES, Category, Instrument

from ..policy import scoped

SORTS = {
    "name": (Instrument.name, Instrument.id),
    "price": (Instrument.hourly_rate, Instrument.id),
    "price_desc": (Instrument.hourly_rate.desc(), Instrument.id),
    "newest": (Instrument.created_at.desc(), Instrument.id.desc()),
    "value": (Instrument.original_value_wan.desc().nulls_last(), Instrument.id),
}


@dataclass
class Filters:
    q: str = ""
    category: str = ""
    district: str = ""
    institution_id: int | None = None
    mode: str = ""
    bookable_now: bool = False
    sort: str = ""


def terms(q):
    return [t for t in (q or "").lower().split() if t][:8]


def _escape_like(term):
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _term_condition(term):
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql" and len(term) == 2:
        return Instrument.search_bigrams.contains([term])
    if dialect == "sqlite" and len(term) >= 3:
        phrase = '"' + term.replace('"', '""') + '"'
        matches = sa.text("SELECT rowid FROM instrument_search WHERE instrument_search MATCH :phrase")
        return Instrument.id.in_(matches.bindparams(phrase=phrase).columns(sa.column("rowid")))
    return Instrument.search_text.like(f"%{_escape_like(term)}%", escape="\\")


def category_and_children(code):
    """A top-level class (xx0000) also matches its sub-classes (xxyy00)."""
    if code.endswith("0000"):
        return Instrument.category_code.like(code[:2] + "%")
    return Instrument.category_code == code


def search(actor, filters, today):
    stmt = scoped(Instrument, actor)
    for term in terms(filters.q):
        stmt = stmt.where(_term_condition(term))
    if filters.category:
        stmt = stmt.where(category_and_children(filters.category))
    if filters.district:
        stmt = stmt.where(Instrument.institution_id.in_(
            sa.select(Organization.id).where(Organization.district_code == filters.district)))
    if filters.institution_id:
        stmt = stmt.where(Instrument.institution_id == filters.institution_id)
    if filters.mode in SERVICE_MODES:
        stmt = stmt.where(getattr(Instrument, f"offers_{filters.mode}").is_(True))
    if filters.bookable_now:
        stmt = stmt.where(Instrument.status == "active", Instrument.calibration_valid_until >= today,
                          sa.or_(Instrument.offers_self_operated, Instrument.offers_assisted))
    order = SORTS.get(filters.sort)
    if order is None:
        order = (_relevance(filters.q), Instrument.name, Instrument.id) if filters.q else SORTS["name"]
    return stmt.order_by(*order)


def _relevance(q):
    """Instruments whose name holds the whole query come first."""
    whole = (q or "").strip().lower()
    return sa.case((sa.func.lower(Instrument.name).like(f"%{_escape_like(whole)}%", escape="\\"), 0), else_=1)


def categories():
    return db.session.scalars(sa.select(Category).order_by(Category.code)).all()
