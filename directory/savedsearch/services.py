"""The one writer of saved searches: save, rename, delete, and note when one was opened.

A saved search keeps the search's parameters, validated by the search itself
(``directory.search.services.parse_search_args``) and stored canonical, never its results:
opening it runs the search again for whoever opens it, under the policy of that moment.
"""

from __future__ import annotations

import unicodedata

import sqlalchemy as sa
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy.exc import IntegrityError
from werkzeug.datastructures import MultiDict

from directory import policy
from directory.core.errors import ValidationError
from directory.core.models import utcnow
from directory.extensions import db
from directory.people.data_protection import on_account_close
from directory.savedsearch.models import NAME_MAX, PER_USER_MAX, SavedSearch
from directory.search.services import FACETS, SearchParams, parse_search_args

# The query-string parameters a saved search keeps (the page and its size are not kept).
KEPT = ("q", *FACETS, "added_since", "sort")


def query_of(params: SearchParams) -> dict:
    """The canonical query of validated parameters: only what narrows or orders the search."""
    query: dict = {}
    if params.q:
        query["q"] = params.q
    for name in FACETS:
        if params.filters.get(name):
            query[name] = list(params.filters[name])
    if params.added_since is not None:
        query["added_since"] = params.added_since.isoformat()
    if params.sort != "relevance":
        query["sort"] = params.sort
    return query


def query_args(query: dict) -> MultiDict:
    """A stored query as request arguments (for ``url_for`` and ``parse_search_args``)."""
    args = MultiDict()
    for key, value in query.items():
        for item in value if isinstance(value, list) else [value]:
            args.add(key, item)
    return args


def parse_query(args) -> dict:
    """Validate search arguments (a MultiDict) the way the search does; keep the canonical query.

    Raises ValidationError naming each bad parameter.
    """
    if not hasattr(args, "getlist"):  # a plain dict of texts or lists of texts
        args = query_args(dict(args))
    return query_of(parse_search_args(args))


def _clean_name(raw, user, saved: SavedSearch | None = None) -> str:
    """The name, spaces tidied and control characters dropped; unique for the user (any case)."""
    text = "".join(c for c in str(raw or "") if unicodedata.category(c) != "Cc" or c.isspace())
    name = " ".join(text.split())
    if not name:
        raise ValidationError({"name": _("Give the search a name.")})
    if len(name) > NAME_MAX:
        raise ValidationError(
            {"name": _("At most %(max)d characters.", max=NAME_MAX)},
            _("Some values are not valid."),
        )
    taken = db.session.scalars(
        sa.select(SavedSearch.name).where(
            SavedSearch.user_id == user.id,
            SavedSearch.id != (saved.id if saved is not None else ""),
        )
    )
    if name.casefold() in {other.casefold() for other in taken}:
        raise ValidationError({"name": _("You already have a saved search with this name.")})
    return name


def _commit_or_name_taken() -> None:
    """Commit; a name saved meanwhile by a simultaneous request is the same refusal."""
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        raise ValidationError(
            {"name": _("You already have a saved search with this name.")}
        ) from None


def save_search(user, name, args) -> SavedSearch:
    """Keep the search described by ``args`` (search arguments) under ``name`` for ``user``."""
    policy.require(user, "saved_search.create")
    errors: dict[str, str] = {}
    try:
        query = parse_query(args)
    except ValidationError as exc:
        errors.update(exc.fields)
        query = {}
    try:
        clean = _clean_name(name, user)
    except ValidationError as exc:
        errors.update(exc.fields)
    if errors:
        raise ValidationError(errors, _("Some values are not valid."))
    kept = db.session.scalar(
        sa.select(sa.func.count()).select_from(SavedSearch).where(SavedSearch.user_id == user.id)
    )
    if kept >= PER_USER_MAX:
        raise ValidationError(
            {
                "name": ngettext(
                    "You may keep at most %(num)d saved search; delete one first.",
                    "You may keep at most %(num)d saved searches; delete one first.",
                    PER_USER_MAX,
                )
            }
        )
    saved = SavedSearch(user_id=user.id, name=clean, query=query)
    db.session.add(saved)
    _commit_or_name_taken()
    return saved


def rename_search(user, saved: SavedSearch, name) -> SavedSearch:
    """Give one's saved search another name."""
    policy.require(user, "saved_search.manage", saved)
    saved.name = _clean_name(name, user, saved)
    _commit_or_name_taken()
    return saved


def delete_search(user, saved: SavedSearch) -> None:
    """Forget one's saved search."""
    policy.require(user, "saved_search.manage", saved)
    db.session.delete(saved)
    db.session.commit()


def mark_opened(user, saved: SavedSearch) -> None:
    """The owner opened it: "new since last time" now counts from today."""
    policy.require(user, "saved_search.manage", saved)
    saved.last_opened_at = utcnow()
    db.session.commit()


@on_account_close
def delete_all_of(user) -> int:
    """Every saved search of ``user`` (the account is being closed); the caller commits."""
    result = db.session.execute(sa.delete(SavedSearch).where(SavedSearch.user_id == user.id))
    return result.rowcount or 0
