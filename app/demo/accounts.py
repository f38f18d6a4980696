"""The demo organisations and the eight demo accounts the README lists (password demo12345)."""
from datetime import date

import sqlalchemy as sa

from models import Organization, User, db
from models.uscc import check_character

from ..auth.services import hash_password

PASSWORD = "demo12345"


def uscc(prefix17):
    return prefix17 + check_character(prefix17)


ORGANIZATIONS = {
    "city": dict(kind="bureau", name="上海市市场监督管理局", uscc=uscc("11310000MB2F01234"),
                 district_code=None, address="上海市徐汇区肇嘉浜路301号"),
    "pudong": dict(kind="bureau", name="浦东新区市场监督管理局", uscc=uscc("11310115MB2F05678"),
                   district_code="310115", address="上海市浦东新区合欢路2号"),
    "minhang": dict(kind="bureau", name="闵行区市场监督管理局", uscc=uscc("11310112MB2F09876"),
                    district_code="310112", address="上海市闵行区沪闵路6258号"),
    "lab": dict(kind="institution", name="上海浦江计量测试技术研究院（演示）",
                uscc=uscc("12310115MB2A12345"), district_code="310115",
                address="上海市浦东新区张衡路1000号", cma_no="230012345678", cnas_no="CNAS L01234",
                description="综合性计量测试与产品检测机构，提供长度、力学、热工、电学、化学计量校准，"
                            "以及电子电器、材料与环境可靠性检测服务。",
                contact_name="王工", contact_phone="021-50000001", contact_email="lab@demo.local",
                sample_address="上海市浦东新区张衡路1000号 3 号楼 1 层收样室", sample_contact="周工",
                sample_phone="021-50000011",
                sample_instructions="工作日 9:00–11:30、13:30–16:30 收样；样品请贴好样品标签，易碎件请加防震包装。"),
    "lab2": dict(kind="institution", name="上海闵行精测检测技术有限公司（演示）",
                 uscc=uscc("91310112MA1G23456"), district_code="310112",
                 address="上海市闵行区江川路800号", cma_no="230098765432", cnas_no=None,
                 description="面向中小企业的第三方检测机构，专长材料分析、环境可靠性与尺寸测量。",
                 contact_name="陈工", contact_phone="021-60000002", contact_email="lab2@demo.local",
                 sample_address="上海市闵行区江川路800号 B 座收样窗口", sample_contact="孙工", sample_phone="021-60000012",
                 sample_instructions="寄样请用顺丰到付，面单注明委托单号。"),
    "sme": dict(kind="enterprise", name="上海晨光精密机械有限公司（演示）", uscc=uscc("91310115MA1H34567"),
                district_code="310115", industry="C", size="small",
                address="上海市浦东新区川沙路5000号", contact_name="李敏",
                contact_phone="13800000001", contact_email="sme@demo.local"),
    "sme2": dict(kind="enterprise", name="上海虹桥新材料科技有限公司（演示）", uscc=uscc("91310112MA1J45678"),
                 district_code="310112", industry="C", size="micro",
                 address="上海市闵行区申长路990号", contact_name="赵磊",
                 contact_phone="13800000002", contact_email="sme2@demo.local"),
}

USERS = [
    ("admin", "admin", None, "平台管理员"),
    ("city", "city", "city", "市局统计员"),
    ("pudong", "district", "pudong", "浦东新区统计员"),
    ("minhang", "district", "minhang", "闵行区统计员"),
    ("lab", "institution", "lab", "王工"),
    ("lab2", "institution", "lab2", "陈工"),
    ("sme", "enterprise", "sme", "李敏"),
    ("sme2", "enterprise", "sme2", "赵磊"),
]


def organization(key):
    return db.session.scalar(sa.select(Organization).where(Organization.uscc == ORGANIZATIONS[key]["uscc"]))


def user(key):
    return db.session.scalar(sa.select(User).where(User.email == f"{key}@demo.local"))


def load(now):
    for key, fields in ORGANIZATIONS.items():
        if organization(key) is None:
            org = Organization(is_demo=True, created_at=now, **fields)
            if org.kind == "institution":
                org.approved, org.approved_at = True, now
                org.cma_valid_until = date(now.year + 3, 12, 31)
            db.session.add(org)
    db.session.flush()
    password_hash = hash_password(PASSWORD)
    for key, role, org_key, name in USERS:
        if user(key) is None:
            db.session.add(User(email=f"{key}@demo.local", password_hash=password_hash, role=role,
                                name=name, organization=organization(org_key) if org_key else None,
                                created_at=now))
    return {"organizations": len(ORGANIZATIONS), "users": len(USERS)}
