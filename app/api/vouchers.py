"""Innovation vouchers (科技创新券): issue, list, revoke, apply to a charge; redemptions and packs."""
from flask import current_app, jsonify, request
from flask_babel import lazy_gettext as _l

from models import Organization, db
from models.errors import Forbidden, ValidationError
from models.money import decimal_text
from models.settlement import Charge
from models.timeutil import iso_local, local_today
from models.voucher import STATES, Voucher

from .. import clock
from ..policy import get_in_scope, scoped
from ..settlement import documents, pack
from ..settlement import vouchers as settlement
from .base import actor, bp, created, declared_body, listing, roles
from .charges import charge_json, party
from .declare import Body, Day, Ident, Integer, Money, Query, QueryInt, Text, operation
from .statements import XLSX, attachment
from .strict import Fields


def voucher_json(voucher):
    return {"id": voucher.id, "code": voucher.code, "organization": party(voucher.organization),
            "issued_by": party(voucher.issuer), "programme": voucher.programme,
            "amount": decimal_text(voucher.amount), "balance": decimal_text(voucher.balance),
            "subsidy_percent": voucher.subsidy_percent, "valid_from": voucher.valid_from.isoformat(),
            "valid_until": voucher.valid_until.isoformat(), "status": voucher.status,
            "created_at": iso_local(voucher.created_at)}


VOUCHER = Body(organization_id=Ident(), amount=Money(), subsidy_percent=Integer(1, 100), valid_from=Day(),
               valid_until=Day(), programme=Text(100, required=True))


@bp.post("/vouchers")
@roles("district", "city")
@operation("发放创新券 · issue a voucher (district, city)", body=VOUCHER, status=201)
def issue_voucher():
    who = actor()
    data = declared_body()
    organization = get_in_scope(Organization, data.pop("organization_id"), who)
    voucher = settlement.issue(who, organization, data, clock.now(), current_app.config["VOUCHER_YEARLY_CAP"])
    db.session.commit()
    return created(voucher_json(voucher))


@bp.get("/vouchers")
@operation("创新券列表 · vouchers in scope", query=Query(status=Text(20), organization_id=QueryInt()), paged=True)
def list_vouchers():
    who, fields = actor(), Fields(request.args)
    status = request.args.get("status")
    if status:
        fields.choice("status", STATES)
    organization_id = fields.query_ident("organization_id")
    fields.done()
    stmt = scoped(Voucher, who)
    if status:
        stmt = stmt.where(Voucher.status == status)
    if organization_id:
        stmt = stmt.where(Voucher.organization_id == organization_id)
    return listing(stmt.order_by(Voucher.created_at.desc(), Voucher.id.desc()), voucher_json)


@bp.get("/vouchers/<voucher_id>")
@operation("创新券详情 · a voucher")
def get_voucher(voucher_id):
    return jsonify(voucher_json(get_in_scope(Voucher, voucher_id, actor())))


@bp.post("/vouchers/<voucher_id>/revoke")
@operation("撤销创新券 · revoke a voucher", body=Body(reason=Text(500, required=True)))
def revoke_voucher(voucher_id):
    who = actor()
    voucher = get_in_scope(Voucher, voucher_id, who)
    settlement.revoke(who, voucher, declared_body()["reason"], clock.now())
    db.session.commit()
    return jsonify(voucher_json(voucher))


@bp.post("/charges/<charge_id>/apply-voucher")
@operation("使用创新券 · apply a voucher to a charge", body=Body(voucher_id=Ident()))
def apply_voucher(charge_id):
    who = actor()
    charge = get_in_scope(Charge, charge_id, who)
    charge = settlement.apply(who, charge, declared_body()["voucher_id"], clock.now())
    db.session.commit()
    return jsonify(charge_json(charge))


def net_estimate_fields(order, viewer):
    """For the ordering enterprise, what a quote costs it with its best usable voucher."""
    estimate = settlement.net_estimate(order, viewer, local_today(clock.now()))
    if estimate is None:
        return {"net_estimate": None, "voucher_estimate": None}
    voucher = estimate["voucher"]
    return {"net_estimate": decimal_text(estimate["net_amount"]), "voucher_estimate": None if voucher is None else {
        "id": voucher.id, "code": voucher.code, "voucher_amount": decimal_text(estimate["voucher_amount"])}}


def redemption_json(charge):
    row = settlement.redemption_row(charge)
    return dict(row, amount=decimal_text(row["amount"]), voucher_amount=decimal_text(row["voucher_amount"]))


def _year():
    text = request.args.get("year")
    if text in (None, ""):
        return None
    if not text.isdigit() or not 2000 <= int(text) <= 2099:
        raise ValidationError(fields={"year": _l("年份应为四位数字，如 2026。")})
    return int(text)


def _redemptions(who):
    return settlement.redemptions(who, _year(), request.args.get("district") or None)


def _vouchers(who):
    return settlement.vouchers_in_sight(who, _year(), request.args.get("district") or None)


@bp.get("/vouchers/redemptions")
@operation("兑付记录 · voucher redemptions", query=Query(year=QueryInt(2000, 2100), district=Text(20)))
def list_redemptions():
    who = actor()
    return listing(_redemptions(who), redemption_json, default_per_page=100)


@bp.get("/vouchers/redemptions.xlsx")
@operation("兑付记录 Excel · redemptions as .xlsx", query=Query(year=QueryInt(2000, 2100), district=Text(20)), returns=XLSX)
def redemptions_xlsx():
    who = actor()
    rows = [settlement.redemption_row(c) for c in db.session.scalars(_redemptions(who))]
    vouchers = db.session.scalars(_vouchers(who)).all()
    return attachment(documents.vouchers_xlsx(vouchers, rows), XLSX, "vouchers.xlsx")


@bp.get("/charges/<charge_id>/redemption-pack")
@operation("兑付材料 · the redemption pack (.zip)", returns="application/zip")
def redemption_pack(charge_id):
    who = actor()
    charge = get_in_scope(Charge, charge_id, who)
    if not (charge.is_staff(who) or charge.is_customer(who)):
        raise Forbidden(_l("兑付材料由服务机构提交，只有费用的双方可以下载。"))
    return attachment(pack.redemption_pack(charge, current_app.config["UPLOAD_DIR"]), "application/zip",
                      f"redemption-pack-{charge.id}.zip")
