"""Search synonyms (同义词与缩写): groups of words that mean the same instrument, kept by the city bureau.

A query word that equals any word of a group (case-insensitive) matches any word of that group, so
"SEM" finds 扫描电子显微镜 and "拉力" finds 万能材料试验机.
"""
import re

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from .base import UTCDateTime, db

MAX_TERMS_LENGTH = 300

# The seed (migration 0017_nrii): the words SMEs type for the instruments the platform lists.
SEED = [
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


def words_of(terms):
    """The group's words, lower-cased, in order, without repeats; spaces, commas or 、 separate them."""
    seen = []
    for word in re.split(r"[\s,，、;；]+", (terms or "").lower()):
        if not word:
            continue
        if word not in seen:
            seen.append(word)
    return seen


class SearchSynonym(db.Model):
    __tablename__ = "search_synonyms"

    id: Mapped[int] = mapped_column(primary_key=True)
    terms: Mapped[str] = mapped_column(sa.String(MAX_TERMS_LENGTH), nullable=False)
    updated_at = mapped_column(UTCDateTime)

    @property
    def words(self):
        return words_of(self.terms)

    def as_dict(self):
        return {"id": self.id, "terms": self.words}
