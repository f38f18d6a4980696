from datetime import date
from decimal import Decimal

import pytest
import sqlalchemy as sa

from app.catalog import services as catalog
from app.catalog.search import Filters, search
from models import AuditRecord, db
from models.errors import Forbidden, ValidationError
from models.instrument import weekly_hours
from tests.factories import create_org

TODAY = date(2026, 3, 2)


def record(**overrides):
    data = catalog.editable_payload(as_json=False)
    data.update(name="原子吸收光谱仪", category_code="010100", internal_code="AAS-1")
    data.update(overrides)
    return data


def test_an_institution_publishes_an_instrument_and_it_is_audited(world, now):
    instrument = catalog.create_instrument(world.lab_a, record(), now)
    assert instrument.institution_id == world.institution_a.id
    assert instrument.requires_approval is True and instrument.slot_minutes == 30  # the defaults
    actions = db.session.scalars(sa.select(AuditRecord.action).where(
        AuditRecord.object_type == "instruments", AuditRecord.object_id == instrument.id)).all()
    assert actions == ["created"]


@pytest.mark.parametrize("who", ["sme_a", "district_a", "city"])
def test_only_institution_staff_publish(world, now, who):
    with pytest.raises(Forbidden):
        catalog.create_instrument(getattr(world, who), record(), now)


def test_an_institution_awaiting_approval_cannot_publish(now, create_user):
    pending = create_user("institution", create_org("institution", approved=False))
    with pytest.raises(Forbidden):
        catalog.create_instrument(pending, record(), now)


def test_an_unknown_category_is_a_field_error(world, now):
    with pytest.raises(ValidationError) as error:
        catalog.create_instrument(world.lab_a, record(category_code="999999"), now)
    assert "category_code" in error.value.fields


def test_internal_codes_are_unique_within_an_institution_only(world, now):
    catalog.create_instrument(world.lab_a, record(), now)
    with pytest.raises(ValidationError) as error:
        catalog.create_instrument(world.lab_a, record(), now)
    assert "internal_code" in error.value.fields
    assert catalog.create_instrument(world.lab_b, record(), now).internal_code == "AAS-1"


def test_an_update_records_which_fields_changed(world, now):
    instrument = catalog.create_instrument(world.lab_a, record(), now)
    changed = catalog.update_instrument(world.lab_a, instrument, record(hourly_rate=Decimal("450.00")), now)
    assert changed == ["hourly_rate"]
    details = db.session.scalars(sa.select(AuditRecord.details).where(AuditRecord.action == "updated")).one()
    assert details == {"changed": ["hourly_rate"]}


def test_another_institution_cannot_update(world, now):
    instrument = catalog.create_instrument(world.lab_a, record(), now)
    with pytest.raises(Forbidden):
        catalog.update_instrument(world.lab_b, instrument, record(name="改名"), now)
    assert instrument.name == "原子吸收光谱仪"


def test_the_sme_price_applies_the_discount_only_to_smes(create_instrument, create_org):
    instrument = create_instrument(hourly_rate=Decimal("600.00"), sme_discount_percent=Decimal("20"))
    small, large = create_org("enterprise", size="small"), create_org("enterprise", size="large")
    assert instrument.price_for(small, 90) == Decimal("720.00")  # 1.5 h × 600 × 0.8
    assert instrument.price_for(large, 90) == Decimal("900.00")


@pytest.mark.parametrize("valid_until,state,days", [
    (date(2026, 12, 31), "valid", 304), (date(2026, 3, 20), "expiring", 18),
    (date(2026, 3, 2), "expiring", 0), (date(2026, 3, 1), "expired", -1), (None, "none", None)])
def test_the_calibration_badge_states(create_instrument, valid_until, state, days):
    instrument = create_instrument(calibration_valid_until=valid_until)
    assert instrument.calibration_state(TODAY) == (state, days)
    assert instrument.bookable(TODAY) is (state in ("valid", "expiring"))


def test_opening_hours_parse_with_24_00_as_an_end():
    spans = catalog.parse_hours([{"weekday": 2, "start": "13:00", "end": "24:00"},
                                 {"weekday": 2, "start": "08:30", "end": "12:00"}])
    assert spans == [(2, 510, 720), (2, 780, 1440)]


@pytest.mark.parametrize("items,field", [
    ([{"weekday": 8, "start": "09:00", "end": "10:00"}], "hours.0.weekday"),
    ([{"weekday": 1, "start": "9am", "end": "10:00"}], "hours.0.start"),
    ([{"weekday": 1, "start": "24:00", "end": "24:00"}], "hours.0.start"),
    ([{"weekday": 1, "start": "10:00", "end": "09:00"}], "hours.0.end"),
    ([{"weekday": 1, "start": "09:00", "end": "12:00"}, {"weekday": 1, "start": "11:00", "end": "13:00"}], "hours"),
    ("monday", "hours"),
])
def test_bad_opening_hours_are_refused_with_the_place_named(items, field):
    with pytest.raises(ValidationError) as error:
        catalog.parse_hours(items)
    assert field in error.value.fields


def test_the_web_week_accepts_several_spans_a_day():
    spans = catalog.parse_week_texts({1: "09:00-12:00, 13:00-17:00", 2: "", 6: "09:00～12:00"})
    assert spans == [(1, 540, 720), (1, 780, 1020), (6, 540, 720)]


def test_an_instrument_follows_its_institution_until_it_has_its_own_week(world, now, create_instrument):
    instrument = create_instrument(world.institution_a)
    assert weekly_hours(instrument)[0] == (1, 540, 1020)  # the default week
    catalog.set_institution_hours(world.lab_a, world.institution_a, [(1, 480, 720)], now)
    assert weekly_hours(instrument) == [(1, 480, 720)]
    catalog.set_instrument_hours(world.lab_a, instrument, [(6, 600, 660)], now)
    assert weekly_hours(instrument) == [(6, 600, 660)]
    catalog.set_instrument_hours(world.lab_a, instrument, None, now)
    assert weekly_hours(instrument) == [(1, 480, 720)]


def test_a_closure_needs_a_real_span_and_kind(world, now, create_instrument):
    instrument = create_instrument(world.institution_a)
    with pytest.raises(ValidationError) as error:
        catalog.add_closure(world.lab_a, instrument, now, now, "holiday", "x" * 201, now)
    assert {"end", "kind", "reason"} <= set(error.value.fields)


def found(actor, **filters):
    return {i.name for i in db.session.scalars(search(actor, Filters(**filters), TODAY))}


@pytest.fixture
def shelf(world, create_instrument):
    a, b = world.institution_a, world.institution_b
    create_instrument(a, name="原子吸收光谱仪", name_en="Atomic Absorption Spectrometer", model="PinAAcle 900T")
    create_instrument(b, name="火花直读光谱仪", name_en="Spark OES", manufacturer="SPECTRO")
    create_instrument(b, name="盐雾试验箱", name_en="Salt Spray Chamber", category_code="120100",
                      service_modes=["test_by_proxy"])
    create_instrument(a, name="三坐标测量机", name_en="Coordinate Measuring Machine", category_code="030100",
                      calibration_valid_until=date(2026, 1, 1))
    create_instrument(a, name="旧光谱仪", status="retired")
    create_instrument(create_org("institution", approved=False), name="未审核机构的光谱仪")
    return world


@pytest.mark.parametrize("q,names", [
    ("光谱", {"原子吸收光谱仪", "火花直读光谱仪"}),
    ("光谱仪", {"原子吸收光谱仪", "火花直读光谱仪"}),
    ("spectro", {"原子吸收光谱仪", "火花直读光谱仪"}),
    ("SPECTRO", {"原子吸收光谱仪", "火花直读光谱仪"}),
    ("盐雾", {"盐雾试验箱"}),
    ("三坐标测量机", {"三坐标测量机"}),
    ("900t", {"原子吸收光谱仪"}),
    ("光谱 spark", {"火花直读光谱仪"}),
    ("100%", set()),
])
def test_search_finds_chinese_and_english_substrings(shelf, q, names):
    assert found(None, q=q) == names


def test_two_character_terms_follow_an_edit_of_the_text(shelf):
    """On PostgreSQL two-character terms use the bigram index, kept by the same event as search_text."""
    from models import Instrument, db

    chamber = db.session.scalar(sa.select(Instrument).where(Instrument.name == "盐雾试验箱"))
    chamber.name = "高低温试验箱"
    db.session.commit()
    assert found(None, q="盐雾") == set()
    assert found(None, q="低温") == {"高低温试验箱"}
    assert found(None, q="ay") == {"高低温试验箱"}  # "salt spray": two ASCII letters


def test_bigrams_are_the_two_character_pieces_without_spaces():
    from models.instrument import bigrams

    assert bigrams("盐雾 ab") == ["ab", "盐雾"]


def test_filters_narrow_the_results(shelf):
    assert found(None, category="120000") == {"盐雾试验箱"}
    assert found(None, district="310112") == {"火花直读光谱仪", "盐雾试验箱"}
    assert found(None, mode="test_by_proxy") == {"盐雾试验箱"}
    assert found(None, institution_id=shelf.institution_b.id, q="光谱") == {"火花直读光谱仪"}
    assert "三坐标测量机" not in found(None, bookable_now=True)  # its certificate has expired


def test_staff_see_their_own_retired_instruments_but_the_public_does_not(shelf):
    assert "旧光谱仪" not in found(None, q="光谱")
    assert "旧光谱仪" in found(shelf.lab_a, q="光谱")
    assert "旧光谱仪" not in found(shelf.lab_b, q="光谱")


@pytest.mark.parametrize("address,ok", [
    ("lab@demo.local", True), ("wang.gong@pjmetrology.cn", True), ("a@b.c", True),
    ("x@localhost", False), ("no-at-sign", False), ("a@b", False), ("a@@b.cn", False), ("@demo.local", False),
])
def test_one_email_rule_accepts_the_demos_addresses(address, ok):
    from app.formtools import email_problem

    assert (email_problem(address) is None) is ok


def test_the_instrument_form_takes_a_local_domain_and_refuses_a_bad_address(app_ctx):
    from app.catalog.forms import InstrumentForm
    from app.formtools import validate_json

    def sent(**overrides):  # as the API receives it: JSON values
        return dict(catalog.editable_payload(), name="原子吸收光谱仪", category_code="010100", internal_code="AAS-1",
                    **overrides)

    assert validate_json(InstrumentForm, sent(contact={"email": "lab@demo.local"})).contact.email.data == \
        "lab@demo.local"
    with pytest.raises(ValidationError) as error:
        validate_json(InstrumentForm, sent(contact={"email": "lab@localhost"}))
    assert "contact.email" in error.value.fields
