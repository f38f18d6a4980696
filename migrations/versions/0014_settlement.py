"""settlement: innovation vouchers, invoice requests, charges, adjustment requests; charges for past services

Every completed booking and every completed order gets its one charge: a booking the charge its
check-out recorded (actual duration rounded up to the slot, SME discount applied), or — where none
was recorded — that rule computed here with at least one slot; an order its quote.

Revision ID: 0014_settlement
Revises: 0007_scale
Create Date: 2026-12-01 10:00:00

"""
import math
from decimal import ROUND_HALF_UP, Decimal

import sqlalchemy as sa
from alembic import op

revision = '0014_settlement'
down_revision = '0012_qualifications'
branch_labels = None
depends_on = None

CENT = Decimal("0.01")


def _timestamps():
    return [sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
            sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False)]


def _vouchers():
    op.create_table('vouchers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=24), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('issuer_id', sa.Integer(), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=False),
    sa.Column('programme', sa.String(length=100), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('balance', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('subsidy_percent', sa.Integer(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_until', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('status_reason', sa.String(length=500), nullable=False),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    *_timestamps(),
    sa.CheckConstraint('amount > 0', name=op.f('ck_vouchers_amount')),
    sa.CheckConstraint('balance >= 0 AND balance <= amount', name=op.f('ck_vouchers_balance')),
    sa.CheckConstraint('subsidy_percent BETWEEN 1 AND 100', name=op.f('ck_vouchers_subsidy_percent')),
    sa.CheckConstraint('valid_from <= valid_until', name=op.f('ck_vouchers_validity')),
    sa.CheckConstraint("status IN ('active', 'expired', 'used_up', 'revoked')", name=op.f('ck_vouchers_status')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_vouchers_organization_id_organizations')),
    sa.ForeignKeyConstraint(['issuer_id'], ['organizations.id'], name=op.f('fk_vouchers_issuer_id_organizations')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_vouchers_issued_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_vouchers')),
    sa.UniqueConstraint('code', name=op.f('uq_vouchers_code'))
    )
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vouchers_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_vouchers_issuer_id'), ['issuer_id'], unique=False)
        batch_op.create_index('ix_vouchers_status_valid_until', ['status', 'valid_until'], unique=False)


def _invoice_requests():
    op.create_table('invoice_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=100), nullable=False),
    sa.Column('tax_no', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('invoice_no', sa.String(length=40), nullable=True),
    sa.Column('issued_on', sa.Date(), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    *_timestamps(),
    sa.CheckConstraint("kind IN ('normal', 'special')", name=op.f('ck_invoice_requests_kind')),
    sa.CheckConstraint("status IN ('requested', 'issued')", name=op.f('ck_invoice_requests_status')),
    sa.ForeignKeyConstraint(['institution_id'], ['organizations.id'], name=op.f('fk_invoice_requests_institution_id_organizations')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_invoice_requests_organization_id_organizations')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_invoice_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_invoice_requests_issued_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_invoice_requests'))
    )
    with op.batch_alter_table('invoice_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invoice_requests_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invoice_requests_organization_id'), ['organization_id'], unique=False)


def _charges():
    op.create_table('charges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('booking_id', sa.Integer(), nullable=True),
    sa.Column('order_id', sa.Integer(), nullable=True),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=True),
    sa.Column('original_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('voucher_id', sa.Integer(), nullable=True),
    sa.Column('voucher_amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('voucher_applied_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('invoice_request_id', sa.Integer(), nullable=True),
    sa.Column('paid_on', sa.Date(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    *_timestamps(),
    sa.CheckConstraint("source IN ('booking', 'order')", name=op.f('ck_charges_source')),
    sa.CheckConstraint("status IN ('open', 'invoiced', 'paid', 'waived')", name=op.f('ck_charges_status')),
    sa.CheckConstraint('(booking_id IS NULL) <> (order_id IS NULL)', name=op.f('ck_charges_subject')),
    sa.CheckConstraint('amount >= 0 AND original_amount >= 0', name=op.f('ck_charges_amount')),
    sa.CheckConstraint('voucher_amount >= 0 AND voucher_amount <= amount', name=op.f('ck_charges_voucher_amount')),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_charges_booking_id_bookings')),
    sa.ForeignKeyConstraint(['order_id'], ['service_orders.id'], name=op.f('fk_charges_order_id_service_orders')),
    sa.ForeignKeyConstraint(['institution_id'], ['organizations.id'], name=op.f('fk_charges_institution_id_organizations')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_charges_organization_id_organizations')),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'], name=op.f('fk_charges_instrument_id_instruments')),
    sa.ForeignKeyConstraint(['voucher_id'], ['vouchers.id'], name=op.f('fk_charges_voucher_id_vouchers')),
    sa.ForeignKeyConstraint(['invoice_request_id'], ['invoice_requests.id'], name=op.f('fk_charges_invoice_request_id_invoice_requests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_charges')),
    sa.UniqueConstraint('booking_id', name=op.f('uq_charges_booking_id')),
    sa.UniqueConstraint('order_id', name=op.f('uq_charges_order_id'))
    )
    with op.batch_alter_table('charges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_charges_voucher_id'), ['voucher_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_charges_invoice_request_id'), ['invoice_request_id'], unique=False)
        batch_op.create_index('ix_charges_institution_created', ['institution_id', 'created_at'], unique=False)
        batch_op.create_index('ix_charges_organization_created', ['organization_id', 'created_at'], unique=False)


def _adjustment_requests():
    op.create_table('adjustment_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('charge_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('amount_before', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('amount', sa.Numeric(precision=12, scale=2), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decision_reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('pending', 'approved', 'rejected')", name=op.f('ck_adjustment_requests_status')),
    sa.CheckConstraint('amount >= 0 AND amount <= amount_before', name=op.f('ck_adjustment_requests_amount')),
    sa.ForeignKeyConstraint(['charge_id'], ['charges.id'], name=op.f('fk_adjustment_requests_charge_id_charges')),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_adjustment_requests_requested_by_id_users')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_adjustment_requests_decided_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_adjustment_requests'))
    )
    with op.batch_alter_table('adjustment_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_adjustment_requests_charge_id'), ['charge_id'], unique=False)


# Charges for the services completed before this migration --------------------------------

CHARGE_COLUMNS = ("source", "booking_id", "order_id", "institution_id", "organization_id", "instrument_id",
                  "original_amount", "amount", "voucher_amount", "status", "version", "created_at", "updated_at")
MONEY, INSTANT = sa.Numeric(12, 2), sa.DateTime(timezone=True)
TYPES = {"original_amount": MONEY, "amount": MONEY, "voucher_amount": MONEY, "created_at": INSTANT,
         "updated_at": INSTANT}
charges = sa.table('charges', *(sa.column(name, TYPES.get(name)) for name in CHARGE_COLUMNS))
bookings = sa.table('bookings', sa.column('id'), sa.column('instrument_id'), sa.column('organization_id'),
                    sa.column('status'), sa.column('charge_amount', MONEY), sa.column('start_at', INSTANT),
                    sa.column('end_at', INSTANT), sa.column('actual_start', INSTANT), sa.column('actual_end', INSTANT))
instruments = sa.table('instruments', sa.column('id'), sa.column('institution_id'), sa.column('slot_minutes'),
                       sa.column('hourly_rate', MONEY), sa.column('sme_discount_percent', sa.Numeric(5, 2)))
organizations = sa.table('organizations', sa.column('id'), sa.column('kind'), sa.column('size'))
orders = sa.table('service_orders', sa.column('id'), sa.column('institution_id'), sa.column('organization_id'),
                  sa.column('instrument_id'), sa.column('status'), sa.column('quote_amount', MONEY),
                  sa.column('completed_at', INSTANT), sa.column('updated_at', INSTANT))
NO_ID = sa.cast(sa.null(), sa.Integer)


def _booking_charge_columns(amount):
    completed_at = sa.func.coalesce(bookings.c.actual_end, bookings.c.end_at)
    return [sa.literal('booking'), bookings.c.id, NO_ID, instruments.c.institution_id,
            bookings.c.organization_id, bookings.c.instrument_id, amount, amount, sa.literal(0), sa.literal('open'),
            sa.literal(1), completed_at, completed_at]


def _completed_bookings():
    return (sa.select().select_from(bookings.join(instruments, instruments.c.id == bookings.c.instrument_id))
            .where(bookings.c.status == 'completed'))


def _price(row):
    """The booking rule: actual minutes (or the booked span) rounded up to the slot, at least one slot."""
    start, end = (row.actual_start, row.actual_end) if row.actual_start and row.actual_end else (row.start_at, row.end_at)
    minutes = max(0, int((end - start).total_seconds() // 60))
    slot = row.slot_minutes
    billed = max(slot, math.ceil(minutes / slot) * slot)
    amount = Decimal(billed) / 60 * Decimal(row.hourly_rate)
    if row.kind == 'enterprise' and row.size != 'large':
        amount *= 1 - Decimal(row.sme_discount_percent) / 100
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _backfill():
    recorded = bookings.c.charge_amount > 0
    op.execute(charges.insert().from_select(
        CHARGE_COLUMNS, _completed_bookings().add_columns(*_booking_charge_columns(bookings.c.charge_amount))
        .where(recorded)))
    missing = op.get_bind().execute(
        _completed_bookings().join(organizations, organizations.c.id == bookings.c.organization_id).add_columns(
            bookings.c.id, bookings.c.organization_id, bookings.c.instrument_id, instruments.c.institution_id,
            bookings.c.start_at, bookings.c.end_at, bookings.c.actual_start, bookings.c.actual_end,
            instruments.c.slot_minutes, instruments.c.hourly_rate, instruments.c.sme_discount_percent,
            organizations.c.kind, organizations.c.size).where(sa.not_(recorded) | bookings.c.charge_amount.is_(None))
    ).all()
    rows = [dict(zip(CHARGE_COLUMNS, ('booking', r.id, None, r.institution_id, r.organization_id, r.instrument_id,
                                      _price(r), _price(r), 0, 'open', 1, r.actual_end or r.end_at,
                                      r.actual_end or r.end_at), strict=True)) for r in missing]
    if rows:
        op.bulk_insert(charges, rows)
    done_at = sa.func.coalesce(orders.c.completed_at, orders.c.updated_at)
    quote = sa.func.coalesce(orders.c.quote_amount, 0)
    op.execute(charges.insert().from_select(CHARGE_COLUMNS, sa.select(
        sa.literal('order'), NO_ID, orders.c.id, orders.c.institution_id, orders.c.organization_id,
        orders.c.instrument_id, quote, quote, sa.literal(0), sa.literal('open'), sa.literal(1), done_at, done_at)
        .where(orders.c.status == 'completed')))


def upgrade():
    _vouchers()
    _invoice_requests()
    _charges()
    _adjustment_requests()
    _backfill()


def downgrade():
    with op.batch_alter_table('adjustment_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_adjustment_requests_charge_id'))
    op.drop_table('adjustment_requests')
    with op.batch_alter_table('charges', schema=None) as batch_op:
        for name in ('ix_charges_organization_created', 'ix_charges_institution_created'):
            batch_op.drop_index(name)
        batch_op.drop_index(batch_op.f('ix_charges_invoice_request_id'))
        batch_op.drop_index(batch_op.f('ix_charges_voucher_id'))
    op.drop_table('charges')
    with op.batch_alter_table('invoice_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invoice_requests_organization_id'))
        batch_op.drop_index(batch_op.f('ix_invoice_requests_institution_id'))
    op.drop_table('invoice_requests')
    with op.batch_alter_table('vouchers', schema=None) as batch_op:
        batch_op.drop_index('ix_vouchers_status_valid_until')
        batch_op.drop_index(batch_op.f('ix_vouchers_issuer_id'))
        batch_op.drop_index(batch_op.f('ix_vouchers_organization_id'))
    op.drop_table('vouchers')
