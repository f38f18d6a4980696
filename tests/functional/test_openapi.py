"""The API describes itself (issue 14): GET /api/v1/openapi.json is valid OpenAPI 3.1 and names every route
of the API blueprint, from the declarations that also validate the input."""
from openapi_spec_validator import validate

from app.api.openapi import CONVERTER


def test_the_document_is_valid_openapi_3_1(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["openapi"].startswith("3.1")
    validate(spec)


def test_every_route_of_the_api_blueprint_is_described(app, client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    missing = []
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        path = CONVERTER.sub(lambda m: "{" + m.group(3) + "}", rule.rule).removeprefix("/api/v1")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if method.lower() not in paths.get(path, {}):
                missing.append(f"{method} {rule.rule}")
    assert missing == []


def test_operations_carry_bearer_security_and_the_error_body(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer",
                                                               "description": "POST /auth/token"}
    quote = spec["paths"]["/orders/{order_id}/quote"]["post"]
    assert quote["responses"]["422"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    amount = quote["requestBody"]["content"]["application/json"]["schema"]["properties"]["amount"]
    assert "string" in amount["type"]
    booking = spec["paths"]["/bookings"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert booking["properties"]["instrument_id"] == {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
    assert {"instrument_id", "start", "end"} <= set(booking["required"])


def test_a_declared_body_refuses_wrong_types_in_the_users_language(api, world, create_instrument, create_booking):
    booking = create_booking(create_instrument(world.institution_a), world.enterprise_a, status="completed")
    response = api(world.sme_a).post(f"/bookings/{booking.id}/review", json={"score": "5"},
                                     headers={"Accept-Language": "en"})
    assert response.status_code == 422
    error = response.get_json()["error"]
    assert error["code"] == "validation_error" and "score" in error["fields"]
    assert error["fields"]["score"] == "Must be a whole number from 1 to 5."
