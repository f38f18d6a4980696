"""nrii: search synonyms kept by the city bureau; the national record's instrument fields; instrument photos

search_synonyms holds the groups of words that mean the same instrument (SEM = 扫描电镜 = 扫描电子显微镜),
seeded with the common ones; the catalog search expands a query word to its group. instruments.search_text
now also holds the names of the category, its class, the institution and its district ("光谱仪 浦东"):
recomputed here (and its PostgreSQL bigrams; the SQLite FTS triggers follow the column).

Revision ID: 0017_nrii
Revises: 0015_accounts
Create Date: 2026-11-29 09:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0017_nrii'
down_revision = '0015_accounts'
branch_labels = None
depends_on = None

# A copy of models/synonym.py's SEED as it was when this migration was written.
SYNONYMS = [
    "SEM 扫描电镜 扫描电子显微镜",
    "TEM 透射电镜 透射电子显微镜",
    "CMM 三坐标 三坐标测量机 坐标测量机",
    "拉力 拉力机 拉伸 万能材料试验机 万能试验机 材料试验机",
    "RoHS 有害物质 XRF X射线荧光",
    "ICP-MS 电感耦合等离子体质谱 ICP质谱",
    "ICP-OES ICP 电感耦合等离子体发射光谱",
    "GC-MS GCMS 气质联用 气相色谱-质谱",
    "LC-MS 液质联用 液相色谱-质谱",
    "HPLC 液相 液相色谱 高效液相色谱",
    "GC 气相 气相色谱",
    "AAS 原子吸收",
    "FTIR 红外光谱 傅里叶变换红外",
    "XRD X射线衍射 衍射仪",
    "DSC 差示扫描量热",
    "TGA 热重",
    "盐雾 盐雾试验 盐雾箱 中性盐雾 耐腐蚀",
    "高低温 高低温试验 湿热 温湿度 环境试验箱",
    "EMC 电磁兼容 抗扰度",
    "VNA 网络分析仪 矢量网络分析仪",
    "频谱仪 频谱分析仪",
    "探伤 无损检测 超声波探伤",
    "金相 金相显微镜",
    "硬度 硬度计",
    "粒度 粒径 粒度仪",
    "振动台 振动试验",
    "老化 耐候 紫外老化",
    "碳硫 碳硫分析仪",
]


NRII_TEXT_COLUMNS = (('ownership_type', 12), ('acquisition', 16), ('usage_type', 12), ('subject_area', 100),
                     ('achievements', 500), ('funding_source', 12), ('share_mode', 12), ('service_url', 200),
                     ('postcode', 6))


SEARCH_SOURCES = (
    "SELECT i.id, i.name, i.name_en, i.model, i.manufacturer, i.functions, i.specs, c.name, p.name, o.name, d.name "
    "FROM instruments i JOIN categories c ON c.code = i.category_code LEFT JOIN categories p ON p.code = c.parent_code "
    "JOIN organizations o ON o.id = i.institution_id LEFT JOIN districts d ON d.code = o.district_code")
FILL_BIGRAMS = ("UPDATE instruments SET search_bigrams = ARRAY(SELECT DISTINCT substr(search_text, i, 2) "
                "FROM generate_series(1, length(search_text) - 1) AS i WHERE substr(search_text, i, 2) !~ '\\s')")


def _recompute_search_text(with_places=True):
    bind = op.get_bind()
    for row in bind.execute(sa.text(SEARCH_SOURCES)).all():
        parts = row[1:] if with_places else row[1:7]
        bind.execute(sa.text("UPDATE instruments SET search_text = :text WHERE id = :id"),
                     {"text": " ".join(p for p in parts if p).lower(), "id": row[0]})
    if bind.dialect.name == "postgresql":
        op.execute(FILL_BIGRAMS)


def upgrade():
    synonyms = op.create_table('search_synonyms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('terms', sa.String(length=300), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_search_synonyms'))
    )
    op.bulk_insert(synonyms, [{"terms": terms} for terms in SYNONYMS])
    # Plain ADD COLUMN: a batch copy of instruments would lose the SQLite search triggers (0002).
    for name, length in NRII_TEXT_COLUMNS:
        op.add_column('instruments', sa.Column(name, sa.String(length=length), server_default='', nullable=False))
    op.add_column('instruments', sa.Column('customs_supervised', sa.Boolean(), server_default=sa.false(),
                                           nullable=False))
    op.create_table('instrument_photos',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instrument_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('file', sa.String(length=80), nullable=False),
    sa.Column('thumbnail', sa.String(length=80), nullable=False),
    sa.Column('width', sa.Integer(), nullable=False),
    sa.Column('height', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_instrument_photos_created_by_id_users')),
    sa.ForeignKeyConstraint(['instrument_id'], ['instruments.id'],
                            name=op.f('fk_instrument_photos_instrument_id_instruments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instrument_photos'))
    )
    op.create_index(op.f('ix_instrument_photos_instrument_id'), 'instrument_photos', ['instrument_id'], unique=False)
    _recompute_search_text()


def downgrade():
    _recompute_search_text(with_places=False)
    op.drop_index(op.f('ix_instrument_photos_instrument_id'), table_name='instrument_photos')
    op.drop_table('instrument_photos')
    op.execute("ALTER TABLE instruments DROP COLUMN customs_supervised")
    for name, _length in reversed(NRII_TEXT_COLUMNS):
        op.execute(f"ALTER TABLE instruments DROP COLUMN {name}")
    op.drop_table('search_synonyms')
