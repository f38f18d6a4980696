"""booking: working-day calendar (seeded from `holidays`), instrument holds, bookings

PostgreSQL: the exclusion constraint that makes overlapping active holds impossible.

Revision ID: 0003_booking
Revises: 0002_catalog
Create Date: 2026-11-26 15:17:01.838778

"""

import holidays
import sqlalchemy as sa
from alembic import op

SEED_YEARS = range(2020, 2031)
NO_OVERLAP = (
    "ALTER TABLE occupancies ADD CONSTRAINT ex_occupancies_no_overlap EXCLUDE USING gist "
    "(instrument_id WITH =, tstzrange(start_at, blocks_until, '[)') WITH &&) WHERE (active)"
)


def official_days():
    """China's public holidays and weekend working days (调休) as the package knows them."""
    days = {}
    for year in SEED_YEARS:
        calendar = holidays.China(years=year, language="zh_CN")
        for day, name in calendar.items():
            days[day] = ("holiday", name[:100])
        for day in calendar.weekend_workdays:
            if day.year == year:
                days[day] = ("workday", "调休上班")
    return days


# revision identifiers, used by Alembic.
revision = '0003_booking'
down_revision = '0002_catalog'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('calendar_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.CheckConstraint("kind IN ('holiday', 'workday')", name=op.f('ck_calendar_days_kind')),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_calendar_days'))
    )
    calendar_days = sa.table("calendar_days", sa.column("day", sa.Date), sa.column("kind"), sa.column("name"),
                             sa.column("source"))
    op.bulk_insert(calendar_days, [{"day": day, "kind": kind, "name": name, "source": "holidays"}
                                   for day, (kind, name) in sorted(official_days().items())])
    op.create_table('occupancies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('blocks_until', sa.DateTime(timezone=True), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('booking', 'order_work')", name=op.f('ck_occupancies_kind')),
    sa.CheckConstraint('start_at < end_at AND end_at <= blocks_until', name=op.f('ck_occupancies_span')),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'], name=op.f('fk_occupancies_instrument_id_instruments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_occupancies'))
    )
    with op.batch_alter_table('occupancies', schema=None) as batch_op:
        batch_op.create_index('ix_occupancies_instrument_time', ['instrument_id', 'start_at', 'blocks_until'], unique=False)

    op.create_table('bookings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('occupancy_id', sa.Integer(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('purpose', sa.String(length=500), nullable=False),
    sa.Column('service_mode', sa.String(length=16), nullable=False),
    sa.Column('staff_booked', sa.Boolean(), nullable=False),
    sa.Column('price_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('charge_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('actual_start', sa.DateTime(timezone=True), nullable=True),
    sa.Column('actual_end', sa.DateTime(timezone=True), nullable=True),
    sa.Column('late_cancellation', sa.Boolean(), nullable=False),
    sa.Column('auto_closed', sa.Boolean(), nullable=False),
    sa.Column('status_reason', sa.String(length=500), nullable=False),
    sa.Column('reminded_24h_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reminded_1h_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'confirmed', 'rejected', 'cancelled', 'expired', 'checked_in', 'no_show', 'completed')", name=op.f('ck_bookings_status')),
    sa.CheckConstraint('start_at < end_at', name=op.f('ck_bookings_span')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_bookings_created_by_id_users')),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'], name=op.f('fk_bookings_instrument_id_instruments')),
    sa.ForeignKeyConstraint(['occupancy_id'], ['occupancies.id'], name=op.f('fk_bookings_occupancy_id_occupancies')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_bookings_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings')),
    sa.UniqueConstraint('occupancy_id', name=op.f('uq_bookings_occupancy_id'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index('ix_bookings_instrument_start', ['instrument_id', 'start_at'], unique=False)
        batch_op.create_index('ix_bookings_organization_start', ['organization_id', 'start_at'], unique=False)
        batch_op.create_index('ix_bookings_status_start', ['status', 'start_at'], unique=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("CREATE EXTENSION IF NOT EXISTS btree_gist")
        op.execute(NO_OVERLAP)


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("ALTER TABLE occupancies DROP CONSTRAINT IF EXISTS ex_occupancies_no_overlap")
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index('ix_bookings_status_start')
        batch_op.drop_index('ix_bookings_organization_start')
        batch_op.drop_index('ix_bookings_instrument_start')

    op.drop_table('bookings')
    with op.batch_alter_table('occupancies', schema=None) as batch_op:
        batch_op.drop_index('ix_occupancies_instrument_time')

    op.drop_table('occupancies')
    op.drop_table('calendar_days')
