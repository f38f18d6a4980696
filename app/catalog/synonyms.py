"""The city bureau keeps the search's synonym groups (同义词与缩写)."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import audit, db
from models.errors import Forbidden, NotFound, ValidationError
from models.synonym import MAX_TERMS_LENGTH, SearchSynonym, words_of

MAX_WORD_LENGTH = 50


def require_city(actor):
    if actor is None or not actor.is_city:
        raise Forbidden(_l("搜索同义词由市局维护。"))


def groups():
    return db.session.scalars(sa.select(SearchSynonym).order_by(SearchSynonym.id)).all()


def _checked_terms(terms, group_id):
    words = words_of(" ".join(terms) if isinstance(terms, list | tuple) else terms)
    if len(words) < 2:
        raise ValidationError(fields={"terms": _l("一组至少两个词，用空格或逗号分开，如：SEM 扫描电镜 扫描电子显微镜。")})
    text = " ".join(words)
    if len(text) > MAX_TERMS_LENGTH or any(len(w) > MAX_WORD_LENGTH for w in words):
        raise ValidationError(fields={"terms": _l("一组最多 %(n)s 个字符，每个词最多 %(m)s 个字符。",
                                                  n=MAX_TERMS_LENGTH, m=MAX_WORD_LENGTH)})
    for other in groups():
        taken = set(other.words) & set(words)
        if other.id != group_id and taken:
            raise ValidationError(fields={"terms": _l("“%(word)s”已在另一组（%(group)s）中，请合并到那一组。",
                                                      word=sorted(taken)[0], group=" ".join(other.words))})
    return text


def save_group(actor, terms, now, group=None):
    """Add a group, or replace the words of `group`."""
    require_city(actor)
    text = _checked_terms(terms, group.id if group else None)
    before = group.terms if group else None
    if group is None:
        group = SearchSynonym(terms=text)
        db.session.add(group)
    group.terms, group.updated_at = text, now
    db.session.flush()
    audit.record(group, "synonyms_saved", actor=actor, at=now, from_state=None, reason=text,
                 details={"before": before} if before else None)
    return group


def get_group(group_id):
    group = db.session.get(SearchSynonym, group_id)
    if group is None:
        raise NotFound()
    return group


def delete_group(actor, group, now):
    require_city(actor)
    audit.record(group, "synonyms_deleted", actor=actor, at=now, reason=group.terms)
    db.session.delete(group)
