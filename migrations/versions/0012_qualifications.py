"""qualifications: operator qualifications, training requests and sessions, training holds

Instruments gain requires_qualification (default true) and qualification_lapse_days (default 180);
bookings name their operator; occupancies gain the kind 'training' (the PostgreSQL exclusion
constraint covers every active hold whatever its kind, so training holds are guarded with no change
to it); the nightly snapshot counts completed trainings. One active qualification per user and
instrument, and one open training request per user and instrument: partial unique indexes on both
databases.

SQLite may hold data already: columns are added in place, not by a batch copy (a copy would drop the
search triggers of instruments, and dropping a table other tables reference fails with foreign keys
on); the CHECK on occupancies.kind is widened by SQLite's documented in-place schema edit.

Revision ID: 0012_qualifications
Revises: 0010_sessions
Create Date: 2026-11-29 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0012_qualifications'
down_revision = '0010_sessions'
branch_labels = None
depends_on = None

ACTIVE = sa.text("status = 'active'")
OPEN = sa.text("status IN ('requested', 'scheduled')")
COMPLETED = sa.text("status = 'completed'")


OLD_KINDS = "kind IN ('booking', 'order_work')"
NEW_KINDS = "kind IN ('booking', 'order_work', 'training')"
OPERATOR = "operator_id INTEGER CONSTRAINT fk_bookings_operator_id_users REFERENCES users (id)"


def _sqlite():
    return op.get_bind().dialect.name == "sqlite"


def _edit_sqlite_schema(table, old, new):
    """SQLite's documented in-place schema edit (sqlite.org/lang_altertable.html, "Making Other Kinds Of
    Table Schema Changes"), for changes every stored row already satisfies: widening a CHECK, removing a
    FOREIGN KEY clause. No table is copied or dropped, so the references other tables hold stay intact."""
    bind = op.get_bind()
    create = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?",
                                  (table,)).scalar()
    assert old in create, f"{table}: {old!r} not found"
    version = bind.exec_driver_sql("PRAGMA schema_version").scalar()
    bind.exec_driver_sql("PRAGMA writable_schema = ON")
    bind.exec_driver_sql("UPDATE sqlite_master SET sql = ? WHERE type = 'table' AND name = ?",
                         (create.replace(old, new), table))
    bind.exec_driver_sql(f"PRAGMA schema_version = {version + 1}")
    bind.exec_driver_sql("PRAGMA writable_schema = OFF")


def _hold_kinds(old, new):
    if _sqlite():
        _edit_sqlite_schema('occupancies', old, new)
        return
    op.drop_constraint(op.f('ck_occupancies_kind'), 'occupancies', type_='check')
    op.create_check_constraint(op.f('ck_occupancies_kind'), 'occupancies', new)


def upgrade():
    op.add_column('instruments', sa.Column('requires_qualification', sa.Boolean(), nullable=False,
                                           server_default=sa.true()))
    op.add_column('instruments', sa.Column('qualification_lapse_days', sa.Integer(), nullable=False,
                                           server_default='180'))
    if _sqlite():
        op.execute(f"ALTER TABLE bookings ADD COLUMN {OPERATOR}")
    else:
        op.add_column('bookings', sa.Column('operator_id', sa.Integer(), nullable=True))
        op.create_foreign_key(op.f('fk_bookings_operator_id_users'), 'bookings', 'users', ['operator_id'], ['id'])
    _hold_kinds(OLD_KINDS, NEW_KINDS)
    op.add_column('usage_snapshots', sa.Column('trainings_completed', sa.Integer(), nullable=False,
                                               server_default='0'))

    op.create_table('qualifications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('granted_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('granted_by_id', sa.Integer(), nullable=True),
    sa.Column('expires_on', sa.Date(), nullable=True),
    sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status_reason', sa.String(length=500), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("level IN ('assisted', 'independent')", name=op.f('ck_qualifications_level')),
    sa.CheckConstraint("status IN ('active', 'lapsed', 'expired', 'revoked')", name=op.f('ck_qualifications_status')),
    sa.CheckConstraint("source IN ('direct', 'training')", name=op.f('ck_qualifications_source')),
    sa.ForeignKeyConstraint(['granted_by_id'], ['users.id'], name=op.f('fk_qualifications_granted_by_id_users')),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'], name=op.f('fk_qualifications_instrument_id_instruments')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_qualifications_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_qualifications'))
    )
    op.create_index('uq_qualifications_one_active', 'qualifications', ['user_id', 'instrument_id'], unique=True,
                    postgresql_where=ACTIVE, sqlite_where=ACTIVE)
    op.create_index('ix_qualifications_instrument_status', 'qualifications', ['instrument_id', 'status'])
    op.create_index('ix_qualifications_user', 'qualifications', ['user_id'])

    op.create_table('training_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('occupancy_id', sa.Integer(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('start_at < end_at', name=op.f('ck_training_sessions_span')),
    sa.CheckConstraint("status IN ('scheduled', 'completed', 'cancelled')", name=op.f('ck_training_sessions_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_training_sessions_created_by_id_users')),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'], name=op.f('fk_training_sessions_instrument_id_instruments')),
    sa.ForeignKeyConstraint(['occupancy_id'], ['occupancies.id'], name=op.f('fk_training_sessions_occupancy_id_occupancies')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_sessions')),
    sa.UniqueConstraint('occupancy_id', name=op.f('uq_training_sessions_occupancy_id'))
    )
    op.create_index('ix_training_sessions_completed_start', 'training_sessions', ['start_at', 'instrument_id'],
                    postgresql_where=COMPLETED, sqlite_where=COMPLETED)
    op.create_index('ix_training_sessions_instrument_start', 'training_sessions', ['instrument_id', 'start_at'])

    op.create_table('training_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Integer(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('level', sa.String(length=12), nullable=True),
    sa.Column('status_reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("status IN ('requested', 'scheduled', 'passed', 'failed', 'declined')",
                       name=op.f('ck_training_requests_status')),
    sa.CheckConstraint("level IS NULL OR level IN ('assisted', 'independent')", name=op.f('ck_training_requests_level')),
    sa.CheckConstraint("(status IN ('scheduled', 'passed', 'failed')) = (session_id IS NOT NULL)",
                       name=op.f('ck_training_requests_session_when_scheduled')),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'], name=op.f('fk_training_requests_instrument_id_instruments')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_training_requests_organization_id_organizations')),
    sa.ForeignKeyConstraint(['session_id'], ['training_sessions.id'], name=op.f('fk_training_requests_session_id_training_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_training_requests_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_training_requests'))
    )
    op.create_index('uq_training_requests_one_open', 'training_requests', ['user_id', 'instrument_id'], unique=True,
                    postgresql_where=OPEN, sqlite_where=OPEN)
    op.create_index('ix_training_requests_instrument_status', 'training_requests', ['instrument_id', 'status'])
    op.create_index('ix_training_requests_organization', 'training_requests', ['organization_id'])
    op.create_index('ix_training_requests_session', 'training_requests', ['session_id'])


def downgrade():
    op.drop_table('training_requests')
    op.drop_table('training_sessions')
    op.drop_table('qualifications')
    op.execute("DELETE FROM occupancies WHERE kind = 'training'")
    op.execute("ALTER TABLE usage_snapshots DROP COLUMN trainings_completed")
    _hold_kinds(NEW_KINDS, OLD_KINDS)
    if _sqlite():
        _edit_sqlite_schema('bookings', OPERATOR, "operator_id INTEGER")
        op.execute("ALTER TABLE bookings DROP COLUMN operator_id")
    else:
        op.drop_constraint(op.f('fk_bookings_operator_id_users'), 'bookings', type_='foreignkey')
        op.drop_column('bookings', 'operator_id')
    op.execute("ALTER TABLE instruments DROP COLUMN qualification_lapse_days")
    op.execute("ALTER TABLE instruments DROP COLUMN requires_qualification")
