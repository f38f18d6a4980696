"""The job table: what runs when (Asia/Shanghai). Each task takes `now` and is idempotent."""
from . import tasks

JOBS = [
    {"id": "heartbeat", "func": tasks.heartbeat, "trigger": "interval", "seconds": 60, "run_at_start": True},
    {"id": "deliver_outbox", "func": tasks.deliver_outbox, "trigger": "interval", "minutes": 1},
    {"id": "expire_pending_bookings", "func": tasks.expire_pending_bookings, "trigger": "interval", "minutes": 5},
    {"id": "mark_no_shows", "func": tasks.mark_no_shows, "trigger": "interval", "minutes": 5},
    {"id": "send_reminders", "func": tasks.send_reminders, "trigger": "interval", "minutes": 5},
    {"id": "offer_waitlist", "func": tasks.offer_waitlist, "trigger": "interval", "minutes": 1},
    {"id": "close_overdue_checkins", "func": tasks.close_overdue_checkins, "trigger": "interval", "minutes": 15},
    {"id": "expire_quotes", "func": tasks.expire_quotes, "trigger": "cron", "hour": 0, "minute": 10},
    {"id": "autocomplete_orders", "func": tasks.autocomplete_orders, "trigger": "cron", "hour": 1, "minute": 0},
    {"id": "calibration_alerts", "func": tasks.calibration_alerts, "trigger": "cron", "hour": 8, "minute": 0},
    # Retakes every stale day and yesterday: cheap when nothing changed, so stale days stay few.
    {"id": "usage_snapshot", "func": tasks.usage_snapshot, "trigger": "interval", "minutes": 10},
    {"id": "purge_sessions", "func": tasks.purge_sessions, "trigger": "cron", "hour": 3, "minute": 15},
    {"id": "qualification_upkeep", "func": tasks.qualification_upkeep, "trigger": "cron", "hour": 7, "minute": 30},
    {"id": "expire_vouchers", "func": tasks.expire_vouchers, "trigger": "cron", "hour": 0, "minute": 20},
    {"id": "voucher_reminders", "func": tasks.voucher_reminders, "trigger": "cron", "hour": 9, "minute": 0},
]
JOBS_BY_ID = {job["id"]: job for job in JOBS}
