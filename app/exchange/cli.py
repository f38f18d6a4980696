"""`flask nrii doc`: write docs/NRII.md from the mapping table (`--check` fails when the file is stale)."""
import pathlib
import sys

import click
from flask.cli import AppGroup

from . import nrii

nrii_cli = AppGroup("nrii", help="The national exchange (NRII).")
DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "NRII.md"


@nrii_cli.command("doc")
@click.option("--check", is_flag=True, help="Only compare; exit 1 when docs/NRII.md is out of date.")
def doc(check):
    text = nrii.markdown() + "\n"
    if check:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            click.echo("docs/NRII.md is out of date: run `flask nrii doc`.")
            sys.exit(1)
        click.echo("docs/NRII.md is up to date.")
        return
    DOC.write_text(text, encoding="utf-8")
    click.echo(f"wrote {DOC}")
