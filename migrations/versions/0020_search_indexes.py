"""search indexes: the approved institutions' ids from an index of their own; instruments by name

The public scope: every
public instrument list (search, the catalog page, an institution's page) keeps to instruments of approved
institutions: `institution_id IN (SELECT id FROM organizations WHERE kind = 'institution' AND approved)`. At city
scale the organizations are 30,000 enterprises and 300 institutions; PostgreSQL, not knowing that every instrument
belongs to an institution, expected a dozen matches and merge-joined them against the primary key, reading all
30,000 organizations (13-22 ms of a 23-37 ms search). A partial index of the 300 ids makes that an index-only
scan of 300 entries.

Instruments by name. A list without a search term (the catalog page as it opens, filters only) is sorted by name;
counting its ~10,000 rows in the same pass (count(*) OVER ()) read the whole wide table (18-23 ms). It now walks
an index on (name, id) for its page (0.1 ms) and counts apart, from the (institution_id, status) index (1.6 ms).

Revision ID: 0020_search_indexes
Revises: 0019_stats_truth
Create Date: 2026-11-29 13:10:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0020_search_indexes'
down_revision = '0019_stats_truth'
branch_labels = None
depends_on = None

APPROVED_INSTITUTION = "kind = 'institution' AND approved IS TRUE"


def upgrade():
    op.create_index('ix_organizations_approved_institutions', 'organizations', ['id'],
                    postgresql_where=sa.text(APPROVED_INSTITUTION), sqlite_where=sa.text(APPROVED_INSTITUTION))
    op.create_index('ix_instruments_name', 'instruments', ['name', 'id'])


def downgrade():
    op.drop_index('ix_instruments_name', table_name='instruments')
    op.drop_index('ix_organizations_approved_institutions', table_name='organizations')
