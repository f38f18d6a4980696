"""Pilot projects and the yearly 附件4 table: editing, computed columns, proposals, submit, review."""
from collections import Counter

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from models import Organization, db
from models.booking import Booking
from models.errors import Forbidden, InvalidTransition, ValidationError
from models.instrument import Instrument
from models.order import ServiceOrder
from models.pilot import Pilot, PilotTable, pilot_institutions
from models.reference import INDUSTRY_LABELS

from ..i18n import join_list
from ..labels import MODE_LABELS
from ..notify.services import notify_organization
from .metrics import trained
from .scope import Period

MANUAL = ("name", "basic_info", "funds_wan", "expert_person_times", "main_content", "main_industries",
          "pass_rate_improvement", "profit_increase_wan", "new_jobs", "quality_effect", "other_effects")


def table_of(year, district_code, create=False):
    table = db.session.scalar(sa.select(PilotTable).where(PilotTable.year == year,
                                                          PilotTable.district_code == district_code))
    if table is None and create:
        table = PilotTable(year=year, district_code=district_code, status="draft")
        db.session.add(table)
        db.session.flush()
    return table


def _require_editor(actor, district_code, year):
    if actor is None or not actor.is_district:
        raise Forbidden(_l("试点项目由所在区市场监管局填报。"))
    if actor.district_code != district_code:
        raise Forbidden(_l("区市场监管局只能管理本区的试点项目。"))
    table = table_of(year, district_code, create=True)
    if not table.editable:
        raise InvalidTransition(_l("本年度统计表已提交，在市局退回前不能修改。"))
    return table


def _institutions(ids):
    ids = sorted(set(ids or []))
    found = db.session.scalars(sa.select(Organization).where(
        Organization.id.in_(ids), Organization.kind == "institution", Organization.approved.is_(True))).all()
    if len(found) != len(ids):
        raise ValidationError(fields={"institution_ids": _l("请选择已入驻平台的技术机构。")})
    return found


NULLABLE = {"funds_wan", "expert_person_times", "profit_increase_wan", "new_jobs", "main_content",
            "main_industries"}


def _apply(pilot, data):
    for name in MANUAL:
        if name not in data:
            continue
        value = data[name].strip() if isinstance(data[name], str) else data[name]
        if name in NULLABLE and value == "":
            value = None  # for 主要内容/主要产业: None means "use what the records propose"
        setattr(pilot, name, "" if value is None and name not in NULLABLE else value)
    if "institution_ids" in data:
        pilot.institutions = _institutions(data["institution_ids"])


def create(actor, year, district_code, data, now):
    _require_editor(actor, district_code, year)
    pilot = Pilot(year=year, district_code=district_code, created_at=now, updated_at=now)
    _apply(pilot, data)
    db.session.add(pilot)
    db.session.flush()
    return pilot


def update(actor, pilot, data, now):
    _require_editor(actor, pilot.district_code, pilot.year)
    _apply(pilot, data)
    pilot.updated_at = now


def delete(actor, pilot):
    _require_editor(actor, pilot.district_code, pilot.year)
    db.session.delete(pilot)


def submit(actor, year, now):
    if actor is None or not actor.is_district:
        raise Forbidden()
    table = table_of(year, actor.district_code, create=True)
    if not pilots_of(year, actor.district_code):
        raise ValidationError(_l("请先添加本年度的试点项目再提交。"))
    table.transition("submitted", actor=actor, now=now)
    table.submitted_at = now
    city_staff = db.session.scalars(sa.select(Organization.id).where(
        Organization.kind == "bureau", Organization.district_code.is_(None))).all()
    for org_id in city_staff:
        notify_organization(org_id, "pilot_table_submitted", year=year, district=str(table.district.label),
                            district_code=table.district_code)
    return table


def review(actor, year, district_code, decision, comment, now):
    if actor is None or not actor.is_city:
        raise Forbidden(_l("统计表由市局审核。"))
    if decision not in ("accept", "return"):
        raise ValidationError(fields={"decision": _l("审核结果应为 accept（通过）或 return（退回）。")})
    if decision == "return" and not (comment or "").strip():
        raise ValidationError(fields={"comment": _l("退回时请写明需要修改的地方。")})
    if len(comment or "") > 500:
        raise ValidationError(fields={"comment": _l("意见最多 500 字。")})
    table = table_of(year, district_code)
    if table is None:
        raise InvalidTransition(_l("该区尚未提交本年度统计表。"))
    table.transition("accepted" if decision == "accept" else "returned", actor=actor, now=now, reason=comment or "")
    table.reviewed_at, table.review_comment = now, (comment or "").strip()
    bureau = db.session.scalar(sa.select(Organization.id).where(
        Organization.kind == "bureau", Organization.district_code == district_code))
    if bureau:
        notify_organization(bureau, "pilot_table_" + ("accepted" if decision == "accept" else "returned"),
                            year=year, comment=table.review_comment)
    return table


def overlaps(pilot):
    """The other pilots of the year (any district) linked to one of this pilot's institutions."""
    ids = [i.id for i in pilot.institutions]
    if not ids:
        return []
    return db.session.scalars(sa.select(Pilot).where(
        Pilot.year == pilot.year, Pilot.id != pilot.id,
        Pilot.id.in_(sa.select(pilot_institutions.c.pilot_id).where(pilot_institutions.c.institution_id.in_(ids))))
        .order_by(Pilot.district_code, Pilot.id)).all()


def counts_by_district(year):
    """{district code: pilots of the year}."""
    return dict(db.session.execute(sa.select(Pilot.district_code, sa.func.count(Pilot.id)).where(
        Pilot.year == year).group_by(Pilot.district_code)).all())


def institution_choices():
    """(id, name) of the approved institutions a pilot may link (any district)."""
    return [(o.id, o.name) for o in db.session.scalars(sa.select(Organization).where(
        Organization.kind == "institution", Organization.approved.is_(True)).order_by(Organization.name))]


def pilots_of(year, district_code=None):
    stmt = sa.select(Pilot).where(Pilot.year == year)
    if district_code:
        stmt = stmt.where(Pilot.district_code == district_code)
    return db.session.scalars(stmt.options(sa.orm.selectinload(Pilot.institutions))
                              .order_by(Pilot.district_code, Pilot.id)).all()


class Services:
    """What the institutions served in a year: per institution, services by kind and the enterprises.

    One grouped query for all pilots of a table (rather than a summary per pilot); a pilot's columns
    are unions over its institutions, with the metric definitions of metrics.py (completed bookings
    starting in the year, orders whose report was issued in it)."""

    def __init__(self, year, institution_ids=None):
        period = Period.year(year)
        booked = (sa.select(Instrument.institution_id.label("inst"), sa.literal("booking").label("kind"),
                            Booking.organization_id.label("org"), sa.func.count().label("n"))
                  .join(Instrument, Instrument.id == Booking.instrument_id)
                  .where(Booking.status == "completed", Booking.start_at >= period.start, Booking.start_at < period.end)
                  .group_by(Instrument.institution_id, Booking.organization_id))
        ordered = (sa.select(ServiceOrder.institution_id.label("inst"), ServiceOrder.kind.label("kind"),
                             ServiceOrder.organization_id.label("org"), sa.func.count().label("n"))
                   .where(ServiceOrder.report_issued_at >= period.start, ServiceOrder.report_issued_at < period.end)
                   .group_by(ServiceOrder.institution_id, ServiceOrder.kind, ServiceOrder.organization_id))
        pairs = trained(period.start, period.end)
        training = (sa.select(Instrument.institution_id.label("inst"), sa.literal("training").label("kind"),
                              pairs.c.org.label("org"), sa.func.count().label("n")).select_from(pairs)
                    .join(Instrument, Instrument.id == pairs.c.instrument_id)
                    .group_by(Instrument.institution_id, pairs.c.org))
        if institution_ids is not None:
            booked = booked.where(Instrument.institution_id.in_(institution_ids))
            ordered = ordered.where(ServiceOrder.institution_id.in_(institution_ids))
            training = training.where(Instrument.institution_id.in_(institution_ids))
        self.kinds, self.enterprises = {}, {}
        for inst, kind, org, n in db.session.execute(sa.union_all(booked, ordered, training)):
            self.kinds.setdefault(inst, Counter())[kind] += n
            self.enterprises.setdefault(inst, set()).add(org)
        self._industries = None

    def of(self, pilot):
        return self.of_institutions({institution.id for institution in pilot.institutions})

    def of_institutions(self, ids):
        """Services by kind and the enterprises of a set of institutions, each counted once."""
        kinds, orgs = Counter(), set()
        for institution_id in ids:
            kinds.update(self.kinds.get(institution_id, {}))
            orgs |= self.enterprises.get(institution_id, set())
        return kinds, orgs

    def industry_of(self, org):
        if self._industries is None:
            self._industries = dict(db.session.execute(sa.select(Organization.id, Organization.industry).where(
                Organization.kind == "enterprise")).all())
        return self._industries.get(org)


def computed(pilot, services=None):
    """(服务次数, 服务市场主体数量) from the records."""
    kinds, orgs = (services or Services(pilot.year, [i.id for i in pilot.institutions])).of(pilot)
    return sum(kinds.values()), len(orgs)


def proposals(pilot, services=None):
    """(主要内容, 主要产业) as the records show them: the kinds of service and the served industries."""
    services = services or Services(pilot.year, [i.id for i in pilot.institutions])
    kinds, orgs = services.of(pilot)
    words = {"booking": _l("分时租赁（仪器共享）"), "training": _l("上机培训"), **MODE_LABELS}
    content = join_list(words[kind] for kind, _n in kinds.most_common())
    industries = Counter(services.industry_of(org) for org in orgs)
    top = [str(INDUSTRY_LABELS[code]) for code, _n in industries.most_common(3) if code in INDUSTRY_LABELS]
    return content, join_list(top)
