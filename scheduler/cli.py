"""`flask scheduler run` and `flask scheduler run-once JOB`."""
import contextlib

import click
from flask import current_app
from flask.cli import AppGroup

scheduler_cli = AppGroup("scheduler", help="The background job scheduler.")


@scheduler_cli.command("run")
def run():
    """Run the scheduler in the foreground (exactly one such process per deployment)."""
    from .runner import build_scheduler

    scheduler = build_scheduler(current_app._get_current_object())
    click.echo("scheduler started: " + ", ".join(job.id for job in scheduler.get_jobs()))
    with contextlib.suppress(KeyboardInterrupt, SystemExit):
        scheduler.start()


@scheduler_cli.command("run-once")
@click.argument("job_id")
def run_once(job_id):
    """Run one job now, as the scheduler would, and print what it did."""
    from .jobs import JOBS_BY_ID
    from .runner import run_job

    if job_id not in JOBS_BY_ID:
        raise click.ClickException(f"unknown job {job_id}; known: {', '.join(sorted(JOBS_BY_ID))}")
    click.echo(run_job(current_app._get_current_object(), job_id))
