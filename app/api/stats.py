"""Statistics, pilot projects and the 附件4 table."""
from datetime import date

from flask import Response, jsonify, request
from flask_babel import lazy_gettext as _l

from models import District, db
from models.errors import Forbidden, NotFound, ValidationError
from models.pilot import Pilot
from models.reference import CITY_ENTERPRISE_TARGET, CITY_PILOT_TARGET
from models.timeutil import local_today

from .. import clock
from ..formtools import read_day
from ..policy import parse_id, require_statistics_reader
from ..stats import pilots as pilot_services
from ..stats import services as stats
from ..stats import table
from ..stats.forms import PilotForm
from ..stats.scope import Period, parse_year, scope_for
from .base import actor, bp, created, declared_body, json_body, validated
from .declare import XLSX, Body, Choice, Query, QueryDay, QueryInt, Text, operation


def _money(value):
    return f"{value:.2f}"


def _bureau_or_institution():
    who = actor()
    require_statistics_reader(who)
    return who


@bp.get("/stats/summary")
@operation("统计概览 · summary figures", query=Query(year=QueryInt(2000, 2100), district=Text(20), category=Text(20)))
def stats_summary():
    who = _bureau_or_institution()
    year = parse_year(request.args.get("year"), local_today(clock.now()))
    scope = scope_for(who, district=request.args.get("district"), category=request.args.get("category", ""))
    body = stats.summary(scope, Period.year(year), clock.now())
    body["revenue"] = _money(body["revenue"])
    settled = stats.money(scope, Period.year(year))
    body.update({key: _money(settled[key]) for key in ("charges_total", "voucher_total", "net_total")},
                voucher_enterprises=settled["voucher_enterprises"])
    target = CITY_ENTERPRISE_TARGET
    district = request.args.get("district") or (who.district_code if who.is_district else None)
    if district:
        found = db.session.get(District, district)
        target = found.enterprise_target if found else None
    return jsonify(year=year, **body, targets={"enterprises": target, "pilots": CITY_PILOT_TARGET})


def _dates():
    fields, today = {}, local_today(clock.now())
    values = {}
    for name, default in (("from", date(today.year, 1, 1)), ("to", today)):
        values[name] = read_day(request.args, name, fields, default)
    if not fields and values["to"] < values["from"]:
        fields["to"] = _l("结束日期不能早于开始日期。")
    if not fields and (values["to"] - values["from"]).days > 3 * 366:
        fields["to"] = _l("一次最多统计三年。")
    if fields:
        raise ValidationError(fields=fields)
    return Period(values["from"], values["to"])


def _row(values):
    return {"key": values["key"], "label": values["label"], **{k: values[k] for k in (
        "open_hours", "effective_hours", "external_hours", "utilization", "no_show_rate", "service_count",
        "enterprises_served")}, "revenue": _money(values["revenue"])}


@bp.get("/stats/utilization")
@operation("利用率 · utilisation by instrument, institution, district, category or month", query=Query(group_by=Choice(stats.GROUPS, required=False), district=Text(20), category=Text(20), **{"from": QueryDay(), "to": QueryDay()}))
def stats_utilization():
    who = _bureau_or_institution()
    group_by = request.args.get("group_by", "instrument")
    if group_by not in stats.GROUPS:
        raise ValidationError(fields={"group_by": _l("分组应为 %(g)s 之一。", g=", ".join(stats.GROUPS))})
    period = _dates()
    scope = scope_for(who, district=request.args.get("district"), category=request.args.get("category", ""))
    rows = [_row(values) for values in stats.rows(scope, period, group_by, clock.now())]
    return jsonify(**{"from": period.first.isoformat(), "to": period.last.isoformat()}, group_by=group_by, rows=rows)


# Pilots -------------------------------------------------------------------------------------

def pilot_json(pilot, with_figures=True):
    body = {"id": pilot.id, "year": pilot.year, "district_code": pilot.district_code, "name": pilot.name,
            "institution_ids": [i.id for i in pilot.institutions], "basic_info": pilot.basic_info,
            "funds_wan": None if pilot.funds_wan is None else _money(pilot.funds_wan),
            "expert_person_times": pilot.expert_person_times, "main_content": pilot.main_content,
            "main_industries": pilot.main_industries, "pass_rate_improvement": pilot.pass_rate_improvement,
            "profit_increase_wan": None if pilot.profit_increase_wan is None else _money(pilot.profit_increase_wan),
            "new_jobs": pilot.new_jobs, "quality_effect": pilot.quality_effect, "other_effects": pilot.other_effects}
    table_row = pilot_services.table_of(pilot.year, pilot.district_code)
    body["status"] = table_row.status if table_row else "draft"
    body["shared_with"] = [other.id for other in pilot_services.overlaps(pilot)]
    if with_figures:
        body["service_count"], body["enterprises_served"] = pilot_services.computed(pilot)
        content, industries = pilot_services.proposals(pilot)
        body["proposed"] = {"main_content": content, "main_industries": industries}
    return body


def _bureau():
    who = actor()
    if not who.is_bureau:
        raise Forbidden(_l("试点项目由区市场监管局和市局管理。"))
    return who


def _pilot_in_scope(pilot_id, who):
    pilot = db.session.get(Pilot, parse_id(pilot_id))
    if pilot is None or (who.is_district and pilot.district_code != who.district_code):
        raise NotFound()
    return pilot


def _pilot_form(payload):
    """The manual columns through the form; the institution ids are checked by the service."""
    form = validated(PilotForm, {k: v for k, v in payload.items() if k != "institution_ids"})
    ids = payload.get("institution_ids") or []
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise ValidationError(fields={"institution_ids": _l("应为机构编号的列表。")})
    data = {k: v for k, v in form.data.items() if k != "csrf_token"}
    data["institution_ids"] = ids
    return data


@bp.get("/pilots")
@operation("试点列表 · pilot projects", query=Query(year=QueryInt(2000, 2100), district=Text(20)))
def list_pilots():
    who = _bureau()
    year = parse_year(request.args.get("year"), local_today(clock.now()))
    district = who.district_code if who.is_district else request.args.get("district")
    return jsonify(items=[pilot_json(p) for p in pilot_services.pilots_of(year, district)])


@bp.post("/pilots")
@operation("新建试点 · create a pilot", body=PilotForm, status=201)
def create_pilot():
    who = _bureau()
    body = json_body()
    year = parse_year(str(body.get("year", "")), local_today(clock.now()))
    district = body.get("district_code") or who.district_code
    pilot = pilot_services.create(who, year, district, _pilot_form(body), clock.now())
    db.session.commit()
    return created(pilot_json(pilot))


@bp.get("/pilots/<pilot_id>")
@operation("试点详情 · a pilot")
def get_pilot(pilot_id):
    who = _bureau()
    return jsonify(pilot_json(_pilot_in_scope(pilot_id, who)))


@bp.patch("/pilots/<pilot_id>")
@operation("修改试点 · change a pilot", body=PilotForm)
def update_pilot(pilot_id):
    who = _bureau()
    pilot = _pilot_in_scope(pilot_id, who)
    current = pilot_json(pilot, with_figures=False)
    payload = {**current, **json_body()}
    pilot_services.update(who, pilot, _pilot_form(payload), clock.now())
    db.session.commit()
    return jsonify(pilot_json(pilot))


@bp.post("/pilots/submit")
@operation("提交附件4 · submit the year's table (district)", query=Query(year=QueryInt(2000, 2100)))
def submit_pilots():
    who = _bureau()
    year = parse_year(request.args.get("year"), local_today(clock.now()))
    row = pilot_services.submit(who, year, clock.now())
    db.session.commit()
    return jsonify(year=year, district_code=row.district_code, status=row.status)


@bp.post("/pilots/review")
@operation("审核附件4 · accept or return a district's table (city)", query=Query(year=QueryInt(2000, 2100), district=Text(20)), body=Body(decision=Choice(("accept", "return"), required=False), comment=Text(500)))
def review_pilots():
    who = _bureau()
    year = parse_year(request.args.get("year"), local_today(clock.now()))
    body = declared_body()
    row = pilot_services.review(who, year, request.args.get("district", ""), body["decision"], body["comment"],
                                clock.now())
    db.session.commit()
    return jsonify(year=year, district_code=row.district_code, status=row.status, comment=row.review_comment)


def _table_args():
    who = actor()
    if who.role not in ("district", "city"):
        raise Forbidden(_l("试点统计表仅向市场监管部门开放。"))
    district = request.args.get("district") or (who.district_code if who.is_district else None)
    if who.is_district and district != who.district_code:
        raise Forbidden(_l("区市场监管局只能查看本区的统计。"))
    return parse_year(request.args.get("year"), local_today(clock.now())), district, who


def _accepted_only(who):
    """The city's files hold the tables it accepted, unless it asks for all (e.g. to review one)."""
    return who.is_city and request.args.get("status") != "all"


def _plain(row):
    return [float(v) if hasattr(v, "as_tuple") else v for v in row]


@bp.get("/stats/pilot-table")
@operation("附件4 统计表 · the pilot table", query=Query(year=QueryInt(2000, 2100), district=Text(20), status=Text(10)))
def pilot_table():
    year, district, _who = _table_args()
    found = stats.pilot_table(year, district)
    return jsonify(year=year, district=district, title=table.title(year, district), columns=found["columns"],
                   rows=[_plain(row) for row in found["rows"]], pilots=found["pilots"], total=_plain(found["total"]),
                   shared=found["shared"])


def _download(data, mimetype, name):
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = f"attachment; filename*=UTF-8''{name}"
    return response


@bp.get("/stats/pilot-table.xlsx")
@operation("附件4 Excel · the pilot table as .xlsx", query=Query(year=QueryInt(2000, 2100), district=Text(20), status=Text(10)), returns=XLSX)
def pilot_table_xlsx():
    year, district, who = _table_args()
    return _download(stats.pilot_table_xlsx(year, district, who, clock.now(), _accepted_only(who)),
                     "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                     f"pilot-table-{year}{'-' + district if district else ''}.xlsx")


@bp.get("/stats/pilot-table.csv")
@operation("附件4 CSV · the pilot table as .csv", query=Query(year=QueryInt(2000, 2100), district=Text(20), status=Text(10)), returns="text/csv")
def pilot_table_csv():
    year, district, who = _table_args()
    return _download(stats.pilot_table_csv(year, district, _accepted_only(who)), "text/csv; charset=utf-8",
                     f"pilot-table-{year}{'-' + district if district else ''}.csv")
