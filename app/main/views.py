"""The home page, and the icon browsers ask for at /favicon.ico whatever the page."""
from flask import Blueprint, current_app, render_template, send_from_directory

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("main/index.html")


@bp.get("/favicon.ico")
def favicon():
    return send_from_directory(current_app.static_folder, "favicon.ico", mimetype="image/vnd.microsoft.icon",
                               max_age=7 * 86400)
