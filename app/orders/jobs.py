"""What the scheduler does to orders: expire old quotes, complete orders whose report is old."""
from datetime import timedelta

import sqlalchemy as sa

from models.order import ServiceOrder
from models.timeutil import local_today

from ..claims import each_claimed
from . import services


def expire_quotes(now):
    today = local_today(now)
    stmt = sa.select(ServiceOrder).where(ServiceOrder.status == "quoted", ServiceOrder.quote_valid_until < today)
    return each_claimed(stmt.order_by(ServiceOrder.id), lambda order: services.expire_quote(order, now))


def autocomplete(now, days):
    cutoff = now - timedelta(days=days)
    stmt = sa.select(ServiceOrder).where(ServiceOrder.status == "report_issued",
                                         ServiceOrder.report_issued_at <= cutoff)
    return each_claimed(stmt.order_by(ServiceOrder.id), lambda order: services.complete(None, order, now))
