"""catalog: categories (seeded), instruments, opening hours, closures, import batches, search index

Search: on SQLite an FTS5 trigram table over instruments.search_text kept by triggers; on
PostgreSQL a pg_trgm GIN index on the same column.

Revision ID: 0002_catalog
Revises: 0001_foundation
Create Date: 2026-11-26 15:08:30.707675

"""
import sqlalchemy as sa
from alembic import op

# The 15 top-level classes of the national scheme (xx0000) in the scheme's order, and the
# sub-classes (xxyy00) the demo and common testing needs use. Our numbering, see README.
CATEGORIES = [
    ("010000", "分析仪器", "Analytical instruments", None),
    ("010100", "光谱仪器", "Spectroscopy instruments", "010000"),
    ("010200", "色谱仪器", "Chromatography instruments", "010000"),
    ("010300", "质谱仪器", "Mass spectrometers", "010000"),
    ("010400", "电子光学仪器", "Electron optics instruments", "010000"),
    ("010500", "X射线仪器", "X-ray instruments", "010000"),
    ("010600", "热分析仪器", "Thermal analysis instruments", "010000"),
    ("010700", "元素分析仪器", "Elemental analysers", "010000"),
    ("020000", "物理性能测试仪器", "Physical property testing instruments", None),
    ("020100", "力学性能测试仪器", "Mechanical testing instruments", "020000"),
    ("020200", "光学测量仪器", "Optical measuring instruments", "020000"),
    ("020300", "颗粒度测量仪器", "Particle size analysers", "020000"),
    ("030000", "计量仪器", "Metrology instruments", None),
    ("030100", "长度计量仪器", "Length metrology", "030000"),
    ("030200", "热学计量仪器", "Thermal metrology", "030000"),
    ("030300", "力学计量仪器", "Force, mass and pressure metrology", "030000"),
    ("030400", "电磁学计量仪器", "Electrical metrology", "030000"),
    ("030500", "时间频率计量仪器", "Time and frequency metrology", "030000"),
    ("040000", "电子测量仪器", "Electronic measuring instruments", None),
    ("040100", "通用电子测量仪器", "General electronic measurement", "040000"),
    ("040200", "射频和微波测试仪器", "RF and microwave test instruments", "040000"),
    ("040300", "电磁兼容测试设备", "EMC test equipment", "040000"),
    ("050000", "海洋仪器", "Marine instruments", None),
    ("060000", "地球探测仪器", "Earth exploration instruments", None),
    ("070000", "大气探测仪器", "Atmospheric sounding instruments", None),
    ("080000", "天文仪器", "Astronomical instruments", None),
    ("090000", "医学诊断仪器", "Medical diagnostic instruments", None),
    ("100000", "核仪器", "Nuclear instruments", None),
    ("110000", "特种检测仪器", "Special inspection instruments", None),
    ("110100", "无损检测仪器", "Non-destructive testing", "110000"),
    ("120000", "工艺实验设备", "Process and experiment equipment", None),
    ("120100", "环境与可靠性试验设备", "Environmental and reliability test equipment", "120000"),
    ("130000", "计算机及其配套设备", "Computers and peripherals", None),
    ("140000", "激光器", "Lasers", None),
    ("150000", "其他仪器", "Other instruments", None),
]

SQLITE_SEARCH = [
    "CREATE VIRTUAL TABLE instrument_search USING fts5("
    "search_text, content='instruments', content_rowid='id', tokenize='trigram')",
    "CREATE TRIGGER instruments_search_ai AFTER INSERT ON instruments BEGIN "
    "INSERT INTO instrument_search(rowid, search_text) VALUES (new.id, new.search_text); END",
    "CREATE TRIGGER instruments_search_ad AFTER DELETE ON instruments BEGIN "
    "INSERT INTO instrument_search(instrument_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); END",
    "CREATE TRIGGER instruments_search_au AFTER UPDATE OF search_text ON instruments BEGIN "
    "INSERT INTO instrument_search(instrument_search, rowid, search_text) "
    "VALUES ('delete', old.id, old.search_text); "
    "INSERT INTO instrument_search(rowid, search_text) VALUES (new.id, new.search_text); END",
]


# revision identifiers, used by Alembic.
revision = '0002_catalog'
down_revision = '0001_foundation'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('categories',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('name_en', sa.String(length=80), nullable=False),
    sa.Column('parent_code', sa.String(length=6), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['parent_code'], ['categories.code'], name=op.f('fk_categories_parent_code_categories')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_categories'))
    )
    categories = sa.table("categories", sa.column("code"), sa.column("name"), sa.column("name_en"),
                          sa.column("parent_code"), sa.column("position"))
    op.bulk_insert(categories, [{"code": c, "name": n, "name_en": e, "parent_code": p, "position": i}
                                for i, (c, n, e, p) in enumerate(CATEGORIES)])
    op.create_table('instruments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('name_en', sa.String(length=200), nullable=False),
    sa.Column('internal_code', sa.String(length=50), nullable=True),
    sa.Column('model', sa.String(length=100), nullable=False),
    sa.Column('manufacturer', sa.String(length=100), nullable=False),
    sa.Column('country_of_origin', sa.String(length=50), nullable=False),
    sa.Column('original_value_wan', sa.Numeric(precision=12, scale=2), nullable=True),
    sa.Column('commissioned_on', sa.Date(), nullable=True),
    sa.Column('category_code', sa.String(length=6), nullable=False),
    sa.Column('location', sa.String(length=200), nullable=False),
    sa.Column('contact_name', sa.String(length=50), nullable=False),
    sa.Column('contact_phone', sa.String(length=30), nullable=False),
    sa.Column('contact_email', sa.String(length=254), nullable=False),
    sa.Column('specs', sa.String(length=500), nullable=False),
    sa.Column('functions', sa.String(length=300), nullable=False),
    sa.Column('service_content', sa.String(length=200), nullable=False),
    sa.Column('sharing_rules', sa.String(length=500), nullable=False),
    sa.Column('measurement_range', sa.String(length=200), nullable=False),
    sa.Column('accuracy', sa.String(length=200), nullable=False),
    sa.Column('traceability', sa.String(length=20), nullable=True),
    sa.Column('certificate_no', sa.String(length=50), nullable=False),
    sa.Column('certified_on', sa.Date(), nullable=True),
    sa.Column('calibration_valid_until', sa.Date(), nullable=True),
    sa.Column('certifying_body', sa.String(length=100), nullable=False),
    sa.Column('offers_self_operated', sa.Boolean(), nullable=False),
    sa.Column('offers_assisted', sa.Boolean(), nullable=False),
    sa.Column('offers_test_by_proxy', sa.Boolean(), nullable=False),
    sa.Column('offers_outsourced_testing', sa.Boolean(), nullable=False),
    sa.Column('hourly_rate', sa.Numeric(precision=10, scale=2), nullable=False),
    sa.Column('sme_discount_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('slot_minutes', sa.Integer(), nullable=False),
    sa.Column('min_minutes', sa.Integer(), nullable=False),
    sa.Column('max_minutes', sa.Integer(), nullable=False),
    sa.Column('lead_minutes', sa.Integer(), nullable=False),
    sa.Column('max_advance_days', sa.Integer(), nullable=False),
    sa.Column('buffer_minutes', sa.Integer(), nullable=False),
    sa.Column('requires_approval', sa.Boolean(), nullable=False),
    sa.Column('max_future_bookings_per_org', sa.Integer(), nullable=False),
    sa.Column('cancel_free_hours', sa.Integer(), nullable=False),
    sa.Column('open_on_holidays', sa.Boolean(), nullable=False),
    sa.Column('custom_hours', sa.Boolean(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('search_text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("status IN ('active', 'maintenance', 'retired')", name=op.f('ck_instruments_status')),
    sa.CheckConstraint('hourly_rate >= 0', name=op.f('ck_instruments_hourly_rate')),
    sa.CheckConstraint('sme_discount_percent >= 0 AND sme_discount_percent <= 100', name=op.f('ck_instruments_discount')),
    sa.ForeignKeyConstraint(['category_code'], ['categories.code'], name=op.f('fk_instruments_category_code_categories')),
    sa.ForeignKeyConstraint(['institution_id'], ['organizations.id'], name=op.f('fk_instruments_institution_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instruments')),
    sa.UniqueConstraint('institution_id', 'internal_code', name='uq_instruments_internal_code')
    )
    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.create_index('ix_instruments_category_code', ['category_code'], unique=False)
        batch_op.create_index('ix_instruments_institution_status', ['institution_id', 'status'], unique=False)

    op.create_table('closures',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('start_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('end_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("kind IN ('maintenance', 'calibration', 'internal_use', 'other')", name=op.f('ck_closures_kind')),
    sa.CheckConstraint('start_at < end_at', name=op.f('ck_closures_span')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_closures_created_by_id_users')),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'], name=op.f('fk_closures_instrument_id_instruments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_closures'))
    )
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.create_index('ix_closures_instrument_time', ['instrument_id', 'start_at', 'end_at'], unique=False)

    op.create_table('import_batches',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('errors', sa.JSON(), nullable=False),
    sa.Column('error_count', sa.Integer(), nullable=False),
    sa.Column('create_count', sa.Integer(), nullable=False),
    sa.Column('update_count', sa.Integer(), nullable=False),
    sa.Column('imported_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_import_batches_created_by_id_users')),
    sa.ForeignKeyConstraint(['institution_id'], ['organizations.id'], name=op.f('fk_import_batches_institution_id_organizations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_import_batches'))
    )
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_import_batches_institution_id'), ['institution_id'], unique=False)

    op.create_table('opening_hours',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('institution_id', sa.Integer(), nullable=True),
    sa.Column('instrument_id', sa.Integer(), nullable=True),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('start_minute', sa.Integer(), nullable=False),
    sa.Column('end_minute', sa.Integer(), nullable=False),
    sa.CheckConstraint('(institution_id IS NULL) <> (instrument_id IS NULL)', name=op.f('ck_opening_hours_owner')),
    sa.CheckConstraint('start_minute >= 0 AND end_minute <= 1440 AND start_minute < end_minute', name=op.f('ck_opening_hours_span')),
    sa.CheckConstraint('weekday BETWEEN 1 AND 7', name=op.f('ck_opening_hours_weekday')),
    sa.ForeignKeyConstraint(['institution_id'], ['organizations.id'], name=op.f('fk_opening_hours_institution_id_organizations')),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'], name=op.f('fk_opening_hours_instrument_id_instruments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_opening_hours'))
    )
    with op.batch_alter_table('opening_hours', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_opening_hours_institution_id'), ['institution_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_opening_hours_instrument_id'), ['instrument_id'], unique=False)
    if op.get_bind().dialect.name == "sqlite":
        for statement in SQLITE_SEARCH:
            op.execute(statement)
    else:
        op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        op.execute("CREATE INDEX ix_instruments_search_trgm ON instruments USING gin (search_text gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name == "sqlite":
        for name in ("instruments_search_ai", "instruments_search_ad", "instruments_search_au"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        op.execute("DROP TABLE IF EXISTS instrument_search")
    else:
        op.execute("DROP INDEX IF EXISTS ix_instruments_search_trgm")
    with op.batch_alter_table('opening_hours', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_opening_hours_instrument_id'))
        batch_op.drop_index(batch_op.f('ix_opening_hours_institution_id'))

    op.drop_table('opening_hours')
    with op.batch_alter_table('import_batches', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_import_batches_institution_id'))

    op.drop_table('import_batches')
    with op.batch_alter_table('closures', schema=None) as batch_op:
        batch_op.drop_index('ix_closures_instrument_time')

    op.drop_table('closures')
    with op.batch_alter_table('instruments', schema=None) as batch_op:
        batch_op.drop_index('ix_instruments_institution_status')
        batch_op.drop_index('ix_instruments_category_code')

    op.drop_table('instruments')
    op.drop_table('categories')
