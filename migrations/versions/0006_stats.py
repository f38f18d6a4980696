"""stats: pilot projects and their institutions, yearly pilot tables, nightly usage snapshots

Revision ID: 0006_stats
Revises: 0005_scheduler
Create Date: 2026-11-26 15:59:55.431272

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006_stats'
down_revision = '0005_scheduler'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('snapshot_days',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('day', name=op.f('pk_snapshot_days'))
    )
    op.create_table('pilot_tables',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('district_code', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('review_comment', sa.String(length=500), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_pilot_tables_district_code_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pilot_tables')),
    sa.UniqueConstraint('year', 'district_code', name='uq_pilot_tables_year_district')
    )
    op.create_table('pilots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('district_code', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('basic_info', sa.String(length=200), nullable=False),
    sa.Column('funds_wan', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('expert_person_times', sa.Integer(), nullable=True),
    sa.Column('main_content', sa.String(length=200), nullable=True),
    sa.Column('main_industries', sa.String(length=200), nullable=True),
    sa.Column('pass_rate_improvement', sa.String(length=200), nullable=False),
    sa.Column('profit_increase_wan', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('new_jobs', sa.Integer(), nullable=True),
    sa.Column('quality_effect', sa.String(length=200), nullable=False),
    sa.Column('other_effects', sa.String(length=200), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['district_code'], ['districts.code'], name=op.f('fk_pilots_district_code_districts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pilots'))
    )
    with op.batch_alter_table('pilots', schema=None) as batch_op:
        batch_op.create_index('ix_pilots_year_district', ['year', 'district_code'], unique=False)

    op.create_table('pilot_institutions',
    sa.Column('pilot_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['organizations.id'], name=op.f('fk_pilot_institutions_institution_id_organizations')),
    sa.ForeignKeyConstraint(['pilot_id'], ['pilots.id'], name=op.f('fk_pilot_institutions_pilot_id_pilots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('pilot_id', 'institution_id', name=op.f('pk_pilot_institutions'))
    )
    op.create_table('usage_snapshots',
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('service_count', sa.Integer(), nullable=False),
    sa.Column('bookings_completed', sa.Integer(), nullable=False),
    sa.Column('orders_reported', sa.Integer(), nullable=False),
    sa.Column('no_shows', sa.Integer(), nullable=False),
    sa.Column('external_hours', sa.Float(), nullable=False),
    sa.Column('internal_hours', sa.Float(), nullable=False),
    sa.Column('open_hours', sa.Float(), nullable=False),
    sa.Column('revenue', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['institution_id'], ['organizations.id'], name=op.f('fk_usage_snapshots_institution_id_organizations')),
    sa.PrimaryKeyConstraint('day', 'institution_id', name=op.f('pk_usage_snapshots'))
    )


def downgrade():
    op.drop_table('usage_snapshots')
    op.drop_table('pilot_institutions')
    with op.batch_alter_table('pilots', schema=None) as batch_op:
        batch_op.drop_index('ix_pilots_year_district')

    op.drop_table('pilots')
    op.drop_table('pilot_tables')
    op.drop_table('snapshot_days')
