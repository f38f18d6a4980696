"""The city bureau keeps the search's synonyms on a page and through the API; search uses them at once."""
from models import SearchSynonym, db


def test_anyone_reads_the_synonym_groups(api):
    items = api().get("/search/synonyms").get_json()["items"]
    assert ["sem", "扫描电镜", "扫描电子显微镜"] in [i["terms"] for i in items]


def test_the_city_adds_edits_and_deletes_a_group_through_the_api(api, world, create_instrument):
    create_instrument(world.institution_a, name="原子吸收光谱仪")
    city = api(world.city)
    response = city.post("/search/synonyms", json={"terms": ["AASX", "原子吸收光谱"]})
    assert response.status_code == 201
    group_id = response.get_json()["id"]
    assert [i["name"] for i in api().get("/instruments?q=AASX").get_json()["items"]] == ["原子吸收光谱仪"]
    assert city.patch(f"/search/synonyms/{group_id}", json={"terms": ["AASY", "原子吸收光谱"]}).get_json()["terms"] == \
        ["aasy", "原子吸收光谱"]
    assert api().get("/instruments?q=AASX").get_json()["total"] == 0
    assert city.delete(f"/search/synonyms/{group_id}").status_code == 204
    assert db.session.get(SearchSynonym, group_id) is None


def test_others_may_not_edit_synonyms_and_bad_groups_are_field_errors(api, world):
    assert api(world.lab_a).post("/search/synonyms", json={"terms": ["AASX", "原子吸收光谱"]}).status_code == 403
    assert api().post("/search/synonyms", json={"terms": ["AASX", "原子吸收光谱"]}).status_code == 401
    response = api(world.city).post("/search/synonyms", json={"terms": 5})
    assert response.status_code == 422 and "terms" in response.get_json()["error"]["fields"]
    response = api(world.city).post("/search/synonyms", json={"terms": ["SEM", "电镜"]})
    assert response.status_code == 422 and "sem" in response.get_json()["error"]["fields"]["terms"]


def test_the_city_keeps_synonyms_on_its_page(sign_in, world):
    client = sign_in(world.city)
    assert "扫描电子显微镜" in client.get("/admin/synonyms/").get_data(as_text=True)
    response = client.post("/admin/synonyms/", data={"terms": "AASX，原子吸收光谱"})
    assert response.status_code == 302
    assert db.session.query(SearchSynonym).filter_by(terms="aasx 原子吸收光谱").one()
    response = client.post("/admin/synonyms/", data={"terms": "孤词"})
    assert response.status_code == 422 and "一组至少两个词" in response.get_data(as_text=True)


def test_the_synonyms_page_is_the_citys(sign_in, world):
    assert sign_in(world.lab_a).get("/admin/synonyms/").status_code == 403
