"""Settlement in the demo: charges for the year of history (written in bulk, so charged here), innovation
vouchers for both demo SMEs from their district bureaus and the city, one voucher used, one invoice issued."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from models import db
from models.money import cents
from models.settlement import Charge
from models.timeutil import local_today
from models.voucher import Voucher

from ..settlement import charges, invoices, vouchers
from .accounts import organization, user

GRANTS = [  # (bureau, enterprise, amount, subsidy %, days, programme)
    ("pudong", "sme", "20000.00", 50, 90, "2026 年浦东新区中小企业科技创新券"),
    ("city", "sme", "5000.00", 30, 60, "上海市科技创新券（市级）"),
    ("minhang", "sme2", "10000.00", 40, 90, "2026 年闵行区科技创新券"),
]


def _grant(now):
    today = local_today(now)
    made = {}
    for bureau, enterprise, amount, percent, days, programme in GRANTS:
        made[(bureau, enterprise)] = vouchers.issue(user(bureau), organization(enterprise), {
            "amount": cents(amount), "subsidy_percent": percent, "valid_from": today,
            "valid_until": today + timedelta(days=days - 1), "programme": programme}, now,
            current_app.config["VOUCHER_YEARLY_CAP"])
    return made


def _open_charges(enterprise):
    return db.session.scalars(sa.select(Charge).where(
        Charge.organization_id == organization(enterprise).id, Charge.status == "open")
        .order_by(Charge.created_at.desc(), Charge.id.desc())).all()


def load(now):
    if db.session.scalar(sa.select(sa.func.count(Voucher.id))):
        return {"vouchers": "kept"}
    charged = charges.backfill()
    granted = _grant(now)
    latest = _open_charges("sme")[:1]
    for charge in latest:
        vouchers.apply(user("sme"), charge, granted[("pudong", "sme")].id, now)
    at_lab2 = [c.id for c in _open_charges("sme2") if c.institution_id == organization("lab2").id][:2]
    if at_lab2:
        request = invoices.request_invoice(user("sme2"), at_lab2, {
            "title": organization("sme2").name, "tax_no": organization("sme2").uscc, "kind": "normal",
            "email": "finance@example.com"}, now)
        invoices.issue_invoice(user("lab2"), request, f"{local_today(now):%Y%m%d}0001", local_today(now), now)
    return {"charges (history)": charged, "vouchers": len(granted)}
