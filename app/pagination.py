"""Page arguments and paged results, shared by the API and the pages."""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import db
from models.errors import ValidationError

MAX_PER_PAGE = 100


def page_args(args, default_per_page=20):
    fields = {}
    try:
        page = int(args.get("page", 1))
        if page < 1:
            raise ValueError
    except (TypeError, ValueError):
        fields["page"] = _l("页码应为正整数。")
        page = 1
    try:
        per_page = int(args.get("per_page", default_per_page))
        if per_page < 1:
            raise ValueError
    except (TypeError, ValueError):
        fields["per_page"] = _l("每页条数应为 1 到 100 之间的整数。")
        per_page = default_per_page
    if fields:
        raise ValidationError(fields=fields)
    return page, min(per_page, MAX_PER_PAGE)


class Page:
    def __init__(self, items, total, page, per_page):
        self.items, self.total, self.page, self.per_page = items, total, page, per_page

    @property
    def pages(self):
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self):
        return self.page > 1

    @property
    def has_next(self):
        return self.page < self.pages


def paginate(stmt, page, per_page, *, scalars=True, key=None, count_apart=False):
    """One page of `stmt`. With `key` (the entity's id column), the database filters, counts and
    sorts ids only and the page's rows are loaded after, by id: wide rows and their eager joins
    are never sorted (the catalog at city scale). The ids are counted in the same pass as the page,
    unless `count_apart`: when an index walks the page in order and another counts (a list without a
    search term), two short statements beat one pass over every row."""
    offset = (page - 1) * per_page
    if key is not None:
        ids_stmt = stmt.with_only_columns(key)
        if count_apart:
            ids, total = db.session.scalars(ids_stmt.limit(per_page).offset(offset)).all(), None
        else:
            page_rows = db.session.execute(ids_stmt.add_columns(sa.func.count().over().label("total"))
                                           .limit(per_page).offset(offset)).all()
            ids, total = [row[0] for row in page_rows], page_rows[0].total if page_rows else None
        if total is None:
            total = db.session.scalar(sa.select(sa.func.count()).select_from(ids_stmt.order_by(None).subquery()))
        found = {row.id: row for row in db.session.scalars(
            sa.select(key.class_).where(key.in_(ids))).unique()} if ids else {}
        return Page([found[i] for i in ids if i in found], total or 0, page, per_page)
    total = db.session.scalar(sa.select(sa.func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.execute(stmt.limit(per_page).offset(offset))
    items = rows.scalars().unique().all() if scalars else rows.all()
    return Page(items, total or 0, page, per_page)
