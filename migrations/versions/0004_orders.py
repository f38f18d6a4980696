"""orders: service orders, test items, reviews; holds may belong to an order (order work)

Revision ID: 0004_orders
Revises: 0003_booking
Create Date: 2026-11-26 15:25:55.797863

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0004_orders'
down_revision = '0003_booking'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('service_orders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('description', sa.String(length=1000), nullable=False),
    sa.Column('sample_name', sa.String(length=100), nullable=False),
    sa.Column('sample_model', sa.String(length=100), nullable=False),
    sa.Column('sample_quantity', sa.Integer(), nullable=False),
    sa.Column('sample_unit', sa.String(length=10), nullable=False),
    sa.Column('sample_disposal', sa.String(length=8), nullable=False),
    sa.Column('needed_by', sa.Date(), nullable=True),
    sa.Column('confidential', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.String(length=500), nullable=False),
    sa.Column('quote_amount', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('quote_turnaround_days', sa.Integer(), nullable=True),
    sa.Column('quote_valid_until', sa.Date(), nullable=True),
    sa.Column('quote_note', sa.String(length=500), nullable=False),
    sa.Column('quoted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sample_no', sa.String(length=40), nullable=True),
    sa.Column('sample_received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('testing_started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('report_no', sa.String(length=50), nullable=True),
    sa.Column('report_file', sa.String(length=80), nullable=True),
    sa.Column('report_size', sa.Integer(), nullable=True),
    sa.Column('report_issued_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('test_by_proxy', 'outsourced_testing')", name=op.f('ck_service_orders_kind')),
    sa.CheckConstraint("sample_disposal IN ('return', 'retain', 'destroy')", name=op.f('ck_service_orders_disposal')),
    sa.CheckConstraint('sample_quantity > 0', name=op.f('ck_service_orders_quantity')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_service_orders_created_by_id_users')),
    sa.ForeignKeyConstraint(['institution_id'], ['organizations.id'], name=op.f('fk_service_orders_institution_id_organizations')),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'], name=op.f('fk_service_orders_instrument_id_instruments')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_service_orders_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_service_orders')),
    sa.UniqueConstraint('institution_id', 'report_no', name='uq_service_orders_report_no'),
    sa.UniqueConstraint('institution_id', 'sample_no', name='uq_service_orders_sample_no')
    )
    with op.batch_alter_table('service_orders', schema=None) as batch_op:
        batch_op.create_index('ix_service_orders_institution_status', ['institution_id', 'status'], unique=False)
        batch_op.create_index('ix_service_orders_organization', ['organization_id', 'created_at'], unique=False)
        batch_op.create_index('ix_service_orders_report_issued', ['report_issued_at'], unique=False)

    op.create_table('order_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('standard', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['order_id'], ['service_orders.id'], name=op.f('fk_order_items_order_id_service_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_items'))
    )
    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_items_order_id'), ['order_id'], unique=False)

    op.create_table('reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('comment', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('(booking_id IS NULL) <> (order_id IS NULL)', name=op.f('ck_reviews_subject')),
    sa.CheckConstraint('score BETWEEN 1 AND 5', name=op.f('ck_reviews_score')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_reviews_booking_id_bookings')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_reviews_created_by_id_users')),
    sa.ForeignKeyConstraint(['institution_id'], ['organizations.id'], name=op.f('fk_reviews_institution_id_organizations')),
    sa.ForeignKeyConstraint(['order_id'], ['service_orders.id'], name=op.f('fk_reviews_order_id_service_orders')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_reviews_organization_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_reviews')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_reviews_booking_id')),
    sa.UniqueConstraint('order_id', name=op.f('uq_reviews_order_id'))
    )
    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reviews_institution_id'), ['institution_id'], unique=False)

    with op.batch_alter_table('occupancies', schema=None) as batch_op:
        batch_op.add_column(sa.Column('order_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('logged_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('note', sa.String(length=200), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_occupancies_order_id'), ['order_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_occupancies_order_id_service_orders'), 'service_orders', ['order_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_occupancies_logged_by_id_users'), 'users', ['logged_by_id'], ['id'])
        batch_op.create_check_constraint(op.f('ck_occupancies_order_work_has_order'),
                                         "(kind = 'order_work') = (order_id IS NOT NULL)")



def downgrade():
    with op.batch_alter_table('occupancies', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_occupancies_order_work_has_order'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_occupancies_logged_by_id_users'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_occupancies_order_id_service_orders'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_occupancies_order_id'))
        batch_op.drop_column('note')
        batch_op.drop_column('logged_by_id')
        batch_op.drop_column('order_id')

    with op.batch_alter_table('reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reviews_institution_id'))

    op.drop_table('reviews')
    with op.batch_alter_table('order_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_items_order_id'))

    op.drop_table('order_items')
    with op.batch_alter_table('service_orders', schema=None) as batch_op:
        batch_op.drop_index('ix_service_orders_report_issued')
        batch_op.drop_index('ix_service_orders_organization')
        batch_op.drop_index('ix_service_orders_institution_status')

    op.drop_table('service_orders')
