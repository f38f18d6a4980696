"""Build the APScheduler BlockingScheduler from the job table and run jobs in an app context."""
import contextlib
import logging
import time
from datetime import datetime

from apscheduler.schedulers.blocking import BlockingScheduler

from models import db, utcnow
from models.timeutil import SHANGHAI

from .jobs import JOBS, JOBS_BY_ID

log = logging.getLogger("qishare.scheduler")


def run_job(app, job_id, now=None):
    """App context -> task(now) -> commit or rollback -> one log line. Returns the task's summary."""
    task = JOBS_BY_ID[job_id]["func"]
    started = time.monotonic()
    with app.app_context():
        try:
            result = task(now=now or utcnow())
            db.session.commit()
        except Exception:
            db.session.rollback()
            log.exception("job %s failed", job_id)
            raise
        finally:
            db.session.remove()
    log.info("job %s: %s (%.0f ms)", job_id, result, (time.monotonic() - started) * 1000)
    return result


def build_scheduler(app):
    scheduler = BlockingScheduler(
        timezone=SHANGHAI,
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 15 * 60},
    )
    for job in JOBS:
        trigger_args = {k: v for k, v in job.items() if k not in ("id", "func", "run_at_start")}
        if job.get("run_at_start"):
            trigger_args["next_run_time"] = datetime.now(SHANGHAI)
        scheduler.add_job(_safe_run, args=(app, job["id"]), id=job["id"], name=job["id"],
                          replace_existing=True, **trigger_args)
    return scheduler


def _safe_run(app, job_id):
    with contextlib.suppress(Exception):  # logged in run_job; the scheduler must keep running
        run_job(app, job_id)
