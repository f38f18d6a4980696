"""Catalog: categories, institutions, instruments, opening hours, closures."""
import sqlalchemy as sa
from flask import g, jsonify, request
from flask_babel import lazy_gettext as _l

from models import Organization, db
from models.errors import NotFound, ValidationError
from models.instrument import CLOSURE_KINDS, SERVICE_MODES, Closure, Instrument, weekly_hours, weekly_hours_of
from models.timeutil import iso_local, local_today

from .. import clock
from ..booking import closures as closures_over_bookings
from ..catalog import search as catalog_search
from ..catalog import services as catalog
from ..catalog.forms import InstrumentForm
from ..formtools import read_instants
from ..pagination import page_args, paginate
from ..policy import get_in_scope, managed_instrument, parse_id, require_publisher, scoped
from . import responses
from .base import actor, bp, created, json_body, listing, validated
from .declare import Body, Choice, Flag, Instant, Integer, ListOf, Object, Query, QueryInt, Text, operation


def money(value):
    return None if value is None else f"{value:.2f}"


def institution_json(org, instrument_count=None):
    body = {"id": org.id, "name": org.name, "district_code": org.district_code,
            "district_name": str(org.district_label), "address": org.address, "description": org.description,
            "cma_no": org.cma_no, "cma_valid_until": org.cma_valid_until.isoformat() if org.cma_valid_until else None,
            "cnas_no": org.cnas_no, "contact": {"name": org.contact_name, "phone": org.contact_phone,
                                                "email": org.contact_email}}
    if instrument_count is not None:
        body["instrument_count"] = instrument_count
    return body


def instrument_json(instrument, today, week=None):
    state, days = instrument.calibration_state(today)
    body = catalog.editable_payload(instrument)
    body.update({
        "id": instrument.id,
        "institution": {"id": instrument.institution_id, "name": instrument.institution.name,
                        "district_code": instrument.institution.district_code},
        "category": {"code": instrument.category_code, "name": instrument.category.name},
        "calibration": {"state": state, "days_left": days},
        "sme_hourly_rate": money(instrument.sme_hourly_rate),
        "currency": "CNY",
        "bookable": instrument.bookable(today),
        "opening_hours": [
            {"weekday": d, "start": f"{s // 60:02d}:{s % 60:02d}", "end": f"{e // 60:02d}:{e % 60:02d}"}
            for d, s, e in (weekly_hours(instrument) if week is None else week)],
        "opening_hours_source": "instrument" if instrument.custom_hours else "institution",
        "updated_at": iso_local(instrument.updated_at),
    })
    return body


@bp.get("/categories")
@operation("仪器分类 · instrument categories", public=True, response=responses.CATEGORIES)
def categories():
    return jsonify(items=[{"code": c.code, "name": c.name, "name_en": c.name_en, "parent_code": c.parent_code}
                          for c in catalog_search.categories()])


@bp.get("/institutions")
@operation("机构列表 · institutions", query=Query(district=Text(20)), paged=True, public=True)
def institutions():
    counts = (sa.select(Instrument.institution_id, sa.func.count(Instrument.id).label("n"))
              .where(Instrument.status != "retired").group_by(Instrument.institution_id).subquery())
    stmt = (scoped(Organization, g.actor).where(Organization.kind == "institution", Organization.approved.is_(True))
            .add_columns(sa.func.coalesce(counts.c.n, 0))
            .outerjoin(counts, counts.c.institution_id == Organization.id).order_by(Organization.id))
    if request.args.get("district"):
        stmt = stmt.where(Organization.district_code == request.args["district"])
    page, per_page = page_args(request.args)
    result = paginate(stmt, page, per_page, scalars=False)
    return jsonify(items=[institution_json(org, n) for org, n in result.items], total=result.total,
                   page=result.page, per_page=result.per_page)


@bp.get("/institutions/<institution_id>")
@operation("机构详情 · an institution", public=True)
def institution(institution_id):
    org = get_in_scope(Organization, institution_id, g.actor)
    if org.kind != "institution":
        raise NotFound()
    count = db.session.scalar(sa.select(sa.func.count(Instrument.id)).where(
        Instrument.institution_id == org.id, Instrument.status != "retired"))
    return jsonify(institution_json(org, count))


def _filters(args):
    fields = {}
    institution_id = None
    if args.get("institution_id"):
        try:
            institution_id = parse_id(args["institution_id"])
        except NotFound:
            fields["institution_id"] = _l("应为机构编号（正整数）。")
    mode = args.get("mode", "")
    if mode and mode not in SERVICE_MODES:
        fields["mode"] = _l("服务方式应为 %(modes)s 之一。", modes=", ".join(SERVICE_MODES))
    if fields:
        raise ValidationError(fields=fields)
    return catalog_search.Filters(
        q=args.get("q", ""), category=args.get("category", ""), district=args.get("district", ""),
        institution_id=institution_id, mode=mode, sort=args.get("sort", ""),
        bookable_now=args.get("bookable", "").lower() in ("1", "true", "yes"))


@bp.get("/instruments")
@operation("仪器检索 · search instruments", query=Query(q=Text(100), category=Text(20), district=Text(20), institution_id=QueryInt(), mode=Choice(SERVICE_MODES, required=False), sort=Text(20), bookable=Text(5), facets=Text(5)), paged=True, public=True)
def instruments():
    today = local_today(clock.now())
    filters = _filters(request.args)
    groups = catalog_search.expand(filters.q)
    response = listing(catalog_search.search(g.actor, filters, today, groups),
                       lambda i, weeks: instrument_json(i, today, weeks[i.id]), batch=weekly_hours_of, key=Instrument.id,
                       count_apart=catalog_search.count_apart(filters, groups))
    if request.args.get("facets", "").lower() not in ("1", "true", "yes"):
        return response
    return jsonify(dict(response.get_json(), facets=facets_json(catalog_search.facets(g.actor, filters, today, groups))))


def facets_json(found):
    """?facets=1: counts per top-level category, district and service mode (each ignoring its own filter)."""
    return {"category": [{"code": c.code, "name": c.name, "count": n} for c, n in found["category"]],
            "district": [{"code": code, "count": n} for code, n in found["district"]],
            "mode": [{"code": mode, "count": n} for mode, n in found["mode"]]}


@bp.post("/instruments")
@operation("发布仪器 · publish an instrument (institution staff)", body=InstrumentForm, status=201)
def create_instrument():
    require_publisher(actor())
    payload = catalog.merged(catalog.editable_payload(), json_body())
    form = validated(InstrumentForm, payload)
    instrument = catalog.create_instrument(g.actor, form.data, clock.now())
    db.session.commit()
    return created(instrument_json(instrument, local_today(clock.now())))


@bp.get("/instruments/<instrument_id>")
@operation("仪器详情 · an instrument", public=True)
def instrument(instrument_id):
    found = get_in_scope(Instrument, instrument_id, g.actor)
    return jsonify(instrument_json(found, local_today(clock.now())))


@bp.patch("/instruments/<instrument_id>")
@operation("修改仪器 · change an instrument", body=InstrumentForm)
def update_instrument(instrument_id):
    found = managed_instrument(actor(), instrument_id)
    payload = catalog.merged(catalog.editable_payload(found), json_body())
    form = validated(InstrumentForm, payload)
    catalog.update_instrument(g.actor, found, form.data, clock.now())
    db.session.commit()
    return jsonify(instrument_json(found, local_today(clock.now())))


@bp.put("/instruments/<instrument_id>/opening-hours")
@operation("开放时间 · set the opening hours", body=Body(inherit=Flag(), hours=ListOf(item=Object(properties={"weekday": Integer(1, 7), "start": Text(5), "end": Text(5)}), max_items=50)))
def put_opening_hours(instrument_id):
    found = managed_instrument(actor(), instrument_id)
    body = json_body()
    spans = None if body.get("inherit") is True else catalog.parse_hours(body.get("hours"))
    catalog.set_instrument_hours(g.actor, found, spans, clock.now())
    db.session.commit()
    return jsonify(hours=[{"weekday": d, "start": f"{s // 60:02d}:{s % 60:02d}", "end": f"{e // 60:02d}:{e % 60:02d}"}
                          for d, s, e in weekly_hours(found)],
                   source="instrument" if found.custom_hours else "institution")


def closure_json(closure, with_reason):
    body = {"id": closure.id, "instrument_id": closure.instrument_id, "start": iso_local(closure.start_at),
            "end": iso_local(closure.end_at), "kind": closure.kind, "source": closure.source}
    if with_reason:
        body["reason"] = closure.reason
    return body


def _manages(instrument):
    return g.actor is not None and g.actor.is_staff_of(instrument.institution_id)


@bp.get("/instruments/<instrument_id>/closures")
@operation("停机列表 · closures of an instrument", query=Query(**{"from": Instant(required=False)}), paged=True, public=True)
def closures(instrument_id):
    found = get_in_scope(Instrument, instrument_id, g.actor)
    stmt = sa.select(Closure).where(Closure.instrument_id == found.id)
    if request.args.get("from"):
        (since,) = read_instants(request.args, "from")
        stmt = stmt.where(Closure.end_at > since)
    stmt = stmt.order_by(Closure.start_at)
    return listing(stmt, lambda c: closure_json(c, _manages(found)), default_per_page=100)


@bp.post("/instruments/<instrument_id>/closures")
@operation("添加停机 · add a closure", body=Body(start=Instant(), end=Instant(), kind=Choice(CLOSURE_KINDS, required=False), reason=Text(200), cancel_bookings=Flag()), status=201)
def add_closure(instrument_id):
    """Over active bookings: 409 bookings_affected naming them, or with "cancel_bookings": true and a
    reason, the bookings cancelled and their enterprises told ({"closure", "cancelled_booking_ids"})."""
    found = managed_instrument(actor(), instrument_id)
    body = json_body()
    start, end = read_instants(body, "start", "end")
    if body.get("cancel_bookings", False) is not False:
        return _closure_cancelling_bookings(found, body, start, end)
    closure = catalog.add_closure(g.actor, found, start, end, body.get("kind"), body.get("reason"), clock.now())
    db.session.commit()
    return created(closure_json(closure, True))


def _closure_cancelling_bookings(found, body, start, end):
    if body["cancel_bookings"] is not True:
        raise ValidationError(fields={"cancel_bookings": _l("应为 true 或 false。")})
    if not isinstance(body.get("reason"), str):
        raise ValidationError(fields={"reason": _l("取消企业的预约须填写原因，企业会收到这条说明。")})
    closure, cancelled = closures_over_bookings.add_closure(g.actor, found, start, end, body.get("kind"),
                                                            body.get("reason"), clock.now(), cancel_bookings=True)
    db.session.commit()
    return created({"closure": closure_json(closure, True), "cancelled_booking_ids": [b.id for b in cancelled]})


@bp.delete("/instruments/<instrument_id>/closures/<closure_id>")
@operation("删除停机 · remove a closure", returns="empty")
def delete_closure(instrument_id, closure_id):
    found = managed_instrument(actor(), instrument_id)
    closure = db.session.scalar(sa.select(Closure).where(
        Closure.id == parse_id(closure_id), Closure.instrument_id == found.id))
    if closure is None:
        raise NotFound()
    catalog.remove_closure(g.actor, closure, clock.now())
    db.session.commit()
    return "", 204
