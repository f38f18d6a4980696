"""Reference lists: reporting units."""
import sqlalchemy as sa
from flask import jsonify

from models import District, db

from . import responses
from .base import bp
from .declare import operation


@bp.get("/districts")
@operation("全部 18 个统计单位（区）· the reporting districts", public=True, response=responses.DISTRICTS)
def districts():
    rows = db.session.scalars(sa.select(District).order_by(District.position)).all()
    return jsonify(items=[{"code": d.code, "name": str(d.label), "enterprise_target": d.enterprise_target}
                          for d in rows])
