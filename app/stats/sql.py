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


def instant(value, name):
    """A bound instant typed like the columns it is compared with."""
    return sa.bindparam(name, value, type_=UTCDateTime)
