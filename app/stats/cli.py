"""`flask stats backfill --since 2026-01-01`: take the snapshots of past days (e.g. after deploying)."""
from datetime import date, timedelta

import click
from flask.cli import AppGroup

from models import db, utcnow
from models.timeutil import local_today

from . import snapshot

stats_cli = AppGroup("stats", help="Statistics.")


@stats_cli.command("backfill")
@click.option("--since", required=True, help="first day, YYYY-MM-DD")
def backfill(since):
    now = utcnow()
    first, last = date.fromisoformat(since), local_today(now) - timedelta(days=1)
    snapshot.backfill(first, last, now)
    db.session.commit()
    click.echo(f"snapshots taken for {first} … {last}")
