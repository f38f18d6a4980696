"""Catalog search finds what users mean: several words, synonyms, places; relevance, highlights, facets."""
from datetime import date

import pytest
import sqlalchemy as sa

from app.catalog import synonyms
from app.catalog.search import Filters, count_apart, expand, facets, highlight, search
from models import SearchSynonym, db
from models.errors import Forbidden, ValidationError

TODAY = date(2026, 3, 2)


def found(actor=None, **filters):
    return [i.name for i in db.session.scalars(search(actor, Filters(**filters), TODAY)).unique()]


@pytest.fixture
def shelf(world, create_instrument):
    a, b = world.institution_a, world.institution_b  # 浦东新区, 闵行区
    create_instrument(a, name="场发射扫描电子显微镜", name_en="FE Scanning Electron Microscope", category_code="010400")
    create_instrument(a, name="原子吸收光谱仪", name_en="Atomic Absorption Spectrometer", category_code="010100",
                      service_modes=["self_operated", "test_by_proxy"])
    create_instrument(b, name="火花直读光谱仪", name_en="Spark OES", category_code="010100")
    create_instrument(a, name="电子万能材料试验机", name_en="Universal Testing Machine", category_code="020100",
                      functions="金属拉伸、压缩试验")
    create_instrument(b, name="三坐标测量机", name_en="Coordinate Measuring Machine", category_code="030100")
    create_instrument(b, name="影像测量仪", functions="替代三坐标做二维测量", category_code="030100")
    return world


def test_the_seeded_synonyms_are_there():
    words = {w for group in db.session.scalars(sa.select(SearchSynonym)) for w in group.words}
    assert {"sem", "扫描电镜", "cmm", "三坐标测量机", "拉力", "万能材料试验机", "rohs", "xrf", "emc", "电磁兼容"} <= words


@pytest.mark.parametrize("q,names", [
    ("扫描电镜", ["场发射扫描电子显微镜"]),
    ("sem", ["场发射扫描电子显微镜"]),
    ("SEM", ["场发射扫描电子显微镜"]),
    ("拉力", ["电子万能材料试验机"]),
    ("光谱仪 浦东", ["原子吸收光谱仪"]),
    ("光谱仪 闵行", ["火花直读光谱仪"]),
    ("光谱 乙检测", ["火花直读光谱仪"]),  # institution name
    ("计量仪器 闵行", ["三坐标测量机", "影像测量仪"]),  # category class name
])
def test_search_finds_what_users_mean(shelf, q, names):
    assert sorted(found(q=q)) == sorted(names)


def test_words_found_in_the_name_rank_before_words_found_in_the_text(shelf):
    assert found(q="CMM") == ["三坐标测量机", "影像测量仪"]


def test_several_words_are_all_required(shelf):
    assert found(q="光谱仪 扫描电镜") == []


def test_a_group_the_city_adds_is_used_at_once(shelf, now):
    assert found(q="AASX") == []
    synonyms.save_group(shelf.city, "AASX 原子吸收光谱", now)
    assert found(q="aasx") == ["原子吸收光谱仪"]


def test_only_the_city_edits_synonyms_and_a_word_belongs_to_one_group(shelf, now):
    with pytest.raises(Forbidden):
        synonyms.save_group(shelf.lab_a, "AASX 原子吸收光谱", now)
    with pytest.raises(ValidationError) as error:
        synonyms.save_group(shelf.city, "扫描电镜 电镜", now)
    assert "扫描电镜" in str(error.value.fields["terms"])
    with pytest.raises(ValidationError):
        synonyms.save_group(shelf.city, "单独", now)


def test_expand_gives_each_word_its_group():
    assert expand("SEM 浦东")[0][:3] == ["sem", "扫描电镜", "扫描电子显微镜"]
    assert expand("SEM 浦东")[1] == ["浦东"]


def test_highlight_marks_found_words_and_escapes_the_rest():
    html = str(highlight("<b>扫描电子显微镜</b> SEM", ["扫描电子显微镜", "sem"]))
    assert html == "&lt;b&gt;<mark>扫描电子显微镜</mark>&lt;/b&gt; <mark>SEM</mark>"
    assert str(highlight("a<script>", [])) == "a&lt;script&gt;"


def test_facets_count_categories_districts_and_modes_without_their_own_filter(shelf):
    result = facets(None, Filters(q="光谱仪", district="310115"), TODAY)
    assert [(c.code, n) for c, n in result["category"]] == [("010000", 1)]
    assert dict(result["district"]) == {"310112": 1, "310115": 1}  # the district filter is not applied to itself
    assert dict(result["mode"]) == {"self_operated": 1, "test_by_proxy": 1}


def test_an_institution_renamed_or_moved_is_found_by_its_new_names(shelf):
    shelf.institution_b.name = "丙计量院"
    shelf.institution_b.district_code = "310104"
    db.session.commit()
    assert sorted(found(q="丙计量")) == ["三坐标测量机", "影像测量仪", "火花直读光谱仪"]
    assert found(q="光谱仪 徐汇") == ["火花直读光谱仪"]
    assert found(q="光谱仪 闵行") == []


def test_a_list_without_a_word_pages_and_counts_the_same_in_two_statements(shelf):
    from app.pagination import paginate
    from models.instrument import Instrument

    filters = Filters()
    assert count_apart(filters, []) and not count_apart(Filters(q="光谱"), expand("光谱"))
    assert not count_apart(Filters(sort="price"), [])
    for page in (1, 2, 99):
        together = paginate(search(None, filters, TODAY), page, 2, key=Instrument.id)
        apart = paginate(search(None, filters, TODAY), page, 2, key=Instrument.id, count_apart=True)
        assert [i.id for i in apart.items] == [i.id for i in together.items]
        assert apart.total == together.total > 2
