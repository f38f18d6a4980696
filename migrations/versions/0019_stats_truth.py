"""stats truth: the days whose snapshot no longer matches the records

stale_days holds (day, institution) pairs (institution 0: every institution) that changed after the
day's snapshot was taken; they are read live until the snapshot job retakes the day.

Revision ID: 0019_stats_truth
Revises: 0018_no_show_index
Create Date: 2026-11-29 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0019_stats_truth'
down_revision = '0018_no_show_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'stale_days',
        sa.Column('day', sa.Date(), nullable=False),
        sa.Column('institution_id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('marked_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('day', 'institution_id', name=op.f('pk_stale_days')),
    )


def downgrade():
    op.drop_table('stale_days')
