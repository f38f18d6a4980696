"""Command-line entry points: flask demo load, flask scheduler run, flask serve."""
import os
import signal
import subprocess
import sys
import time

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
    """Run the web server (gunicorn) and the scheduler side by side; Ctrl-C stops both."""
    host, port = current_app.config["HOST"], current_app.config["PORT"]
    env = dict(os.environ)
    web = subprocess.Popen([sys.executable, "-m", "gunicorn", "--workers", str(workers),
                            "--bind", f"{host}:{port}", "--access-logfile", "-", "wsgi:app"], env=env)
    scheduler = subprocess.Popen([sys.executable, "-m", "flask", "scheduler", "run"], env=env)
    children = [web, scheduler]
    click.echo(f"QI-Share on http://{host}:{port}/ (scheduler pid {scheduler.pid}); Ctrl-C stops both")
    asked_to_stop = []

    def stop(*_args):
        asked_to_stop.append(True)
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    while all(child.poll() is None for child in children):
        time.sleep(0.5)
    died_on_its_own = not asked_to_stop
    stop()
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
    sys.exit(1 if died_on_its_own else 0)


def register(app):
    from scheduler.cli import scheduler_cli

    from .ops.cli import backup_cli
    from .stats.cli import stats_cli
    from .workdays.cli import workdays_cli

    app.cli.add_command(demo_cli)
    app.cli.add_command(stats_cli)
    app.cli.add_command(workdays_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(serve)
    app.cli.add_command(backup_cli)
