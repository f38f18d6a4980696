"""scheduler: one-off actions already taken (calibration alerts), so no job acts twice

Revision ID: 0005_scheduler
Revises: 0004_orders
Create Date: 2026-11-26 15:34:42.970342

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0005_scheduler'
down_revision = '0004_orders'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('sent_alerts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_sent_alerts')),
    sa.UniqueConstraint('kind', 'key', name='uq_sent_alerts_kind_key')
    )


def downgrade():
    op.drop_table('sent_alerts')
