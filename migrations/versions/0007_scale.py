"""scale: partial indexes for the statistics at city scale; two-character search on PostgreSQL

Completed bookings by time and order work by time (statistics); instruments.search_bigrams with a
GIN index (PostgreSQL), because a trigram index cannot serve a two-character term such as 光谱.

Revision ID: 0007_scale
Revises: 0006_stats
Create Date: 2026-11-26 16:45:00

"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = '0007_scale'
down_revision = '0006_stats'
branch_labels = None
depends_on = None


FILL_BIGRAMS = ("UPDATE instruments SET search_bigrams = ARRAY(SELECT DISTINCT substr(search_text, i, 2) "
                "FROM generate_series(1, length(search_text) - 1) AS i WHERE substr(search_text, i, 2) !~ '\\s')")


def upgrade():
    completed = sa.text("status = 'completed'")
    op.create_index('ix_bookings_completed_start', 'bookings', ['start_at', 'instrument_id', 'organization_id'],
                    postgresql_where=completed, sqlite_where=completed)
    order_work = sa.text("kind = 'order_work'")
    op.create_index('ix_occupancies_order_work_start', 'occupancies', ['start_at'],
                    postgresql_where=order_work, sqlite_where=order_work)
    op.create_index('ix_organizations_kind_approved', 'organizations', ['kind', 'approved'])
    op.add_column('instruments', sa.Column('search_bigrams', postgresql.ARRAY(sa.Text).with_variant(sa.JSON(), 'sqlite'),
                                           nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        op.execute(FILL_BIGRAMS)
        op.execute("CREATE INDEX ix_instruments_search_bigrams ON instruments USING gin (search_bigrams)")


def downgrade():
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_instruments_search_bigrams")
    with op.batch_alter_table('instruments') as batch_op:
        batch_op.drop_column('search_bigrams')
    op.drop_index('ix_organizations_kind_approved', table_name='organizations')
    op.drop_index('ix_occupancies_order_work_start', table_name='occupancies')
    op.drop_index('ix_bookings_completed_start', table_name='bookings')
