"""Schemathesis against /api/v1/openapi.json, as each of five callers: never a 5xx, and every
response (success or error) is one the OpenAPI document describes.

Each role gets a write token and a world where the ids exist (a person, an association with a
proposed membership, a business, a need, an initiative, a contact request, a nomination), so
the generated calls reach the views' validation instead of stopping at 404. Generated path ids
are replaced by a real one half the time. Writes are real: the database is thrown away after.

Bounded for CI (``FUZZ_EXAMPLES`` examples per operation and generation mode, see the README).
"""

from __future__ import annotations

import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from directory.accounts.tokens import create_token
from directory.extensions import db
from tests.security.fuzzing import EXAMPLES, PHASES, first_failure, seed_world

pytestmark = pytest.mark.fuzz

ROLES = ("anonymous", "member", "embassy", "officer", "admin")
CHECKS = [
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
    content_type_conformance,
]


def modes(operation) -> list[GenerationMode]:
    """Valid input always; invalid input where there is something to get wrong (a body, a
    query parameter, a path parameter with a set of values): a bare string id has no
    invalid form."""
    negatable = operation.body or any(
        param.location.value == "query" or "enum" in param.definition.get("schema", {})
        for param in operation.iter_parameters()
    )
    return [GenerationMode.POSITIVE, *([GenerationMode.NEGATIVE] if negatable else [])]


def known_values(path: str, name: str, ids: dict, people: list) -> list:
    if name == "person_id" or path.startswith("/api/v1/people/"):
        return people
    return next((values for prefix, values in ids.items() if path.startswith(prefix)), [])


@pytest.mark.parametrize("role", ROLES)
def test_the_api_answers_hostile_calls_as_documented(app, client, role):
    cast, ids, people = seed_world(client)
    # Not the caller's own profile: deleting it would end their account, and their token.
    own = getattr(cast[role], "person_id", None)
    people = [person for person in people if person != own]
    headers = {"Accept-Language": "en"}
    if role != "anonymous":
        _token, raw = create_token(cast[role])
        db.session.commit()
        headers["Authorization"] = f"Bearer {raw}"
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    failures = []
    operations = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in modes(operation):
            started = time.monotonic()
            failure = first_failure(_fuzz(operation, mode, client, headers, ids, people))
            print(f"{time.monotonic() - started:6.2f}s {mode.value} {operation.label}")
            if failure:
                failures.append(f"{mode.value} {operation.label}: {failure}")
    assert operations >= 50
    assert not failures, "\n\n".join(failures)


def _fuzz(operation, mode, client, headers, ids, people):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        derandomize=False,
        suppress_health_check=list(HealthCheck),
        print_blob=False,
        phases=PHASES,
    )
    @given(case=operation.as_strategy(generation_mode=mode), data=st.data())
    def run(case, data):
        for name in list(case.path_parameters or {}):
            known = known_values(operation.path, name, ids, people)
            if known and data.draw(st.booleans(), label=f"real {name}"):
                case.path_parameters[name] = data.draw(st.sampled_from(known), label=name)
        response = case.call(session=client, headers=headers)
        case.validate_response(response, checks=CHECKS)

    return run
