"""科技创新券: issued by a bureau, spent on an enterprise's open charges, expired by the scheduler.

A voucher pays min(balance, amount × subsidy %) of one charge. Spending holds the voucher's row
while it reads and lowers the balance (SELECT … FOR UPDATE on PostgreSQL; on SQLite every
transaction begins IMMEDIATE, one writer at a time), so concurrent applications see each other's
spending and their sum never exceeds the voucher. The database has the last word: a CHECK keeps
0 ≤ balance ≤ amount, and the version column turns a lost update into a 409.
"""
import secrets
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import Organization, audit, db
from models.errors import Forbidden, NotFound, ValidationError, VoucherUnusable
from models.money import ZERO, cents, decimal_text, money
from models.settlement import Charge
from models.timeutil import local, local_today, year_bounds
from models.voucher import LONGEST_VALIDITY_DAYS, REMINDER_DAYS, Voucher

from ..claims import each_claimed
from ..notify.services import notify_organization
from ..policy import parse_id, scoped

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRTUWXY"
MAX_AMOUNT = Decimal("100000000.00")


def locked(model, object_id):
    """The row, re-read under a lock that holds until the caller's commit."""
    return db.session.scalar(sa.select(model).where(model.id == object_id).with_for_update(of=model)
                             .execution_options(populate_existing=True))


def new_code(today):
    return f"CXQ-{today.year}-" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(6))


# Issuing and revoking ----------------------------------------------------------------------

def _check_terms(data, today):
    fields, amount, percent = {}, data.get("amount"), data.get("subsidy_percent")
    first, last, programme = data.get("valid_from"), data.get("valid_until"), (data.get("programme") or "").strip()
    if amount is None or amount <= 0 or amount > MAX_AMOUNT:
        fields["amount"] = _l("请填写大于 0、不超过一亿元的额度。")
    if not isinstance(percent, int) or not 1 <= percent <= 100:
        fields["subsidy_percent"] = _l("补贴比例应为 1 到 100 之间的整数。")
    if first is None or first < today:
        fields["valid_from"] = _l("请填写生效日期（不能早于今天）。")
    if last is None:
        fields["valid_until"] = _l("请填写失效日期。")
    elif first is not None and last < first:
        fields["valid_until"] = _l("失效日期不能早于生效日期。")
    elif first is not None and (last - first).days + 1 > LONGEST_VALIDITY_DAYS:
        fields["valid_until"] = _l("创新券有效期最长 %(max)s 天（约三个月），当前为 %(n)s 天。",
                                   max=LONGEST_VALIDITY_DAYS, n=(last - first).days + 1)
    if not programme or len(programme) > 100:
        fields["programme"] = _l("请填写项目名称（100 字以内）。")
    if fields:
        raise ValidationError(fields=fields)


def granted_in(organization_id, year):
    """What an enterprise has been granted in a year (by validity start), for the yearly cap."""
    granted = db.session.scalars(sa.select(Voucher).where(
        Voucher.organization_id == organization_id, Voucher.valid_from >= date(year, 1, 1),
        Voucher.valid_from <= date(year, 12, 31))).all()
    return sum((v.counts_towards_cap() for v in granted), ZERO)


def _check_cap(organization, amount, year, cap):
    db.session.execute(sa.select(Organization.id).where(Organization.id == organization.id).with_for_update())
    used = granted_in(organization.id, year)
    if used + amount > cap:
        message = _l("超过每家企业每年 %(cap)s 的创新券上限：%(year)s 年已发放 %(used)s，最多还能发放 %(left)s。",
                     cap=money(cap), year=year, used=money(used), left=money(max(ZERO, cap - used)))
        raise VoucherUnusable(message, fields={"amount": message})


def issue(actor, organization, data, now, yearly_cap):
    """A district bureau issues to an enterprise of its district, the city to any enterprise."""
    if actor is None or not (actor.is_district or actor.is_city):
        raise Forbidden(_l("只有区市场监管局或市局可以发放创新券。"))
    if organization is None or organization.kind != "enterprise":
        raise ValidationError(fields={"organization_id": _l("请选择一家企业。")})
    if actor.is_district and organization.district_code != actor.district_code:
        raise NotFound()
    today = local_today(now)
    _check_terms(data, today)
    amount = cents(data["amount"])
    _check_cap(organization, amount, data["valid_from"].year, yearly_cap)
    voucher = Voucher(code=new_code(today), organization=organization, issuer_id=actor.organization_id,
                      issued_by=actor, programme=data["programme"].strip(), amount=amount, balance=amount,
                      subsidy_percent=data["subsidy_percent"], valid_from=data["valid_from"],
                      valid_until=data["valid_until"], status="active", created_at=now, updated_at=now)
    db.session.add(voucher)
    db.session.flush()
    audit.record(voucher, "issued", actor=actor, at=now, to_state="active",
                 details={"amount": decimal_text(amount), "subsidy_percent": voucher.subsidy_percent})
    notify_organization(organization.id, "voucher_issued", voucher_id=voucher.id, code=voucher.code,
                        issuer=actor.organization.name, programme=voucher.programme, amount=decimal_text(amount),
                        percent=voucher.subsidy_percent, valid_until=voucher.valid_until.isoformat())
    return voucher


def revoke(actor, voucher, reason, now):
    voucher.require("revoke", actor, now)
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise ValidationError(fields={"reason": _l("请说明撤销的原因（500 字以内）。")})
    voucher.transition("revoked", actor=actor, now=now, reason=reason)
    notify_organization(voucher.organization_id, "voucher_revoked", voucher_id=voucher.id, code=voucher.code,
                        reason=reason)


# Spending ------------------------------------------------------------------------------------

def apply(actor, charge, voucher_id, now):
    """The enterprise pays part of an open charge with one of its vouchers."""
    charge = locked(Charge, charge.id)
    charge.require("apply_voucher", actor, now)
    voucher = _usable(voucher_id, charge, local_today(now))
    share = voucher.share_of(charge.amount)
    if share <= 0:
        raise VoucherUnusable(_l("这笔费用金额为零，无需使用创新券。"))
    voucher.spend(share, actor=actor, now=now)
    charge.voucher, charge.voucher_amount, charge.voucher_applied_at, charge.updated_at = voucher, share, now, now
    audit.record(charge, "voucher_applied", actor=actor, at=now,
                 details={"voucher": voucher.code, "amount": decimal_text(share), "balance": decimal_text(voucher.balance)})
    notify_organization(charge.institution_id, "voucher_applied", charge_id=charge.id, code=voucher.code,
                        organization=charge.organization.name, voucher_amount=decimal_text(share),
                        net_amount=decimal_text(charge.net_amount))
    return charge


def _usable(voucher_id, charge, today):
    try:
        voucher = locked(Voucher, parse_id(voucher_id))
    except NotFound:
        voucher = None
    if voucher is None:
        raise VoucherUnusable(_l("找不到该创新券，请核对后重试。"))
    reason = voucher.unusable_reason(charge.organization_id, today)
    if reason is not None:
        raise VoucherUnusable(reason)
    return voucher


def give_back_excess(charge, actor, now):
    """After the charge's amount went down: the voucher pays no more than its share of the new amount."""
    if charge.voucher_id is None:
        return ZERO
    voucher = locked(Voucher, charge.voucher_id)
    share = min(charge.voucher_amount, cents(charge.amount * voucher.subsidy_percent / 100))
    excess = charge.voucher_amount - share
    if excess > 0:
        voucher.give_back(excess, actor=actor, now=now)
        charge.voucher_amount = share
    return excess


def usable_vouchers(organization_id, today):
    """The enterprise's vouchers that can pay something today, the soonest to expire first."""
    return db.session.scalars(sa.select(Voucher).where(
        Voucher.organization_id == organization_id, Voucher.status == "active", Voucher.balance > 0,
        Voucher.valid_from <= today, Voucher.valid_until >= today).order_by(Voucher.valid_until, Voucher.id)).all()


def best_voucher(organization_id, amount, today):
    """(voucher, share) paying most of `amount`; the sooner-expiring one on a tie. (None, 0) without one."""
    best, best_share = None, ZERO
    for voucher in usable_vouchers(organization_id, today):
        share = voucher.share_of(amount)
        if share > best_share:
            best, best_share = voucher, share
    return best, best_share


def net_estimate(order, viewer, today):
    """What a quoted order would cost the enterprise with its best voucher (only the enterprise sees it)."""
    if order.quote_amount is None or not order.is_customer(viewer) or order.status in ("completed", "cancelled",
                                                                                       "declined", "expired"):
        return None
    voucher, share = best_voucher(order.organization_id, order.quote_amount, today)
    return {"voucher": voucher, "voucher_amount": share, "net_amount": cents(order.quote_amount) - share}


# The scheduler ---------------------------------------------------------------------------------

def expire(now):
    """Active vouchers past their last day expire; what is left of them can no longer be spent."""
    due = sa.select(Voucher).where(Voucher.status == "active", Voucher.valid_until < local_today(now)).order_by(Voucher.id)
    return each_claimed(due, lambda voucher: voucher.transition("expired", actor=None, now=now))


def remind_expiring(now):
    """Once per voucher, within REMINDER_DAYS of its last day, while something is left to spend."""
    today = local_today(now)
    due = db.session.scalars(sa.select(Voucher.id).where(
        Voucher.status == "active", Voucher.reminded_at.is_(None), Voucher.balance > 0, Voucher.valid_until >= today,
        Voucher.valid_until <= today + timedelta(days=REMINDER_DAYS)).order_by(Voucher.id)).all()
    sent = 0
    for voucher_id in due:
        claimed = db.session.execute(sa.update(Voucher).where(Voucher.id == voucher_id, Voucher.reminded_at.is_(None))
                                     .values(reminded_at=now, version=Voucher.version + 1)
                                     .execution_options(synchronize_session=False))
        if claimed.rowcount != 1:
            continue
        voucher = db.session.get(Voucher, voucher_id, populate_existing=True)
        notify_organization(voucher.organization_id, "voucher_expiring", voucher_id=voucher.id, code=voucher.code,
                            valid_until=voucher.valid_until.isoformat(), balance=decimal_text(voucher.balance))
        sent += 1
    return sent


# What bureaus see ------------------------------------------------------------------------------

def _bureau_sight(actor, district):
    """The ids of the vouchers a bureau looks at (its scope, narrowed to one district if asked)."""
    if actor is None or actor.role not in ("district", "city", "admin"):
        raise Forbidden(_l("创新券兑付记录仅向市场监管部门开放。"))
    if district and actor.is_district and district != actor.district_code:
        raise Forbidden(_l("区市场监管局只能查看本区的创新券。"))
    ids = scoped(Voucher, actor, sa.select(Voucher.id))
    if district:
        ids = ids.where(Voucher.organization_id.in_(
            sa.select(Organization.id).where(Organization.district_code == district)))
    return ids


def vouchers_in_sight(actor, year=None, district=None):
    """The vouchers a bureau issued or oversees (valid from within `year`), oldest first."""
    stmt = sa.select(Voucher).where(Voucher.id.in_(_bureau_sight(actor, district)))
    if year:
        stmt = stmt.where(Voucher.valid_from >= date(year, 1, 1), Voucher.valid_from <= date(year, 12, 31))
    return stmt.order_by(Voucher.created_at, Voucher.id)


def redemptions(actor, year=None, district=None):
    """Charges paid in part by vouchers in the bureau's sight, in the order the vouchers were applied."""
    stmt = sa.select(Charge).where(Charge.voucher_id.in_(_bureau_sight(actor, district)))
    if year:
        start, end = year_bounds(year)
        stmt = stmt.where(Charge.voucher_applied_at >= start, Charge.voucher_applied_at < end)
    return stmt.order_by(Charge.voucher_applied_at, Charge.id)


def redemption_row(charge):
    """Who, where, what, how much: one redemption as bureaus see it."""
    return {"voucher_code": charge.voucher.code, "enterprise": charge.organization.name,
            "institution": charge.institution.name, "source": charge.source, "source_id": charge.source_id,
            "amount": charge.amount, "voucher_amount": charge.voucher_amount,
            "date": local(charge.voucher_applied_at).date().isoformat()}
