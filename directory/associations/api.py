"""/api/v1/associations: thin JSON views over ``directory.associations.services``."""

from __future__ import annotations

from flask import jsonify, url_for

from directory.api.core import (
    PAGINATION,
    api_blueprint,
    api_user,
    choice_arg,
    collection,
    collection_of,
    country_arg,
    get_or_404,
    json_body,
    operation,
    page_args,
    province_arg,
    ref,
    require_api_user,
    require_can,
)
from directory.associations import services
from directory.associations.models import (
    ASSOCIATION_KINDS,
    MEMBERSHIP_STATUSES,
    Association,
    Membership,
)
from directory.core import paging

bp = api_blueprint("associations_api")

ID = {"id": {"in": "path", "description": "The association's id."}}


@bp.get("/associations")
@operation(
    "Associations, by name",
    tags=("associations",),
    params={
        **PAGINATION,
        "country": {
            "in": "query",
            "schema": {"type": "string"},
            "description": "ISO alpha-2 code or country name.",
        },
        "kind": {"in": "query", "schema": {"type": "string", "enum": list(ASSOCIATION_KINDS)}},
        "province": {
            "in": "query",
            "schema": {"type": "string"},
            "description": "Hometown province: slug or any current or legacy name.",
        },
    },
    response=collection_of("Association"),
)
def list_associations():
    """A page of associations, optionally filtered by country, kind and province."""
    user = api_user()
    page, per_page = page_args()
    country = country_arg()
    kind = choice_arg("kind", ASSOCIATION_KINDS)
    province = province_arg()
    query = services.list_associations(kind=kind, country=country, province=province)
    listing = paging.page_of(query, page, per_page)
    items = [services.association_to_dict(a, user) for a in listing.items]
    return jsonify(collection(items, listing.total, page, per_page))


@bp.post("/associations")
@operation(
    "Register an association (embassy officer in the mission's countries, or a member who leads it)",
    tags=("associations",),
    body=ref("Association"),
    response=ref("Association"),
    status=201,
    errors=(403,),
    auth=True,
    description="A member who registers an association becomes its president.",
)
def create_association():
    """Registration by an official, or by the member who leads the association."""
    user = require_api_user()
    data = json_body("Association")
    require_can(user, "association.create")
    association = services.create_association(data, by=user)
    response = jsonify(services.association_to_dict(association, user))
    response.status_code = 201
    response.headers["Location"] = url_for("associations_api.get_association", id=association.id)
    return response


@bp.get("/associations/<id>")
@operation(
    "One association, with the members the caller may see",
    tags=("associations",),
    params=ID,
    response=ref("Association"),
    errors=(404,),
    description=(
        "`members` lists accepted memberships only. Those who manage the members (leaders, "
        "the covering mission, the admin) also get `proposals`: the proposed and declined ones."
    ),
)
def get_association(id: str):
    """The association and its visible members."""
    user = api_user()
    association = get_or_404(Association, id, "association.view", user)
    return jsonify(services.association_to_dict(association, user))


@bp.patch("/associations/<id>")
@operation(
    "Change some fields of an association",
    tags=("associations",),
    params=ID,
    body=ref("Association"),
    response=ref("Association"),
    errors=(403, 404),
    auth=True,
    description="By its leaders, an officer of the mission covering its country, or the admin.",
)
def update_association(id: str):
    """A partial update under the same rules as the web form."""
    user = require_api_user()
    association = get_or_404(Association, id, "association.view", user)
    require_can(user, "association.edit", association)
    services.update_association(association, json_body("Association"), by=user)
    return jsonify(services.association_to_dict(association, user))


MEMBERSHIP_ID = {"id": {"in": "path", "description": "The membership's id."}}


@bp.get("/memberships")
@operation(
    "Membership proposals waiting for the caller's answer",
    tags=("associations",),
    params={
        **PAGINATION,
        "status": {
            "in": "query",
            "schema": {"type": "string", "enum": list(MEMBERSHIP_STATUSES)},
            "description": "Which memberships (default: proposed, the ones to answer).",
        },
    },
    response=collection_of("Membership"),
    auth=True,
    description=(
        "A member's own memberships; for an embassy officer, those of the unclaimed profiles "
        "the mission registered (it answers for them until the person claims the profile)."
    ),
)
def list_memberships():
    """The memberships the caller decides upon, in one status."""
    user = require_api_user()
    page, per_page = page_args()
    status = choice_arg("status", MEMBERSHIP_STATUSES) or "proposed"
    listing = paging.page_of(services.decider_memberships(user, status), page, per_page)
    items = [services.membership_to_dict(m) for m in listing.items]
    return jsonify(collection(items, listing.total, page, per_page))


def _decide(id: str, accept: bool):
    user = require_api_user()
    membership = get_or_404(Membership, id, "membership.decide", user)
    if accept:
        services.accept_membership(membership, user)
    else:
        services.decline_membership(membership, user)
    return jsonify(services.membership_to_dict(membership))


@bp.post("/memberships/<id>/accept")
@operation(
    "Accept a proposed membership (the person, or the registering mission before a claim)",
    tags=("associations",),
    params=MEMBERSHIP_ID,
    response=ref("Membership"),
    errors=(404, 422),
    auth=True,
    description="The membership is then shown on the profile and in the association.",
)
def accept_membership(id: str):
    """Accept one proposal."""
    return _decide(id, True)


@bp.post("/memberships/<id>/decline")
@operation(
    "Decline a proposed membership (the person, or the registering mission before a claim)",
    tags=("associations",),
    params=MEMBERSHIP_ID,
    response=ref("Membership"),
    errors=(404, 422),
    auth=True,
)
def decline_membership(id: str):
    """Decline one proposal."""
    return _decide(id, False)
