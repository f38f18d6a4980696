"""Catalog search: what users mean, found by the database's index.

A query is split into words that are ANDed. Each word may match instruments.search_text — the name,
names, model, manufacturer, functions and specs, and also the category's name (and its class's), the
institution's name and its district's name ("光谱仪 浦东"), kept there by models/instrument.py — and it
stands for every word of its synonym group (models/synonym.py, kept by the city bureau: "SEM" also
means 扫描电子显微镜).

SQLite answers words of three or more characters from an FTS5 trigram index over search_text and shorter
ones (most Chinese words are two characters, e.g. 光谱, 盐雾) with LIKE on the column. PostgreSQL: a
pg_trgm GIN index serves LIKE for three or more characters, and a GIN index over the text's
two-character pieces (search_bigrams) serves two-character words; a single character is a LIKE scan.
Nothing is filtered in Python. (Matching the places' names by key, with an OR or a UNION beside the text
index, made PostgreSQL scan the table: 3× slower at city scale.)
"""
import functools
import re
from dataclasses import dataclass, replace

import sqlalchemy as sa
from markupsafe import Markup, escape

from models import Organization, db
from models.instrument import SERVICE_MODES, Category, Instrument
from models.synonym import SearchSynonym, words_of

from ..policy import scoped

SORTS = {
    "name": (Instrument.name, Instrument.id),
    "price": (Instrument.hourly_rate, Instrument.id),
    "price_desc": (Instrument.hourly_rate.desc(), Instrument.id),
    "newest": (Instrument.created_at.desc(), Instrument.id.desc()),
    "value": (Instrument.original_value_wan.desc().nulls_last(), Instrument.id),
}
MAX_TERMS = 8


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
    return [t for t in (q or "").lower().split() if t][:MAX_TERMS]


def synonym_groups():
    """{word: the words of its group}, read from the city's table: the rows are read each time (one short
    statement, so a group the city just saved counts at once in every worker), the index built from them
    once per process for each version of the table."""
    return _synonym_index(tuple(db.session.scalars(sa.select(SearchSynonym.terms).order_by(SearchSynonym.id))))


@functools.lru_cache(maxsize=4)
def _synonym_index(rows):
    index = {}
    for row in rows:
        group = words_of(row)
        for word in group:
            index.setdefault(word, [])
            index[word] += [w for w in group if w not in index[word]]
    return index


def expand(q):
    """Each query word with the words it stands for: [["sem", "扫描电镜", "扫描电子显微镜"], ["浦东"]]."""
    words = terms(q)
    if not words:
        return []
    groups = synonym_groups()
    return [[word] + [w for w in groups.get(word, []) if w != word] for word in words]


def _escape_like(term):
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _like(column, word):
    return sa.func.lower(column).like(f"%{_escape_like(word)}%", escape="\\")


def _text_condition(term):
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql" and len(term) == 2:
        return Instrument.search_bigrams.contains([term])
    if dialect == "sqlite" and len(term) >= 3:
        phrase = '"' + term.replace('"', '""') + '"'
        matches = sa.text("SELECT rowid FROM instrument_search WHERE instrument_search MATCH :phrase")
        phrase = sa.bindparam("phrase", phrase, unique=True)  # several words, several phrases
        return Instrument.id.in_(matches.bindparams(phrase).columns(sa.column("rowid")))
    return Instrument.search_text.like(f"%{_escape_like(term)}%", escape="\\")


def _word_condition(words):
    """One query word, or any word of its synonym group. A word that holds another of the group adds nothing
    (盐雾试验 is found by 盐雾). On PostgreSQL several are an OR, which it answers with one BitmapOr over the
    indexes (a UNION of id lists, hash-joined to a scan of the table, cost 15-20 ms at city scale for 三坐标/CMM
    against 1-4 ms); on SQLite a UNION of id lists, each served by its index."""
    needed = [w for w in words if not any(other != w and other in w for other in words)]
    if len(needed) == 1:
        return _text_condition(needed[0])
    if db.session.get_bind().dialect.name == "postgresql":
        return sa.or_(*(_text_condition(w) for w in needed))
    return Instrument.id.in_(sa.union(*(sa.select(Instrument.id).where(_text_condition(w)) for w in needed)))


def category_and_children(code):
    """A top-level class (xx0000) also matches its sub-classes (xxyy00)."""
    if code.endswith("0000"):
        return Instrument.category_code.like(code[:2] + "%")
    return Instrument.category_code == code


def _statement(actor, filters, today, word_conditions):
    stmt = scoped(Instrument, actor)
    for condition in word_conditions:
        stmt = stmt.where(condition)
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
    return stmt


def search(actor, filters, today, groups=None):
    """The instruments the filters find, most relevant first unless a sort is asked for."""
    groups = expand(filters.q) if groups is None else groups
    stmt = _statement(actor, filters, today, [_word_condition(words) for words in groups])
    order = SORTS.get(filters.sort)
    if order is None:
        order = (*_relevance(filters.q, groups), Instrument.name, Instrument.id) if groups else SORTS["name"]
    return stmt.order_by(*order)


def count_apart(filters, groups):
    """Whether a page of search() is better found and counted in two statements (pagination.paginate): without
    a word, the list by name walks ix_instruments_name for its page and the count reads the (institution, status)
    index, where one pass reads every public instrument of the wide table."""
    return not groups and (filters.sort not in SORTS or filters.sort == "name")


def _relevance(q, groups):
    """The whole query in the name first, then the more words found in the name, then the rest."""
    def in_name(word):
        return sa.or_(_like(Instrument.name, word), _like(Instrument.name_en, word))
    whole = sa.case((in_name(" ".join(terms(q))), 0), else_=1)
    misses = [sa.case((sa.or_(*(in_name(w) for w in words)), 0), else_=1) for words in groups]
    return whole, sum(misses[1:], misses[0])


def facets(actor, filters, today, groups=None):
    """Counts per top-level category, district and service mode; each facet ignores its own filter.

    One grouped query over the results without the three facet filters; each facet then sums the groups
    that pass the other two filters."""
    groups = expand(filters.q) if groups is None else groups
    stmt = _statement(actor, replace(filters, category="", district="", mode=""), today,
                      [_word_condition(words) for words in groups])
    flags = [getattr(Instrument, f"offers_{mode}") for mode in SERVICE_MODES]
    rows = stmt.with_only_columns(Instrument.category_code, Organization.district_code, *flags, sa.func.count()) \
        .join(Organization, Organization.id == Instrument.institution_id) \
        .group_by(Instrument.category_code, Organization.district_code, *flags)
    by_class, by_district, by_mode = {}, {}, dict.fromkeys(SERVICE_MODES, 0)
    for code, district, *offers, n in db.session.execute(rows):
        offered = {mode for mode, on in zip(SERVICE_MODES, offers, strict=True) if on}
        in_category = not filters.category or _in_category(code, filters.category)
        in_district = not filters.district or district == filters.district
        in_mode = filters.mode not in SERVICE_MODES or filters.mode in offered
        if in_district and in_mode:
            by_class[code[:2]] = by_class.get(code[:2], 0) + n
        if in_category and in_mode:
            by_district[district] = by_district.get(district, 0) + n
        if in_category and in_district:
            for mode in offered:
                by_mode[mode] += n
    names = {c.code[:2]: c for c in db.session.scalars(sa.select(Category).where(Category.parent_code.is_(None)))}
    return {
        "category": [(names[prefix], n) for prefix, n in sorted(by_class.items()) if prefix in names],
        "district": sorted(by_district.items()),
        "mode": [(mode, n) for mode, n in by_mode.items() if n],
    }


def _in_category(code, wanted):
    return code[:2] == wanted[:2] if wanted.endswith("0000") else code == wanted


def marks(groups):
    """Every word a result may show, longest first (so 扫描电子显微镜 wins over 扫描)."""
    return sorted({w for words in groups for w in words}, key=len, reverse=True)


def highlight(text, words):
    """`text` escaped, with each found word inside <mark>."""
    text = text or ""
    if not words or not text:
        return escape(text)
    pattern = re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)
    out, last = [], 0
    for match in pattern.finditer(text):
        out += [escape(text[last:match.start()]), Markup("<mark>"), escape(match.group()), Markup("</mark>")]
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def categories():
    return db.session.scalars(sa.select(Category).order_by(Category.code)).all()
