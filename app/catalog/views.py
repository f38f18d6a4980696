"""The public catalog: search instruments, read an instrument's full record, browse institutions."""
from datetime import date, timedelta

import sqlalchemy as sa
from flask import Blueprint, current_app, render_template, request, send_file
from flask_login import current_user

from models import District, Organization, db
from models.base import built_once
from models.errors import NotFound
from models.instrument import Closure, Instrument, weekly_hours
from models.timeutil import local_today

from .. import clock
from ..availability.services import next_free_of
from ..availability.week import first_open_week, table_rows, week_grid
from ..booking import credit
from ..booking.forms import booking_form
from ..pagination import page_args, paginate
from ..policy import get_in_scope, parse_id, scoped
from ..qualifications import services as qualifications
from . import photos
from . import search as catalog_search

bp = Blueprint("catalog", __name__)
YEAR_SECONDS = 365 * 24 * 3600
bp.add_app_template_filter(catalog_search.highlight, "highlight")
bp.add_app_template_global(table_rows, "week_rows")


def _actor():
    return current_user if current_user.is_authenticated else None


def _filters(args):
    try:
        institution_id = parse_id(args["institution_id"]) if args.get("institution_id") else None
    except NotFound:
        institution_id = None
    return catalog_search.Filters(
        q=args.get("q", "").strip(), category=args.get("category", ""), district=args.get("district", ""),
        institution_id=institution_id, mode=args.get("mode", ""), sort=args.get("sort", ""),
        bookable_now=args.get("bookable") == "1")


@bp.get("/instruments")
def search():
    filters = _filters(request.args)
    today = local_today(clock.now())
    page, per_page = page_args(request.args)
    groups = catalog_search.expand(filters.q)
    result = paginate(catalog_search.search(_actor(), filters, today, groups), page, per_page, key=Instrument.id,
                      count_apart=catalog_search.count_apart(filters, groups))
    refine = request.args.get("facets") == "1"  # the counts per category, district and mode: a second pass, asked for
    return render_template(
        "catalog/search.html", page=result, filters=filters, today=today, marks=catalog_search.marks(groups),
        cover=photos.first_photos([i.id for i in result.items]),
        next_free=_next_free_slots(result.items, clock.now()),
        facets=catalog_search.facets(_actor(), filters, today, groups) if refine else None,
        categories=catalog_search.categories(), districts=_districts(), institutions=_institutions())


NEXT_FREE_SECONDS = 60
NEXT_FREE_CACHE = "catalog_next_free"  # app.extensions: (instrument id, minute) → its next free slot, per worker


def _next_free_slots(instruments, now):
    """The cards' next free slots from the one availability function, read for the page's cards together and
    each reused for a minute (the booking form checks again)."""
    bucket = int(now.timestamp()) // NEXT_FREE_SECONDS
    cache = current_app.extensions.setdefault(NEXT_FREE_CACHE, {})
    if len(cache) > 5000 or any(key[1] != bucket for key in list(cache)[:1]):
        cache.clear()
    missing = [i for i in instruments if (i.id, bucket) not in cache]
    for instrument_id, slot in next_free_of(missing, now).items():
        cache[(instrument_id, bucket)] = slot
    return {i.id: cache[(i.id, bucket)] for i in instruments}


@bp.get("/instruments/<int:instrument_id>")
def instrument(instrument_id):
    found = get_in_scope(Instrument, instrument_id, _actor())
    now = clock.now()
    closures = db.session.scalars(_upcoming_closures(), {"id": found.id, "now": now}).all()
    staff = current_user.is_authenticated and current_user.is_staff_of(found.institution_id)
    monday, hours = _monday(request.args.get("week")), weekly_hours(found)
    if monday is None:
        monday, rows, days = first_open_week(found, now, staff=staff, week=hours)
    else:
        rows, days = week_grid(found, monday, now, staff=staff, week=hours)
    standing = qualifications.standing(_actor(), found, now)
    form = _booking_form(found, standing)
    return render_template("catalog/instrument.html", instrument=found, today=local_today(now), now=now,
                           hours=hours, closures=closures, rows=rows, days=days, monday=monday,
                           form=form, standing=standing, sme=_is_sme(), prev_week=monday - timedelta(days=7),
                           next_week=monday + timedelta(days=7), credit_standing=_credit_standing(found, now),
                           photos=photos.photos_of(found.id))


@bp.get("/instruments/<int:instrument_id>/photos/<int:photo_id>.jpg")
def photo(instrument_id, photo_id):
    """A photo, cached by browsers and proxies for a year: a photo's file never changes (a new one is a new id)."""
    found = get_in_scope(Instrument, instrument_id, _actor())
    picture = photos.photo_of(found, photo_id)
    size = "card" if request.args.get("size") == "card" else "large"
    response = send_file(photos.path_of(current_app.config["UPLOAD_DIR"], picture, size), mimetype="image/jpeg",
                         conditional=True, max_age=YEAR_SECONDS)
    public = found.status != "retired" and found.institution.approved
    response.cache_control.public, response.cache_control.private = public, not public
    response.cache_control.immutable = True
    return response


@built_once
def _upcoming_closures():
    """The instrument page's next ten closures (and one under way)."""
    return sa.select(Closure).where(Closure.instrument_id == sa.bindparam("id"), Closure.end_at > sa.bindparam("now")
                                    ).order_by(Closure.start_at).limit(10)


def _booking_form(instrument, standing):
    """The booking form, for enterprise users (the page shows it to no one else), with what a refused attempt
    asked for; never offering self-operated use to someone not qualified for it."""
    if not (current_user.is_authenticated and current_user.is_enterprise):
        return None
    form = booking_form(instrument, formdata=None)
    for name in ("start", "end", "repeat", "repeat_count", "repeat_until"):
        getattr(form, name).data = request.args.get(name, "")
    form.repeat_interval.data = request.args.get("repeat_interval", "1")
    if standing is not None:
        form.service_mode.choices = [c for c in form.service_mode.choices if c[0] in standing.modes]
    return form


def _monday(text):
    """The Monday of the week asked for; None when none (or nonsense) was asked for."""
    try:
        day = date.fromisoformat(text) if text else None
    except ValueError:
        return None
    return day - timedelta(days=day.weekday()) if day else None


def _credit_standing(instrument, now):
    """An enterprise's no-show record with the instrument's institution, to say why it needs approval."""
    if not (current_user.is_authenticated and current_user.is_enterprise):
        return None
    return credit.standing(current_user.organization_id, instrument.institution_id, now)


def _is_sme():
    return bool(current_user.is_authenticated and current_user.organization and current_user.organization.is_sme)


@bp.get("/institutions")
def institutions():
    district = request.args.get("district", "")
    stmt = scoped(Organization, _actor()).where(Organization.kind == "institution",
                                                 Organization.approved.is_(True))
    if district:
        stmt = stmt.where(Organization.district_code == district)
    counts = dict(db.session.execute(
        sa.select(Instrument.institution_id, sa.func.count(Instrument.id))
        .where(Instrument.status != "retired").group_by(Instrument.institution_id)).all())
    orgs = db.session.scalars(stmt.order_by(Organization.district_code, Organization.name)).all()
    return render_template("catalog/institutions.html", institutions=orgs, counts=counts,
                           districts=_districts(), district=district)


@bp.get("/institutions/<int:institution_id>")
def institution(institution_id):
    org = get_in_scope(Organization, institution_id, _actor())
    if org.kind != "institution":
        raise NotFound()
    today = local_today(clock.now())
    stmt = catalog_search.search(_actor(), catalog_search.Filters(institution_id=org.id), today)
    page, per_page = page_args(request.args, 50)
    return render_template("catalog/institution.html", org=org, page=paginate(stmt, page, per_page),
                           today=today)


def _districts():
    return db.session.scalars(sa.select(District).order_by(District.position)).all()


def _institutions():
    """The institution filter's choices: id and name only (300 institutions at city scale, each an Organization
    with its district joined, were a third of the catalog page's rows)."""
    return db.session.execute(sa.select(Organization.id, Organization.name).where(
        Organization.kind == "institution", Organization.approved.is_(True)).order_by(Organization.name)).all()
