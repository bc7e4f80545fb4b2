"""/api/v1/openapi.json describes every /api/v1 route, generated from the code."""

from __future__ import annotations

from openapi_spec_validator import validate

from directory.api.core import api_blueprint, operation
from directory.api.openapi import api_rules, build_document, openapi_path, undocumented_rules


def _operations(document):
    for path, item in document["paths"].items():
        for method, op in item.items():
            yield path, method, op


def test_document_is_a_valid_openapi_3_1_description(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"].startswith("3.1")
    assert document["info"]["title"] and document["info"]["version"]
    validate(document)  # raises on any structural error, unresolved $ref included


def test_every_api_v1_route_of_the_app_is_documented(app, client):
    document = client.get("/api/v1/openapi.json").get_json()

    assert undocumented_rules(app) == [], "add @operation(...) to these views"
    for rule in api_rules(app):
        item = document["paths"].get(openapi_path(rule.rule))
        assert item is not None, rule.rule
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in item, f"{method} {rule.rule}"


def test_the_contract_routes_are_in_the_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]

    assert set(paths["/api/v1/people"]) == {"get", "post"}
    assert set(paths["/api/v1/people/{id}"]) == {"get", "patch", "delete"}
    assert set(paths["/api/v1/people/{id}/verify"]) == {"post"}
    assert set(paths["/api/v1/associations"]) == {"get", "post"}
    assert set(paths["/api/v1/associations/{id}"]) == {"get", "patch"}
    assert {"/api/v1/fields", "/api/v1/provinces", "/api/v1/openapi.json"} <= set(paths)


def test_path_parameters_are_declared_and_required(client):
    document = client.get("/api/v1/openapi.json").get_json()

    op = document["paths"]["/api/v1/people/{id}"]["get"]
    (param,) = [p for p in op["parameters"] if p["in"] == "path"]
    assert param == {**param, "name": "id", "required": True, "schema": {"type": "string"}}


def test_errors_share_one_schema_and_each_operation_lists_its_own(client):
    document = client.get("/api/v1/openapi.json").get_json()
    error_ref = {"$ref": "#/components/schemas/Error"}

    assert document["components"]["schemas"]["Error"]["required"] == ["error"]
    for _path, _method, op in _operations(document):
        for status, response in op["responses"].items():
            if status.startswith("4"):
                assert response["content"]["application/json"]["schema"] == error_ref
    create = document["paths"]["/api/v1/people"]["post"]
    assert {"201", "401", "403", "415", "422"} <= set(create["responses"])
    assert create["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/Person"
    }
    assert "404" in document["paths"]["/api/v1/people/{id}"]["get"]["responses"]


def test_bearer_security_is_declared_and_required_for_writes(client):
    document = client.get("/api/v1/openapi.json").get_json()

    scheme = document["components"]["securitySchemes"]["bearer"]
    assert scheme == {**scheme, "type": "http", "scheme": "bearer"}
    for _path, method, op in _operations(document):
        if method in ("post", "patch", "put", "delete"):
            assert op["security"] == [{"bearer": []}]
    public_read = document["paths"]["/api/v1/people"]["get"]
    assert public_read["security"] == [{}, {"bearer": []}], "reads also work without a token"


def test_every_operation_documents_the_401_of_a_bad_token(client, db):
    document = client.get("/api/v1/openapi.json").get_json()

    for path, method, op in _operations(document):
        assert "401" in op["responses"], f"{method} {path}"
    response = client.get("/api/v1/people", headers={"Authorization": "Bearer kb_revoked"})
    assert response.status_code == 401  # even a public read refuses a bad token


def test_resource_schemas_are_published(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]

    assert {"Person", "Association", "Field", "Province", "Collection", "Error"} <= set(schemas)
    assert schemas["Person"]["properties"]["id"]["readOnly"] is True
    assert schemas["Collection"]["required"] == ["items", "total", "page", "per_page"]
    people = client.get("/api/v1/openapi.json").get_json()["paths"]["/api/v1/people"]["get"]
    assert {p["name"] for p in people["parameters"]} >= {"page", "per_page", "country"}


def test_a_new_route_appears_without_editing_the_document(make_app):
    app = make_app()
    bp = api_blueprint("example_api")

    @bp.get("/examples/<int:number>")
    @operation("One example", tags=("examples",), errors=(404,))
    def example(number):
        return {}

    @bp.get("/undocumented")
    def undocumented():
        return {}

    app.register_blueprint(bp)

    document = build_document(app)
    op = document["paths"]["/api/v1/examples/{number}"]["get"]
    assert op["summary"] == "One example"
    assert op["parameters"][0]["schema"] == {"type": "integer"}
    assert "404" in op["responses"]
    assert undocumented_rules(app) == ["/api/v1/undocumented"]


def _schema_validator(document, schema):
    from openapi_schema_validator import OAS31Validator

    return OAS31Validator({**schema, "components": document["components"]})


def test_responses_match_their_documented_schemas(client, bearer):
    from tests.factories import AssociationFactory, MembershipFactory, PersonFactory, UserFactory

    document = client.get("/api/v1/openapi.json").get_json()
    person = PersonFactory(birth_year=1980, skills=["VLSI"], other_names=["Paul Nguyen"])
    member = UserFactory(person=person)
    association = AssociationFactory()
    MembershipFactory(association=association, person=person, role="president")
    headers = bearer(member)
    checks = [
        ("/api/v1/people", "/api/v1/people"),
        ("/api/v1/people/{id}", f"/api/v1/people/{person.id}"),
        ("/api/v1/associations", "/api/v1/associations"),
        ("/api/v1/associations/{id}", f"/api/v1/associations/{association.id}"),
        ("/api/v1/fields", "/api/v1/fields"),
        ("/api/v1/provinces", "/api/v1/provinces"),
    ]
    for template, url in checks:
        schema = document["paths"][template]["get"]["responses"]["200"]["content"][
            "application/json"
        ]["schema"]
        body = client.get(url, headers=headers).get_json()
        _schema_validator(document, schema).validate(body)

    # Every key the API sends is documented (a drift between code and document fails here).
    schemas = document["components"]["schemas"]
    sent = client.get(f"/api/v1/people/{person.id}", headers=headers).get_json()
    assert set(sent) <= set(schemas["Person"]["properties"])
    sent = client.get(f"/api/v1/associations/{association.id}").get_json()
    assert set(sent) <= set(schemas["Association"]["properties"])
    assert set(sent["members"][0]) <= set(schemas["Membership"]["properties"])


def test_error_responses_match_the_error_schema(client):
    document = client.get("/api/v1/openapi.json").get_json()
    validator = _schema_validator(document, {"$ref": "#/components/schemas/Error"})

    for response in (
        client.get("/api/v1/people/missing"),
        client.get("/api/v1/people?page=0"),
        client.post("/api/v1/people", json={}),
    ):
        validator.validate(response.get_json())
