"""stats ahead: the open hours of today and later days kept by the snapshot job; completed bookings' actual times indexed

open_hours_ahead holds (day, institution, open hours) for today and the rest of the year, ahead_days the
days the job covered. A change to opening hours, the calendar, maintenance/calibration closures or an
instrument marks the (day, institution) pairs in stale_days, as for a snapshot; stale pairs are read live.
Filled by the snapshot job (and `flask stats backfill`); until then every day is read live, as before.

ix_bookings_completed_actual: the hours of completed bookings in a period (booked start near it, actual
time inside it) from the index alone; at city scale today's part of the year read ~26k bookings' rows.

Revision ID: 0021_stats_ahead
Revises: 0020_search_indexes
Create Date: 2026-11-29 13:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0021_stats_ahead'
down_revision = '0020_search_indexes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'ahead_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('day', name=op.f('pk_ahead_days')),
    )
    op.create_table(
        'open_hours_ahead',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('institution_id', sa.Integer(), nullable=False),
        sa.Column('open_hours', sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(['institution_id'], ['organizations.id'],
                                name=op.f('fk_open_hours_ahead_institution_id_organizations')),
        sa.PrimaryKeyConstraint('day', 'institution_id', name=op.f('pk_open_hours_ahead')),
    )
    op.create_index('ix_bookings_completed_actual', 'bookings',
                    ['start_at', 'actual_end', 'actual_start', 'instrument_id'], unique=False,
                    postgresql_where=sa.text("status = 'completed'"), sqlite_where=sa.text("status = 'completed'"))


def downgrade():
    op.drop_index('ix_bookings_completed_actual', table_name='bookings',
                  postgresql_where=sa.text("status = 'completed'"), sqlite_where=sa.text("status = 'completed'"))
    op.drop_table('open_hours_ahead')
    op.drop_table('ahead_days')
