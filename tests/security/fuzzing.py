"""What the fuzz tests share: how many examples to try, and how a failure is reported."""

from __future__ import annotations

import os
from collections.abc import Callable
from datetime import date, timedelta

from hypothesis import Phase

from directory.accounts.tokens import create_token
from directory.associations.models import Association
from directory.extensions import db
from tests.factories import MembershipFactory, make_cast

# Examples per operation (API) or per form (pages), and per generation mode. The CI default
# keeps the fuzz tests within their budget; FUZZ_EXAMPLES=500 runs them longer locally.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "5"))
# No shrinking: the failure report already holds the request (a curl command) that failed.
PHASES = (Phase.explicit, Phase.generate)


def _describe(exc: BaseException) -> str:
    """The exception and, for a group (Hypothesis' FlakyFailure, Schemathesis' FailureGroup),
    the ones inside it."""
    text = f"{type(exc).__name__}: {exc}"
    for inner in getattr(exc, "exceptions", ()):
        text += "\n  " + _describe(inner).replace("\n", "\n  ")
    return text


def first_failure(run: Callable[[], None]) -> str | None:
    """Run a Hypothesis test; None when it passes, else a short account of its failure.

    Schemathesis reports its failures as a ``BaseExceptionGroup``, hence the broad catch.
    """
    try:
        run()
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException as exc:  # noqa: BLE001 - every failure is collected, then asserted
        text = _describe(exc)
        lines = [line for line in text.splitlines() if line.strip()]
        curl = [line.strip() for line in lines if line.strip().startswith("curl ")]
        return "\n".join(lines[:24] + curl[:1])[:4000]
    return None


def _post(client, path, body, headers) -> str:
    response = client.post(path, json=body, headers=headers)
    assert response.status_code == 201, (path, response.get_json())
    return response.get_json()["id"]


def seed_world(client):
    """The cast and one record of each kind, created through the API; returns (cast, ids)."""
    cast = make_cast()
    tokens = {}
    for role in ("member", "embassy", "officer"):
        _token, raw = create_token(cast[role])
        tokens[role] = {"Authorization": f"Bearer {raw}"}
    association = _post(
        client,
        "/api/v1/associations",
        {
            "name": "Hội đồng hương Đà Nẵng",
            "kind": "hometown",
            "province": "Đà Nẵng",
            "country": "FR",
        },
        tokens["embassy"],
    )
    membership = MembershipFactory(
        association=db.session.get(Association, association),
        person=cast.member_person,
        status="proposed",
    )
    business = _post(
        client,
        "/api/v1/businesses",
        {
            "name": "Công ty Cà phê Tây Nguyên SAS",
            "country": "FR",
            "sectors": ["food-processing"],
        },
        tokens["embassy"],
    )
    need = _post(
        client,
        "/api/v1/needs",
        {
            "title": "Đào tạo vi mạch",
            "description": "Mô tả",
            "type": "training",
            "fields": ["semiconductors"],
            "countries": ["FR"],
            "deadline": (date.today() + timedelta(days=30)).isoformat(),
            "audience": "public",
        },
        tokens["officer"],
    )
    initiative = _post(
        client,
        "/api/v1/initiatives",
        {
            "province": "da-nang",
            "title": "Sáng kiến vi mạch",
            "fields": ["semiconductors"],
            "text": "Nội dung của sáng kiến.",
        },
        tokens["member"],
    )
    contact = _post(
        client,
        "/api/v1/contact-requests",
        {"person_id": cast.member_person.id, "message": "Xin chào", "need_id": need},
        tokens["officer"],
    )
    nomination = _post(
        client,
        "/api/v1/nominations",
        {"person_id": cast.nominee_person.id, "country": "FR", "rationale": "Chuyên gia"},
        tokens["officer"],
    )
    db.session.commit()
    people = [p.id for p in cast.people]
    ids = {
        "/api/v1/people/": people,
        "/api/v1/associations/": [association],
        "/api/v1/businesses/": [business],
        "/api/v1/needs/": [need],
        "/api/v1/initiatives/": [initiative],
        "/api/v1/contact-requests/": [contact],
        "/api/v1/nominations/": [nomination],
        "/api/v1/memberships/": [membership.id],
        "/api/v1/stats/province/": ["da-nang", "ha-noi"],
    }
    return cast, ids, people
