"""/api/v1/people: thin JSON views over ``directory.people.services`` and ``data_protection``."""

from __future__ import annotations

from flask import jsonify, url_for

from directory import policy
from directory.api.core import (
    PAGINATION,
    api_blueprint,
    api_user,
    collection,
    collection_of,
    country_arg,
    get_or_404,
    json_body,
    operation,
    page_args,
    ref,
    require_api_user,
    require_can,
)
from directory.core import paging
from directory.extensions import db
from directory.people import data_protection, queries, services
from directory.people.models import Person
from directory.people.serializers import person_to_dict, record_contact_view

bp = api_blueprint("people_api")

ID = {"id": {"in": "path", "description": "The person's id."}}


@bp.get("/people")
@operation(
    "People the caller may see, newest first",
    tags=("people",),
    params={
        **PAGINATION,
        "country": {
            "in": "query",
            "schema": {"type": "string"},
            "description": "Country of residence: ISO alpha-2 code or name.",
        },
    },
    response=collection_of("Person"),
    description="Anonymous callers see listed profiles only, and only their public fields.",
)
def list_people():
    """A page of the people the caller may see, each with the fields the caller may see."""
    user = api_user()
    page, per_page = page_args()
    listing = paging.page_of(queries.visible_people(user, country=country_arg()), page, per_page)
    items = []
    for person in listing.items:
        items.append(person_to_dict(person, user))
        record_contact_view(person, user, commit=False)
    db.session.commit()
    return jsonify(collection(items, listing.total, page, per_page))


@bp.post("/people")
@operation(
    "Register a person (embassy officer), or create one's own profile (member)",
    tags=("people",),
    body=ref("Person"),
    response=ref("Person"),
    status=201,
    errors=(403, 409),
    auth=True,
    description=(
        "An embassy officer registers an unclaimed profile living in one of the mission's "
        "countries; a member without a profile creates their own. An officer who records the "
        "person's consent sends `consent_evidence` (422 naming it otherwise) and may not make "
        "any group of fields public (422 naming `visibility.profile` or `visibility.contact`). "
        "Likely duplicates (the import's matching, as the registration forms show them) without "
        "`confirm_duplicate: true`: 409 `duplicate`, whose error also holds `candidates` "
        "[{`id`, `full_name`, `kind` (`duplicate` | `probable`), `reason` (`email`, `phone`, "
        "`name_birth_year`, `name_city`), `strength` (`strong` | `weak`)}] for the profiles the caller may see and `hidden_candidates` (how many "
        "others match). Nothing is written."
    ),
)
def create_person():
    """Registration by an official, or the member's own profile."""
    user = require_api_user()
    data = json_body("Person")
    confirmed = data.pop("confirm_duplicate", False) is True
    if policy.can(user, "person.create_own"):
        person = services.create_own_profile(user, data, duplicates_confirmed=confirmed)
    else:
        require_can(user, "person.register")
        person = services.register_person(data, by=user, duplicates_confirmed=confirmed)
    response = jsonify(person_to_dict(person, user))
    response.status_code = 201
    response.headers["Location"] = url_for("people_api.get_person", id=person.id)
    return response


@bp.get("/people/<id>")
@operation(
    "One person, with the fields the caller may see",
    tags=("people",),
    params=ID,
    response=ref("Person"),
    errors=(404,),
)
def get_person(id: str):
    """The profile; viewing non-public contact details is audited."""
    user = api_user()
    person = get_or_404(Person, id, "person.view", user)
    data = person_to_dict(person, user)
    record_contact_view(person, user)
    return jsonify(data)


@bp.patch("/people/<id>")
@operation(
    "Change some fields of a profile",
    tags=("people",),
    params=ID,
    body=ref("Person"),
    response=ref("Person"),
    errors=(403, 404),
    auth=True,
    description=(
        "Only the keys given change. Officials edit unclaimed profiles in their mission's "
        "countries. Consent and visibility are the member's own: on an unclaimed profile an "
        "official records consent only with `consent_evidence`, may withdraw it, and may "
        "narrow visibility but never make a group public; on a claimed profile officials "
        "change neither (422 naming the field)."
    ),
)
def update_person(id: str):
    """A partial update under the same rules as the web form."""
    user = require_api_user()
    person = get_or_404(Person, id, "person.view", user)
    require_can(user, "person.edit", person)
    services.update_person(person, json_body("Person"), by=user)
    return jsonify(person_to_dict(person, user))


@bp.delete("/people/<id>")
@operation(
    "Delete a profile: the member's own account, or an admin's anonymisation",
    tags=("people",),
    params=ID,
    status=204,
    errors=(403, 404),
    auth=True,
    description="The profile is anonymised (its id stays) and leaves the search index.",
)
def delete_person(id: str):
    """The member deletes their account; an admin anonymises a profile."""
    user = require_api_user()
    person = get_or_404(Person, id, "person.view", user)
    require_can(user, "person.delete", person)
    if policy.owns_person(user, person):
        data_protection.delete_account(user)
    else:
        data_protection.anonymise_person(person, by=user)
    return "", 204


@bp.post("/people/<id>/verify")
@operation(
    "Verify a profile (an officer of the mission covering the person's country)",
    tags=("people",),
    params=ID,
    response=ref("Person"),
    errors=(403, 404),
    auth=True,
)
def verify_person(id: str):
    """Mark the profile verified by the caller's mission."""
    user = require_api_user()
    person = get_or_404(Person, id, "person.view", user)
    require_can(user, "person.verify", person)
    services.verify_person(person, by=user)
    return jsonify(person_to_dict(person, user))
