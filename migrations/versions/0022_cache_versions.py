"""cache versions: the calendar's per-process copies know when the calendar changed

cache_versions holds one row, 'calendar'; triggers give it a new random value on every insert, update,
delete (and, on PostgreSQL, truncate) of calendar_days or opening_hours, in the changing transaction, so a
process's copies (models/rarely_changed.py) are dropped by the first transaction that sees the change,
however the change was made. Random, not a counter: a rolled-back change's value never comes back.

Revision ID: 0022_cache_versions
Revises: 0021_stats_ahead
Create Date: 2026-11-29 13:00:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0022_cache_versions'
down_revision = '0021_stats_ahead'
branch_labels = None
depends_on = None

TABLES = ("calendar_days", "opening_hours")
NEW_VERSION = {"postgresql": "floor(random() * 9e18)::bigint", "sqlite": "random()"}


def upgrade():
    op.create_table(
        'cache_versions',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('version', sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_cache_versions')),
    )
    op.execute(sa.text("INSERT INTO cache_versions (name, version) VALUES ('calendar', :v)")
               .bindparams(v=secrets.randbits(62)))
    bump = f"UPDATE cache_versions SET version = {NEW_VERSION[op.get_bind().dialect.name]} WHERE name = 'calendar'"
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"CREATE FUNCTION calendar_changed() RETURNS trigger LANGUAGE plpgsql AS $$ "
                   f"BEGIN {bump}; RETURN NULL; END $$")
        for table in TABLES:
            op.execute(f"CREATE TRIGGER {table}_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                       f"FOR EACH STATEMENT EXECUTE FUNCTION calendar_changed()")
        return
    for table in TABLES:
        for verb in ("INSERT", "UPDATE", "DELETE"):
            op.execute(f"CREATE TRIGGER {table}_changed_{verb.lower()} AFTER {verb} ON {table} "
                       f"BEGIN {bump}; END")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_changed ON {table}")
        op.execute("DROP FUNCTION calendar_changed()")
    else:
        for table in TABLES:
            for verb in ("insert", "update", "delete"):
                op.execute(f"DROP TRIGGER {table}_changed_{verb}")
    op.drop_table('cache_versions')
