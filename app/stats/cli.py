"""`flask stats backfill --since 2026-01-01`: take the snapshots of past days and keep the open hours ahead
(e.g. after deploying)."""
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
    today = local_today(now)
    first, last = date.fromisoformat(since), today - timedelta(days=1)
    snapshot.backfill(first, last, now)
    db.session.commit()
    click.echo(f"snapshots taken for {first} … {last}; open hours kept for {today} … {today.year}-12-31")
