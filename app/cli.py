"""Command-line entry points: flask demo load, flask scheduler run, flask serve."""
import os
import sys

import click
from flask import current_app
from flask.cli import AppGroup

from models import db, utcnow

demo_cli = AppGroup("demo", help="Demo data.")


@demo_cli.command("load")
@click.option("--if-empty", is_flag=True, help="Only load into a database without any users.")
def demo_load(if_empty):
    """Load the demo organisations, accounts and activity (idempotent)."""
    from .demo import DemoRefused, database_is_empty, load

    if if_empty and not database_is_empty():
        click.echo("database already holds data; demo not loaded")
        return
    try:
        summary = load(utcnow())
    except DemoRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo("demo loaded: " + ", ".join(f"{k}={v}" for k, v in summary.items()))


@click.command("serve")
@click.option("--workers", default=2, show_default=True, help="gunicorn web workers")
def serve(workers):
    """Run the web server (gunicorn) and the scheduler, restarting the scheduler if it dies; Ctrl-C stops both."""
    from .ops.supervise import Supervisor

    host, port = current_app.config["HOST"], current_app.config["PORT"]
    web = [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"{host}:{port}",
           "--access-logfile", "-", "wsgi:app"]
    scheduler = [sys.executable, "-m", "flask", "scheduler", "run"]
    click.echo(f"QI-Share on http://{host}:{port}/ (the scheduler is restarted if it stops); Ctrl-C stops both")
    sys.exit(Supervisor(web, scheduler, dict(os.environ)).run())


def register(app):
    from scheduler.cli import scheduler_cli

    from .accounts.cli import users_cli
    from .exchange.cli import nrii_cli
    from .ops.cli import backup_cli
    from .stats.cli import stats_cli
    from .workdays.cli import workdays_cli

    app.cli.add_command(demo_cli)
    app.cli.add_command(stats_cli)
    app.cli.add_command(workdays_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(serve)
    app.cli.add_command(backup_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(nrii_cli)
