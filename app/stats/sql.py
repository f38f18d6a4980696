"""SQL expressions the statistics need, written once per database.

clipped_hours(start, end, period_start, period_end): hours of [start, end) inside the period.
"""
import sqlalchemy as sa
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.expression import FunctionElement

from models.base import UTCDateTime


class clipped_hours(FunctionElement):  # noqa: N801 - reads as a SQL function
    type = sa.Float()
    inherit_cache = True
    name = "clipped_hours"


@compiles(clipped_hours, "postgresql")
def _clipped_pg(element, compiler, **kw):
    start, end, low, high = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"(EXTRACT(EPOCH FROM (LEAST({end}, {high}) - GREATEST({start}, {low}))) / 3600.0)"


@compiles(clipped_hours, "sqlite")
def _clipped_sqlite(element, compiler, **kw):
    start, end, low, high = (compiler.process(arg, **kw) for arg in element.clauses)
    return f"((julianday(min({end}, {high})) - julianday(max({start}, {low}))) * 24.0)"


# The largest amount any money column holds (Numeric(14, 2)); anything beyond it, NaN or ±Infinity is not
# money but a bad value that slipped in, and counts as nothing rather than breaking every total.
MONEY_LIMIT = 10 ** 12


def finite(column):
    """The amount when it is an ordinary number, else 0 (NaN compares false on SQLite and sorts above
    every number on PostgreSQL, so BETWEEN refuses it on both)."""
    return sa.case((column.between(-MONEY_LIMIT, MONEY_LIMIT), column), else_=0)


def instant(value, name):
    """A bound instant typed like the columns it is compared with."""
    return sa.bindparam(name, value, type_=UTCDateTime)
