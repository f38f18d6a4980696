"""Bulk writing for the generator: batched Core inserts, and small random helpers."""
import sqlalchemy as sa

from models import db
from models.uscc import check_character

BATCH = 10_000


def uscc(rng, kind_prefix):
    first = kind_prefix + "310" + "".join(rng.choice("0123456789") for _ in range(3)) + "".join(
        rng.choice("0123456789ABCDEFGHJKLMNPQRTUWXY") for _ in range(9))
    return first + check_character(first)


def weighted(rng, pairs, n):
    states, weights = zip(*pairs, strict=True)
    return rng.choices(states, weights, k=n)


class Writer:
    """Batched Core inserts into one connection; remembers the highest id per table."""

    def __init__(self, connection):
        self.connection = connection
        self.tables = db.metadata.tables
        self.rows = {}

    def add(self, table, row):
        batch = self.rows.setdefault(table, [])
        batch.append(row)
        if len(batch) >= BATCH:
            self.flush()

    def flush(self):
        """Every pending batch, parents before children (foreign keys are checked per row)."""
        for name in [t.name for t in db.metadata.sorted_tables]:
            rows = self.rows.get(name)
            if rows:
                table = self.tables[name]
                # executemany needs one shape: an absent value is the column's default, else NULL
                base = {key: self._default(table.c[key]) for key in set().union(*rows)}
                self.connection.execute(table.insert(), [base | row for row in rows])
                self.rows[name] = []

    @staticmethod
    def _default(column):
        default = column.default
        return default.arg if default is not None and default.is_scalar else None

    def reset_sequences(self):
        if self.connection.dialect.name != "postgresql":
            return
        for table in self.tables.values():
            if "id" in table.c and isinstance(table.c.id.type, sa.Integer) and table.c.id.primary_key:
                self.connection.execute(sa.text(
                    f"SELECT setval(pg_get_serial_sequence('{table.name}', 'id'), "
                    f"COALESCE((SELECT MAX(id) FROM {table.name}), 1))"))
