"""Malformed input thrown at every JSON-taking POST/PATCH/PUT route: never a 500, never a write.

The routes are read from the app's URL map, so routes added later are fuzzed too.
"""

from __future__ import annotations

import json

import pytest

from directory.api.openapi import api_rules
from tests.factories import AssociationFactory, PersonFactory, UserFactory

RAW_BODIES = [
    b"",
    b"{",
    b"}",
    b"nul",
    b"[1, 2",
    b"\xff\xfe\xfa",
    b"\x00\x00\x00",
    b"[" * 20_000,
    b'{"a": ' * 5_000,
    b"[]",
    b"[{}]",
    b"0",
    b"-1e999",
    b"true",
    b"null",
    b'"text"',
    b'{"full_name": NaN}',
    b'{"full_name": Infinity}',
    b'{"name": "\\ud800"}',
    b'{"full_name": "\\u0000"}',
]

JSON_BODIES = [
    {"full_name": 5},
    {"full_name": None, "name": None},
    {"full_name": ["a"], "name": ["a"]},
    {"full_name": {"a": 1}, "name": {"a": 1}},
    {"full_name": "", "name": ""},
    {"full_name": "x" * 300_000, "name": "x" * 300_000},
    {"fields": 5},
    {"fields": [1, None, {}]},
    {"birth_year": "abc"},
    {"birth_year": 10**40},
    {"birth_year": True},
    {"founded_year": "abc", "member_count": -5},
    {"country": 5},
    {"country": "ZZ"},
    {"kind": "castle"},
    {"email": ["x"]},
    {"phone": {"n": 1}},
    {"visibility": "public"},
    {"visibility": {"contact": "everyone", "x": 1}},
    {"consent_listed": "perhaps"},
    {"members": "all"},
    {"members": [{"person_id": 5, "role": "emperor"}]},
    {"x" * 1000: 1},
    {"id": "chosen-id"},
    {"comment": 5, "person_id": ["x"]},
    {"deep": [[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]},
]


def _body_routes(app):
    for rule in api_rules(app):
        meta = getattr(app.view_functions[rule.endpoint], "openapi", None) or {}
        if meta.get("body") is None:
            continue
        for method in sorted(rule.methods & {"POST", "PATCH", "PUT"}):
            yield method, rule


def _fill(rule, ids) -> str:
    values = {}
    for name in rule.arguments:
        if name == "id":
            values[name] = next((v for k, v in ids.items() if rule.rule.startswith(k)), "nope")
        else:
            values[name] = "submit"
    path = rule.rule
    for name, value in values.items():
        path = path.replace(f"<{name}>", value)
        for converter in ("string", "int", "path"):
            path = path.replace(f"<{converter}:{name}>", value)
    return path


@pytest.fixture
def targets(db):
    person = PersonFactory(country="FR")
    association = AssociationFactory(country="FR")
    return {"/api/v1/people": person.id, "/api/v1/associations": association.id}


@pytest.mark.parametrize("role", ["admin", "embassy", "member"])
def test_malformed_input_never_gives_500_nor_writes(app, client, bearer, row_counts, targets, role):
    user = {
        "admin": lambda: UserFactory(admin=True),
        "embassy": lambda: UserFactory(embassy=True),
        "member": lambda: UserFactory(person=PersonFactory(country="FR")),
    }[role]()
    headers = bearer(user, **{"Accept-Language": "en"})
    routes = list(_body_routes(app))
    assert routes, "no JSON-taking route found"
    # An official's view of private contact details is audited (a row): snapshot first.
    snapshots = {
        path: client.get(f"{path}/{ident}", headers=headers).get_data()
        for path, ident in targets.items()
    }
    before = row_counts()

    failures = []
    bodies = [*RAW_BODIES, *(json.dumps(b).encode() for b in JSON_BODIES)]
    for method, rule in routes:
        path = _fill(rule, targets)
        for body in bodies:
            response = client.open(
                path, method=method, data=body, content_type="application/json", headers=headers
            )
            shape_ok = (
                response.is_json and set(response.get_json() or {}) == {"error"}
                if response.status_code >= 400
                else True
            )
            if not (400 <= response.status_code < 500 and shape_ok):
                failures.append((method, rule.rule, body[:60], response.status_code))

    assert failures == []
    assert row_counts() == before
    for path, ident in targets.items():
        assert client.get(f"{path}/{ident}", headers=headers).get_data() == snapshots[path]
