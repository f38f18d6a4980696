"""Dashboards for institutions, districts and the city; the pilot projects and their table."""
import csv
import io
import json

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from models import District, db
from models.errors import DomainError, Forbidden, NotFound, ValidationError
from models.money import money
from models.pilot import Pilot
from models.reference import CITY_ENTERPRISE_TARGET, CITY_PILOT_TARGET, DISTRICT_LABELS
from models.timeutil import local_today

from .. import clock
from ..reviews.services import reviews_of_institution
from ..sheets import neutralise
from ..web import show_errors
from . import pilots as pilot_services
from . import services as stats
from .forms import PilotForm
from .scope import Period, parse_year, scope_for
from .services import NATIONAL_BENCHMARK_HOURS
from .table import COLUMN_LABELS

bp = Blueprint("stats", __name__, url_prefix="/stats")


@bp.before_request
@login_required
def _staff_and_bureaus():
    if current_user.role not in ("institution", "district", "city"):
        raise Forbidden(_("统计数据仅向技术机构和市场监管部门开放。"))


def _year():
    return parse_year(request.args.get("year"), local_today(clock.now()))


def chart(kind, labels, datasets, **options):
    return json.dumps({"type": kind, "data": {"labels": labels, "datasets": datasets}, "options": options},
                      ensure_ascii=False)


@bp.get("/")
def dashboard():
    year = _year()
    period = Period.year(year)
    if current_user.is_institution_staff:
        return _institution(year, period)
    if current_user.is_district:
        return _district(year, period, current_user.district_code)
    district = request.args.get("district")
    if district:
        return _district(year, period, district)
    return _city(year, period)


def _one_reading(page):
    """A dashboard reads its figures in one reading (services.one_reading): today is counted once."""
    def read(*args):
        with stats.one_reading():
            return page(*args)
    return read


def _institution(year, period):
    scope, now = scope_for(current_user), clock.now()
    rows = stats.instrument_rows(scope, period, now)
    bar = chart("bar", [r["name"] for r in rows], [
        {"label": _("年化有效工作机时"), "data": [r["annual_effective"] for r in rows]},
        {"label": _("国家基准 %(n)s 小时", n=NATIONAL_BENCHMARK_HOURS), "type": "line",
         "data": [NATIONAL_BENCHMARK_HOURS] * len(rows)}])
    return render_template("stats/institution.html", year=year, totals=stats.summary(scope, period, now), rows=rows,
                           chart=bar, reviews=reviews_of_institution(current_user.organization_id),
                           benchmark=NATIONAL_BENCHMARK_HOURS, settlement=stats.money(scope, period))


def _trend_chart(months):
    return chart("bar", [m for m, _s, _h in months], [
        {"label": _("服务次数"), "data": [s for _m, s, _h in months], "yAxisID": "y"},
        {"label": _("有效工作机时"), "type": "line", "data": [round(h, 1) for _m, _s, h in months], "yAxisID": "y1"}],
        scales={"y": {"position": "left"}, "y1": {"position": "right", "grid": {"drawOnChartArea": False}}})


def _months(scope, period, now):
    return [(m, v["service_count"], v["effective_hours"]) for m, v in stats.trend(scope, period, now)]


@_one_reading
def _district(year, period, code):
    district = db.session.get(District, code)
    if district is None:
        raise NotFound()
    scope, now = scope_for(current_user, district=code), clock.now()
    months = _months(scope, period, now)
    instruments = stats.instrument_rows(scope, period, now)
    underused = [r for r in instruments if r["open_hours"] and (r["utilization"] or 0) < 0.1]
    return render_template(
        "stats/district.html", year=year, district=district, totals=stats.summary(scope, period, now), months=months,
        trend=_trend_chart(months), top_institutions=stats.named_rows(scope, period, "institution", now)[:10],
        top_instruments=instruments[:10], underused=underused[:20], industries=stats.industries(scope, period),
        target=district.enterprise_target, settlement=stats.money(scope, period))


@_one_reading
def _city(year, period):
    scope, now = scope_for(current_user), clock.now()
    districts = stats.district_rows(scope, period, now)
    enterprise_counts = {d.code: v["enterprises_served"] for d, v in districts}
    pilot_count = sum(pilot_services.counts_by_district(year).values())
    side_by_side = chart("bar", [str(d.label) for d, _v in districts], [
        {"label": _("服务市场主体数量"), "data": [v["enterprises_served"] for _d, v in districts]},
        {"label": _("目标"), "type": "line", "data": [d.enterprise_target for d, _v in districts]}])
    return render_template("stats/city.html", year=year, districts=[d for d, _v in districts],
                           by_district={d.code: v for d, v in districts}, enterprise_counts=enterprise_counts,
                           totals=stats.summary(scope, period, now), chart=side_by_side, pilot_count=pilot_count,
                           pilot_target=CITY_PILOT_TARGET, enterprise_target=CITY_ENTERPRISE_TARGET,
                           months=_months(scope, period, now), settlement=stats.money(scope, period),
                           settlement_districts=stats.money_by_district(scope, period))


@bp.get("/instruments.csv")
def instruments_csv():
    year = _year()
    scope = scope_for(current_user, district=request.args.get("district"))
    header = [_("仪器"), _("开放机时"), _("有效工作机时"), _("对外服务机时"), _("利用率"), _("爽约率"), _("服务次数"),
              _("服务市场主体数量"), _("收入（元）")]
    lines = [[r["name"], r["open_hours"], r["effective_hours"], r["external_hours"], r["utilization"],
              r["no_show_rate"], r["service_count"], r["enterprises_served"], money(r["revenue"])]
             for r in stats.instrument_rows(scope, Period.year(year), clock.now())]
    return _csv(header, lines, f"instruments-{year}.csv")


@bp.get("/districts.csv")
def districts_csv():
    if not current_user.is_city:
        raise Forbidden()
    year = _year()
    header = [_("地区"), _("服务次数"), _("服务市场主体数量"), _("目标"), _("对外服务机时"), _("有效工作机时"),
              _("共享率"), _("利用率")]
    lines = [[str(d.label), v["service_count"], v["enterprises_served"], d.enterprise_target, v["external_hours"],
              v["effective_hours"], "" if v["sharing_rate"] is None else v["sharing_rate"],
              "" if v["utilization"] is None else v["utilization"]]
             for d, v in stats.district_rows(scope_for(current_user), Period.year(year), clock.now())]
    return _csv(header, lines, f"districts-{year}.csv")


def _csv(header, lines, name):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    writer.writerows([["" if v is None else neutralise(v) for v in line] for line in lines])
    response = Response(("\ufeff" + buffer.getvalue()).encode("utf-8"), mimetype="text/csv")
    response.headers["Content-Disposition"] = f"attachment; filename={name}"
    return response


@bp.post("/targets")
def targets():
    if not current_user.is_city:
        raise Forbidden()
    try:
        stats.set_targets(current_user, request.form)
    except DomainError:
        db.session.rollback()
        flash(_("目标应为正整数。"), "danger")
        return redirect(url_for(".dashboard"))
    db.session.commit()
    flash(_("年度目标已保存。"), "success")
    return redirect(url_for(".dashboard"))


# Pilots -------------------------------------------------------------------------------------

@bp.get("/pilots")
def pilots():
    if not current_user.is_bureau:
        raise Forbidden()
    year = _year()
    if current_user.is_district:
        code = current_user.district_code
        return render_template("stats/pilots.html", year=year, pilots=pilot_services.pilots_of(year, code),
                               table=pilot_services.table_of(year, code), sheet=stats.pilot_table(year, code),
                               columns=COLUMN_LABELS, district=code)
    districts = stats.districts()
    tables = {d.code: pilot_services.table_of(year, d.code) for d in districts}
    counts = pilot_services.counts_by_district(year)
    return render_template("stats/pilots_city.html", year=year, districts=districts, tables=tables, counts=counts,
                           sheet=stats.pilot_table(year), columns=COLUMN_LABELS)


def _pilot_form(pilot=None):
    form = PilotForm(obj=pilot) if request.method == "GET" and pilot else PilotForm()
    form.institution_ids.choices = pilot_services.institution_choices()
    if request.method == "GET" and pilot:
        form.institution_ids.data = [i.id for i in pilot.institutions]
    return form


def _save_pilot(form, pilot, year):
    data = {k: v for k, v in form.data.items() if k != "csrf_token"}
    if pilot is None:
        return pilot_services.create(current_user, year, current_user.district_code, data, clock.now())
    pilot_services.update(current_user, pilot, data, clock.now())
    return pilot


def _warn_overlaps(pilot):
    others = pilot_services.overlaps(pilot)
    if others:
        flash(_("注意：所选机构也关联在其他试点项目中（%(names)s）。各试点分别计入这些机构的服务，合计行只计一次；"
                "如非同一项目共建，请核对关联的机构。",
                names="、".join(f"{DISTRICT_LABELS.get(o.district_code, o.district_code)}·{o.name}" for o in others)),
              "warning")


@bp.route("/pilots/new", methods=["GET", "POST"])
@bp.route("/pilots/<int:pilot_id>/edit", methods=["GET", "POST"])
def edit_pilot(pilot_id=None):
    if not current_user.is_district:
        raise Forbidden()
    pilot = None
    if pilot_id:
        pilot = db.session.get(Pilot, pilot_id)
        if pilot is None or pilot.district_code != current_user.district_code:
            raise NotFound()
    year = pilot.year if pilot else _year()
    form = _pilot_form(pilot)
    if form.validate_on_submit():
        try:
            saved = _save_pilot(form, pilot, year)
        except DomainError as error:
            db.session.rollback()
            show_errors(form, error)
        else:
            db.session.commit()
            flash(_("试点项目已保存。"), "success")
            _warn_overlaps(saved)
            return redirect(url_for(".pilots", year=saved.year))
    proposals = pilot_services.proposals(pilot) if pilot else ("", "")
    computed = pilot_services.computed(pilot) if pilot else (0, 0)
    return render_template("stats/pilot_form.html", form=form, pilot=pilot, year=year, proposals=proposals,
                           computed=computed), 422 if form.errors else 200


@bp.post("/pilots/submit")
def submit():
    try:
        pilot_services.submit(current_user, _year(), clock.now())
    except DomainError as error:
        db.session.rollback()
        flash(error.message, "danger")
    else:
        db.session.commit()
        flash(_("统计表已提交市局审核。"), "success")
    return redirect(url_for(".pilots", year=_year()))


@bp.post("/pilots/review")
def review():
    try:
        pilot_services.review(current_user, _year(), request.form.get("district", ""), request.form.get("decision"),
                              request.form.get("comment", ""), clock.now())
    except (DomainError, ValidationError) as error:
        db.session.rollback()
        flash(" ".join([str(error.message)] + [str(v) for v in error.fields.values()]), "danger")
    else:
        db.session.commit()
        flash(_("审核结果已发送给区市场监管局。"), "success")
    return redirect(url_for(".pilots", year=_year()))
