"""The search's synonym groups: anyone reads them, the city bureau edits them."""
from flask import g, jsonify
from flask_babel import lazy_gettext as _l

from models import db
from models.errors import ValidationError

from .. import clock
from ..catalog import synonyms
from ..policy import parse_id
from .base import actor, bp, created, json_body
from .declare import Body, ListOf, Text, operation


def _terms(body):
    terms = body.get("terms")
    if not (isinstance(terms, str) or (isinstance(terms, list) and all(isinstance(t, str) for t in terms))):
        raise ValidationError(fields={"terms": _l("应为词的列表，如 [\"SEM\", \"扫描电镜\"]。")})
    return terms


@bp.get("/search/synonyms")
@operation("同义词 · the search's synonym groups", public=True)
def synonym_groups():
    return jsonify(items=[group.as_dict() for group in synonyms.groups()])


@bp.post("/search/synonyms")
@operation("添加同义词组 · add a synonym group (city)", body=Body(terms=ListOf(item=Text(50), max_items=20)), status=201)
def add_synonym_group():
    group = synonyms.save_group(actor(), _terms(json_body()), clock.now())
    db.session.commit()
    return created(group.as_dict())


@bp.patch("/search/synonyms/<group_id>")
@operation("修改同义词组 · change a synonym group (city)", body=Body(terms=ListOf(item=Text(50), max_items=20)))
def edit_synonym_group(group_id):
    synonyms.require_city(actor())
    group = synonyms.save_group(g.actor, _terms(json_body()), clock.now(), synonyms.get_group(parse_id(group_id)))
    db.session.commit()
    return jsonify(group.as_dict())


@bp.delete("/search/synonyms/<group_id>")
@operation("删除同义词组 · delete a synonym group (city)", returns="empty")
def delete_synonym_group(group_id):
    synonyms.require_city(actor())
    synonyms.delete_group(g.actor, synonyms.get_group(parse_id(group_id)), clock.now())
    db.session.commit()
    return "", 204
