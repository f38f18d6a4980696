"""`flask users create-admin EMAIL`: the first administrator of a new platform, with a password typed on the
server's console (everyone after that is invited or opened on the pages, and sets their own password)."""
import click
from flask.cli import AppGroup

from models import User, db, utcnow

from ..auth.passwords import password_problem
from ..auth.services import hash_password
from .services import account_of, normalized

users_cli = AppGroup("users", help="Accounts.")


@users_cli.command("create-admin")
@click.argument("email")
@click.option("--name", default="", help="the administrator's name")
@click.password_option(help="typed twice; at least 10 characters and not easy to guess")
def create_admin(email, name, password):
    """Make an administrator account (refused when the address has one)."""
    email = normalized(email)
    if account_of(email) is not None:
        raise click.ClickException(f"{email} already has an account; sign in, or reset its password on the site")
    problem = password_problem(password, email)
    if problem:
        raise click.ClickException(str(problem))
    db.session.add(User(email=email, name=name, role="admin", password_hash=hash_password(password), created_at=utcnow()))
    db.session.commit()
    click.echo(f"administrator {email} created; sign in at /auth/login")
