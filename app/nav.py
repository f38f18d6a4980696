"""The navigation bar, by role. Items whose page is not registered are left out; some carry a count.

Staff of an institution whose sign-up is not yet approved read the menu of `pending_institution`: the
catalog and their application, not a console that would refuse them. The counts say how many things wait
for the reader (bookings to approve, orders to quote, training to schedule, sign-ups to review).
"""
import sqlalchemy as sa
from flask import current_app, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from models import Booking, Organization, ServiceOrder, db

from .policy import scoped
from .qualifications.training import waiting_count

# (label, endpoint, roles that see it; None = everyone)
NAV = [
    (_l("仪器目录"), "catalog.search", None),
    (_l("服务机构"), "catalog.institutions", None),
    (_l("我的预约"), "booking.mine", ("enterprise",)),
    (_l("检测委托"), "orders.mine", ("enterprise",)),
    (_l("仪器管理"), "console.instruments", ("institution",)),
    (_l("预约审批"), "booking.console_queue", ("institution",)),
    (_l("今日安排"), "booking.console_today", ("institution",)),
    (_l("委托受理"), "orders.inbox", ("institution",)),
    (_l("上机培训"), "qualifications.queue", ("institution",)),
    (_l("入驻申请"), "accounts.application", ("pending_institution",)),
    (_l("费用结算"), "settlement.charges_page", ("enterprise", "institution")),
    (_l("统计分析"), "stats.dashboard", ("institution", "district", "city")),
    (_l("试点统计表"), "stats.pilots", ("district", "city")),
    (_l("机构审核"), "orgs.signups", ("district",)),
    (_l("创新券"), "settlement.vouchers_page", ("district", "city")),
    (_l("区局账号"), "accounts.district_accounts", ("city",)),
    (_l("节假日"), "workdays.index", ("city",)),
    (_l("搜索同义词"), "synonyms.index", ("city",)),
    (_l("用户"), "admin.users", ("admin",)),
    (_l("单位"), "admin.organizations", ("admin",)),
]


def _awaiting_approval(user):
    return db.session.scalar(scoped(Booking, user, sa.select(sa.func.count(Booking.id)))
                             .where(Booking.status == "pending"))


def _awaiting_quote(user):
    return db.session.scalar(sa.select(sa.func.count(ServiceOrder.id)).where(
        ServiceOrder.institution_id == user.organization_id, ServiceOrder.status == "submitted"))


def _awaiting_review(user):
    return db.session.scalar(sa.select(sa.func.count(Organization.id)).where(
        Organization.kind == "institution", Organization.approved.is_(False), Organization.rejected_at.is_(None),
        Organization.district_code == user.district_code))


# endpoint -> what to count for the signed-in user (shown beside the item when not zero)
COUNTS = {"qualifications.queue": lambda user: waiting_count(user.organization_id),
          "booking.console_queue": _awaiting_approval, "orders.inbox": _awaiting_quote,
          "orgs.signups": _awaiting_review}

USER_MENU = [
    (_l("本单位成员"), "accounts.members", ("enterprise", "institution", "pending_institution")),
    (_l("日历订阅"), "calendar.settings", ("enterprise", "institution")),
    (_l("机构信息"), "console.institution", ("institution",)),
]


def _role():
    if not current_user.is_authenticated:
        return None
    if current_user.is_institution_staff and not current_user.institution_approved:
        return "pending_institution"
    return current_user.role


def _visible(entries):
    role = _role()
    items = []
    for label, endpoint, roles in entries:
        if endpoint not in current_app.view_functions:
            continue
        if roles is not None and role not in roles:
            continue
        active = request.endpoint == endpoint
        items.append((label, endpoint, active))
    return items


def nav_items():
    return _visible(NAV)


def nav_count(endpoint):
    """The number beside a menu item (e.g. bookings to approve), or 0."""
    count = COUNTS.get(endpoint)
    return count(current_user) if count is not None and current_user.is_authenticated else 0


def user_menu_items():
    return _visible(USER_MENU)


def has_page(endpoint):
    return endpoint in current_app.view_functions


def init_app(app):
    app.jinja_env.globals.update(nav_items=nav_items, user_menu_items=user_menu_items, has_page=has_page,
                                 nav_count=nav_count)
