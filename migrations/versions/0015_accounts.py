"""accounts: one-time account links, rejected sign-ups, sample delivery, order messages, report versions

account_tokens holds password-reset, first-password and invitation links (their tokens are computed,
never stored); notifications may go to an address only (such links); sign_in_attempts also counts
password-reset requests; organizations record a rejected sign-up and where samples are delivered;
order_messages and order_attachments are the conversation on an order; order_reports keeps every
issued version of a report (the reports already issued become version 1).

Revision ID: 0015_accounts
Revises: 0013_series_waitlist
Create Date: 2026-12-02 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0015_accounts'
down_revision = '0013_series_waitlist'
branch_labels = None
depends_on = None

ORGANIZATION_COLUMNS = (('rejection_reason', 500), ('sample_address', 200), ('sample_contact', 50),
                        ('sample_phone', 30), ('sample_instructions', 500))
BACKFILL_REPORTS = (
    "INSERT INTO order_reports (order_id, version, report_no, file, size, issued_at, reason) "
    "SELECT id, 1, report_no, report_file, COALESCE(report_size, 0), report_issued_at, '' FROM service_orders "
    "WHERE report_file IS NOT NULL AND report_no IS NOT NULL AND report_issued_at IS NOT NULL")


def upgrade():
    op.create_table('account_tokens',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('purpose', sa.String(length=16), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('organization_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('nonce', sa.String(length=32), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("purpose IN ('password_reset', 'set_password', 'invitation')",
                       name=op.f('ck_account_tokens_purpose')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_account_tokens_created_by_id_users')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'],
                            name=op.f('fk_account_tokens_organization_id_organizations')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_account_tokens_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_account_tokens'))
    )
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_account_tokens_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_account_tokens_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.alter_column('recipient_id', existing_type=sa.Integer(), nullable=True)
        batch_op.add_column(sa.Column('address', sa.String(length=254), nullable=True))
        batch_op.create_check_constraint(op.f('ck_notifications_addressed'),
                                         "recipient_id IS NOT NULL OR address IS NOT NULL")

    with op.batch_alter_table('sign_in_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('purpose', sa.String(length=16), nullable=False, server_default='sign_in'))

    with op.batch_alter_table('organizations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rejected_at', sa.DateTime(timezone=True), nullable=True))
        for name, length in ORGANIZATION_COLUMNS:
            batch_op.add_column(sa.Column(name, sa.String(length=length), nullable=False, server_default=''))

    _conversation()
    _report_versions()


def _conversation():
    op.create_table('order_messages',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_order_messages_author_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['service_orders.id'],
                            name=op.f('fk_order_messages_order_id_service_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_messages'))
    )
    with op.batch_alter_table('order_messages', schema=None) as batch_op:
        batch_op.create_index('ix_order_messages_order', ['order_id', 'created_at'], unique=False)

    op.create_table('order_attachments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('stored_name', sa.String(length=80), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['message_id'], ['order_messages.id'],
                            name=op.f('fk_order_attachments_message_id_order_messages')),
    sa.ForeignKeyConstraint(['order_id'], ['service_orders.id'],
                            name=op.f('fk_order_attachments_order_id_service_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_attachments')),
    sa.UniqueConstraint('stored_name', name=op.f('uq_order_attachments_stored_name'))
    )
    with op.batch_alter_table('order_attachments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_attachments_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_attachments_order_id'), ['order_id'], unique=False)


def _report_versions():
    op.create_table('order_reports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('order_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('report_no', sa.String(length=50), nullable=False),
    sa.Column('file', sa.String(length=80), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('issued_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.ForeignKeyConstraint(['issued_by_id'], ['users.id'], name=op.f('fk_order_reports_issued_by_id_users')),
    sa.ForeignKeyConstraint(['order_id'], ['service_orders.id'],
                            name=op.f('fk_order_reports_order_id_service_orders')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_reports')),
    sa.UniqueConstraint('order_id', 'version', name='uq_order_reports_order_version')
    )
    op.execute(BACKFILL_REPORTS)


def downgrade():
    op.drop_table('order_reports')
    with op.batch_alter_table('order_attachments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_attachments_order_id'))
        batch_op.drop_index(batch_op.f('ix_order_attachments_message_id'))
    op.drop_table('order_attachments')
    with op.batch_alter_table('order_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_order_messages_order')
    op.drop_table('order_messages')
    # Plain DROP COLUMN (SQLite ≥ 3.35 has it): a batch copy would drop organizations, which others reference.
    for name, _length in reversed(ORGANIZATION_COLUMNS):
        op.drop_column('organizations', name)
    op.drop_column('organizations', 'rejected_at')
    with op.batch_alter_table('sign_in_attempts', schema=None) as batch_op:
        batch_op.drop_column('purpose')
    op.execute("DELETE FROM notifications WHERE recipient_id IS NULL")
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_notifications_addressed'), type_='check')
        batch_op.drop_column('address')
        batch_op.alter_column('recipient_id', existing_type=sa.Integer(), nullable=False)
    with op.batch_alter_table('account_tokens', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_account_tokens_expires_at'))
        batch_op.drop_index(batch_op.f('ix_account_tokens_user_id'))
    op.drop_table('account_tokens')
