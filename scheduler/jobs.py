"""The job table: what runs when. Each task takes `now`, is idempotent and returns a summary."""
from . import tasks

JOBS = [
    {"id": "heartbeat", "func": tasks.heartbeat, "trigger": "interval", "seconds": 60, "run_at_start": True},
]
JOBS_BY_ID = {job["id"]: job for job in JOBS}
