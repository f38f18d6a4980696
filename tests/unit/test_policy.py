import pytest
import sqlalchemy as sa

from app.policy import get_in_scope, scoped
from models import Organization, db
from models.errors import NotFound
from models.instrument import Instrument


def visible(actor, world):
    ids = set(db.session.scalars(scoped(Organization, actor).with_only_columns(Organization.id)))
    names = {"enterprise_a", "enterprise_b", "institution_a", "institution_b"}
    return {name for name in names if getattr(world, name).id in ids}


def test_anyone_sees_approved_institutions_but_no_enterprise(world):
    assert visible(None, world) == {"institution_a", "institution_b"}


def test_an_enterprise_sees_itself_and_the_institutions_but_not_other_enterprises(world):
    assert visible(world.sme_a, world) == {"enterprise_a", "institution_a", "institution_b"}


def test_a_district_sees_the_organisations_of_its_district(world):
    assert visible(world.district_b, world) == {"enterprise_b", "institution_a", "institution_b"}


def test_the_city_sees_everything(world):
    assert visible(world.city, world) == {"enterprise_a", "enterprise_b", "institution_a", "institution_b"}


def test_an_unapproved_institution_is_hidden_from_the_public(world, create_org):
    pending = create_org("institution", approved=False, district_code="310115")
    with pytest.raises(NotFound):
        get_in_scope(Organization, pending.id, None)
    with pytest.raises(NotFound):
        get_in_scope(Organization, pending.id, world.district_b)
    assert get_in_scope(Organization, pending.id, world.district_a) is pending


@pytest.mark.parametrize("garbage", ["abc", None, "1; drop table users", -1, 10**12])
def test_garbage_ids_are_simply_not_found(world, garbage):
    with pytest.raises(NotFound):
        get_in_scope(Organization, garbage, world.city)


def test_outside_scope_and_nonexistent_look_the_same(world):
    with pytest.raises(NotFound) as outside:
        get_in_scope(Organization, world.enterprise_b.id, world.sme_a)
    missing_id = db.session.scalar(sa.select(sa.func.max(Organization.id))) + 100
    with pytest.raises(NotFound) as missing:
        get_in_scope(Organization, missing_id, world.sme_a)
    assert str(outside.value.message) == str(missing.value.message)


def test_kept_instrument_lookups_answer_for_each_actor_not_the_first_of_its_role(world, create_user, create_org,
                                                                                 create_instrument):
    """get_in_scope keeps one statement per scope key (app/policy.py): a retired instrument is its own
    institution's and its district's alone, whoever of the same role asked first."""
    retired_a = create_instrument(world.institution_a, status="retired")
    retired_b = create_instrument(world.institution_b, status="retired")
    other_lab_a = create_user("institution", world.institution_b)
    for _round in range(2):  # the second round runs on the kept statements
        assert get_in_scope(Instrument, retired_a.id, world.lab_a) is retired_a
        assert get_in_scope(Instrument, retired_b.id, world.lab_b) is retired_b
        assert get_in_scope(Instrument, retired_b.id, other_lab_a) is retired_b
        assert get_in_scope(Instrument, retired_a.id, world.district_a) is retired_a
        assert get_in_scope(Instrument, retired_b.id, world.district_b) is retired_b
        for actor, hidden in ((world.lab_a, retired_b), (world.lab_b, retired_a), (world.district_a, retired_b),
                              (world.district_b, retired_a), (world.sme_a, retired_a), (None, retired_b)):
            with pytest.raises(NotFound):
                get_in_scope(Instrument, hidden.id, actor)
        assert get_in_scope(Instrument, retired_a.id, world.city) is retired_a
