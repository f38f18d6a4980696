"""no_show index: an enterprise's recent no-shows without reading all its bookings

booking/credit.standing() runs on every booking and every instrument page an enterprise opens; on a busy
enterprise (tens of thousands of bookings) it read every booking of the last 120 days to find a handful of
no-shows. A partial index holds only the no-show rows.

Revision ID: 0018_no_show_index
Revises: 0017_nrii
Create Date: 2026-11-29 10:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0018_no_show_index'
down_revision = '0017_nrii'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_bookings_no_show_organization', 'bookings', ['organization_id', 'start_at'],
                    postgresql_where=sa.text("status = 'no_show'"), sqlite_where=sa.text("status = 'no_show'"))


def downgrade():
    op.drop_index('ix_bookings_no_show_organization', table_name='bookings')
