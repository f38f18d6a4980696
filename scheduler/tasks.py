"""Thin tasks: each calls a service with `now` (and settings) and reports what it did."""
from flask import current_app

from app.auth import sessions
from app.booking import jobs as booking_jobs
from app.catalog import jobs as catalog_jobs
from app.notify import mailer
from app.ops import services as ops
from app.orders import jobs as order_jobs
from app.qualifications import jobs as qualification_jobs
from app.settlement import vouchers
from app.stats import snapshot
from app.waitlist import jobs as waitlist_jobs


def heartbeat(now):
    ops.beat("scheduler", now)
    return "alive"


def deliver_outbox(now):
    return mailer.deliver(now, current_app.config)


def expire_pending_bookings(now):
    return f"expired {booking_jobs.expire_pending(now)}"


def mark_no_shows(now):
    return f"no-shows {booking_jobs.mark_no_shows(now, current_app.config['NO_SHOW_GRACE_MINUTES'])}"


def send_reminders(now):
    return f"reminders {booking_jobs.send_reminders(now)}"


def close_overdue_checkins(now):
    return f"closed {booking_jobs.close_overdue_checkins(now, current_app.config['CHECKIN_OVERDUE_MINUTES'])}"


def offer_waitlist(now):
    return f"waitlist offers {waitlist_jobs.refresh_offers(now)}"


def expire_quotes(now):
    return f"expired quotes {order_jobs.expire_quotes(now)}"


def autocomplete_orders(now):
    return f"completed {order_jobs.autocomplete(now, current_app.config['ORDER_AUTOCOMPLETE_DAYS'])}"


def calibration_alerts(now):
    return f"alerts {catalog_jobs.calibration_alerts(now)}"


def usage_snapshot(now):
    days = snapshot.refresh(now)
    return f"snapshot of {len(days)} day(s) retaken ({days[0]} … {days[-1]})"


def purge_sessions(now):
    return "purged " + ", ".join(f"{table} {count}" for table, count in sessions.purge(now).items())


def qualification_upkeep(now):
    expired, lapsed = qualification_jobs.expire(now), qualification_jobs.lapse(now)
    return f"qualifications expired {expired}, lapsed {lapsed}, reminded {qualification_jobs.remind(now)}"


def expire_vouchers(now):
    return f"expired vouchers {vouchers.expire(now)}"


def voucher_reminders(now):
    return f"voucher reminders {vouchers.remind_expiring(now)}"
