"""`GET /api/docs`: the browsable API reference — Swagger UI (vendored under app/static/vendor/swagger-ui)
over `/api/v1/openapi.json`. A page of its own, outside the /api/v1 blueprint it describes."""
from flask import Blueprint, render_template

bp = Blueprint("api_docs", __name__)


@bp.get("/api/docs")
def reference():
    return render_template("api/docs.html")
