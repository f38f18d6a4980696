"""series and waitlist: recurring bookings (a rule that made ordinary bookings) and the waitlist

booking_series holds the rule; bookings.series_id names the series an occurrence belongs to.
waitlist_entries: enterprises waiting for taken instrument time, with a partial unique index so
an enterprise holds one place in line per interval.

SQLite may hold data already: bookings.series_id is added in place, not by a batch copy (dropping a
table other tables reference fails with foreign keys on), and removed the same way, as 0012 does.

Revision ID: 0013_series_waitlist
Revises: 0014_settlement (chained onto main's head when main was merged)
Create Date: 2026-12-01 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0013_series_waitlist'
down_revision = '0014_settlement'
branch_labels = None
depends_on = None

LIVE = sa.text("status IN ('waiting', 'offered')")
SERIES = "series_id INTEGER CONSTRAINT fk_bookings_series_id_booking_series REFERENCES booking_series (id)"


def _sqlite():
    return op.get_bind().dialect.name == "sqlite"


def _edit_sqlite_schema(table, old, new):
    """SQLite's documented in-place schema edit (sqlite.org/lang_altertable.html, "Making Other Kinds Of
    Table Schema Changes"), here to remove a FOREIGN KEY clause before its column is dropped. No table is
    copied or dropped, so the references other tables hold stay intact."""
    bind = op.get_bind()
    create = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                                  (table,)).scalar()
    assert old in create, f"{table}: {old!r} not found"
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                         (create.replace(old, new), table))
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def upgrade():
    op.create_table('booking_series',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('freq', sa.String(length=8), nullable=False),
    sa.Column('every', sa.Integer(), nullable=False),
    sa.Column('count', sa.Integer(), nullable=True),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("freq IN ('daily', 'weekly')", name=op.f('ck_booking_series_freq')),
    sa.CheckConstraint('every BETWEEN 1 AND 4', name=op.f('ck_booking_series_every')),
    sa.CheckConstraint('(count IS NULL) <> (until IS NULL)', name=op.f('ck_booking_series_count_or_until')),
    sa.CheckConstraint('count IS NULL OR count BETWEEN 2 AND 52', name=op.f('ck_booking_series_count')),
    sa.CheckConstraint('start_at < end_at', name=op.f('ck_booking_series_span')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_booking_series_created_by_id_users')),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'],
                            name=op.f('fk_booking_series_instrument_id_instruments')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                            name=op.f('fk_booking_series_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_series'))
    )
    if _sqlite():
        op.execute(f"ALTER TABLE bookings ADD COLUMN {SERIES}")
    else:
        op.add_column('bookings', sa.Column('series_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_bookings_series_id_booking_series'), 'bookings', 'booking_series',
                              ['series_id'], ['id'])
    op.create_index(op.f('ix_bookings_series_id'), 'bookings', ['series_id'], unique=False)

    op.create_table('waitlist_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('offered_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('offer_expires_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('start_at < end_at', name=op.f('ck_waitlist_entries_span')),
    sa.CheckConstraint("status IN ('waiting', 'offered', 'claimed', 'expired', 'cancelled')",
                       name=op.f('ck_waitlist_entries_status')),
    sa.CheckConstraint("status <> 'offered' OR offer_expires_at IS NOT NULL", name=op.f('ck_waitlist_entries_offer')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_waitlist_entries_booking_id_bookings')),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'],
                            name=op.f('fk_waitlist_entries_instrument_id_instruments')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                            name=op.f('fk_waitlist_entries_organization_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_waitlist_entries_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_waitlist_entries'))
    )
    with op.batch_alter_table('waitlist_entries', schema=None) as batch_op:
        batch_op.create_index('ix_waitlist_entries_instrument_status', ['instrument_id', 'status', 'created_at'],
                              unique=False)
        batch_op.create_index('ix_waitlist_entries_organization', ['organization_id', 'created_at'], unique=False)
        batch_op.create_index('uq_waitlist_entries_live', ['instrument_id', 'organization_id', 'start_at', 'end_at'],
                              unique=True, postgresql_where=LIVE, sqlite_where=LIVE)


def downgrade():
    op.drop_table('waitlist_entries')
    op.drop_index(op.f('ix_bookings_series_id'), table_name='bookings')
    if _sqlite():
        _edit_sqlite_schema('bookings', SERIES, "series_id INTEGER")
        op.execute("ALTER TABLE bookings DROP COLUMN series_id")
    else:
        op.drop_constraint(op.f('fk_bookings_series_id_booking_series'), 'bookings', type_='foreignkey')
        op.drop_column('bookings', 'series_id')
    op.drop_table('booking_series')
