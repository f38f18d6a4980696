"""`flask workdays sync --year 2027`: add newly published days from the holidays package."""
import click
from flask.cli import AppGroup

from models import db

from . import services

workdays_cli = AppGroup("workdays", help="The working-day calendar.")


@workdays_cli.command("sync")
@click.option("--year", "years", type=int, multiple=True, required=True)
def sync(years):
    added = services.sync(list(years))
    db.session.commit()
    click.echo(f"added {added} days for {', '.join(map(str, years))}")
