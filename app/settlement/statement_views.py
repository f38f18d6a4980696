"""Monthly statements: the month's list, one statement as a page, PDF or .xlsx, an institution's .zip."""
import io

from flask import abort, render_template, request, send_file
from flask_login import current_user

from models.errors import Forbidden
from models.timeutil import local_today

from .. import clock
from . import documents
from .blueprint import bp
from .statements import parse_month, statement_for, statements_of_month

FILES = {"pdf": ("application/pdf", documents.statement_pdf),
         "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", documents.statement_xlsx)}


def _month(text=None):
    return parse_month(text if text is not None else request.args.get("month"), local_today(clock.now()))


@bp.get("/statements")
def statements_page():
    month = _month()
    return render_template("settlement/statements.html", month=month, statements=statements_of_month(current_user,
                                                                                                      month))


@bp.get("/statements/<month>/<int:institution_id>/<int:organization_id>")
def statement(month, institution_id, organization_id):
    found = statement_for(current_user, _month(month), institution_id, organization_id)
    return render_template("settlement/statement.html", statement=found)


@bp.get("/statements/<month>/<int:institution_id>/<int:organization_id>.<kind>")
def statement_file(month, institution_id, organization_id, kind):
    if kind not in FILES:
        abort(404)
    found = statement_for(current_user, _month(month), institution_id, organization_id)
    mimetype, write = FILES[kind]
    return send_file(io.BytesIO(write(found)), mimetype=mimetype, as_attachment=True,
                     download_name=f"statement-{found.label}-{institution_id}-{organization_id}.{kind}")


@bp.get("/statements/<month>.zip")
def statements_zip(month):
    if not current_user.is_institution_staff:
        raise Forbidden()
    first = _month(month)
    data = documents.statements_zip(statements_of_month(current_user, first), first.strftime("%Y-%m"))
    return send_file(io.BytesIO(data), mimetype="application/zip", as_attachment=True,
                     download_name=f"statements-{first:%Y-%m}.zip")
