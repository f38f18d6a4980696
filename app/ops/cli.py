"""`flask backup create` and `flask backup restore` (deploy/backup.sh and deploy/restore.sh call these)."""
import click
from flask import current_app
from flask.cli import AppGroup

from models import utcnow

from . import backup

backup_cli = AppGroup("backup", help="Back up or restore the database and the uploaded files.")


@backup_cli.command("create")
@click.option("--to", "destination", type=click.Path(file_okay=False), help="folder for the archive")
def create(destination):
    archive = backup.create(current_app.config["SQLALCHEMY_DATABASE_URI"], current_app.config["UPLOAD_DIR"],
                            destination or current_app.config["BACKUP_DIR"], utcnow())
    click.echo(str(archive))


@backup_cli.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--database", help="restore into this database URL instead of the configured one")
@click.option("--uploads", type=click.Path(file_okay=False), help="restore the uploads here instead")
@click.option("--yes", is_flag=True, help="replace what the target database holds")
def restore(archive, database, uploads, yes):
    url = database or current_app.config["SQLALCHEMY_DATABASE_URI"]
    if not yes:
        click.confirm(f"Replace the contents of {url} with {archive}?", abort=True)
    try:
        manifest = backup.restore(archive, url, uploads or current_app.config["UPLOAD_DIR"])
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"restored the backup of {manifest['created_at']} (revision {manifest['revision']}): "
               + ", ".join(f"{k} {v}" for k, v in manifest["counts"].items()))
