"""Explained matching: who fits a cooperation need, in what order, and why.

Two steps, for one viewer (an officer of the need's province, or the admin):

**Recall** (the search engine, ``directory.search.services.recall``, as the viewer: what they
may not find is never recalled). Up to :data:`RECALL_LIMIT` people and associations each for:

- the need's fields as filters: with the target countries and the need's province as hometown
  (current and legacy names: the engine's province filter), with the target countries, and
  with the province (the fields alone when the need has no target country);
- the hometown associations of the need's province, whatever their fields;
- each field's name as a query: the engine expands a taxonomy term to its names and synonyms
  in both languages, so that a profile naming the field in its title, skills or biography is
  found without being tagged ("vi mạch" for semiconductors);
- the need's title as a query;
- plus the members who expressed interest in the need.

**Candidates** are then read from the database (the source of truth) and kept only when the
viewer may see them and, for people, when they consented to be contacted by officials. People
who turned contact requests off stay in the list, marked not contactable.

**Scoring** (:func:`score`, the one function that orders them; people and associations alike).
Points add up; each criterion outweighs every criterion after it put together, so the order is
"field match first, then …" as the product asks:

=============================================  =========  ==============================
criterion                                      points     reason code
=============================================  =========  ==============================
tagged with one of the need's fields           1000       ``field``
else, names one of them in its visible text     500       ``field``
lives (is based) in a target country            200       ``country``
hometown is the need's province (any name)      100       ``hometown``
speaks a language of a target country            50       ``language``
verified by a mission                            20       ``verified``
expressed interest in this need                  10       ``interest``
profile updated recently                        0–9       ``recent`` (shown within 180 days)
=============================================  =========  ==============================

How many of the need's fields match adds nothing (the reason lists them all): one of them and
a home in a target country outranks two of them and a home elsewhere. Ties go by name, then
id. The reasons are returned in the viewer's language, in the order of the table. Candidates
already on the need's shortlist, already representing another province, or who expressed
interest are marked.

**Businesses** are candidates too for the needs of type ``investment``, ``trade_promotion``
and ``technology_transfer`` (:data:`BUSINESS_NEED_TYPES`), ranked in the same list, on the same
scale, by :func:`score` (see :mod:`directory.needs.business_matches` for their recall: the
engine as the viewer, ``kind=business``, by sector, target country, province of interest,
presence in the province, and each field's and the title's words; then the records the viewer
may see, rule ``business.view``). An interest *fits* the need when its kind does
(:data:`FITTING_INTERESTS`: investment → investment; trade promotion → import, export;
technology transfer → technology transfer, training):

=============================================  =========  ==============================
criterion (businesses)                         points     reason code
=============================================  =========  ==============================
a sector is one of the need's fields            1000       ``sector``
else, a fitting interest names one of them      500       ``sector``
as a sector, or its visible text names one
registered or operating in a target country     200       ``country``
a fitting interest names the need's province    100       ``province_interest``
present in Vietnam (representative office,       90       ``presence``
subsidiary, joint venture, invested project)
in the need's province (any name)
else present elsewhere in Vietnam                60       ``presence``
size band medium or large (50 employees +)       30       ``size``
verified by a mission                            20       ``verified``
record updated recently                         0–9       ``recent`` (shown within 180 days)
=============================================  =========  ==============================

A business is ``contactable`` when a contact request can be addressed to its contact person
(:func:`directory.businesses.queries.contact_person`) under the people's rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import sqlalchemy as sa
from flask_babel import gettext as _

from directory import policy
from directory.associations.models import Association
from directory.core.models import utcnow
from directory.core.templating import field_label, province_name
from directory.extensions import db
from directory.i18n import current_locale
from directory.needs import queries
from directory.needs.models import Need
from directory.people.models import Person
from directory.reference.countries import country_languages, country_name, language_name
from directory.reference.provinces import province_by_slug
from search_index.normalize import fold

RECALL_LIMIT = 100

FIELD_TAGGED = 1000
FIELD_NAMED = 500
COUNTRY = 200
HOMETOWN = 100
LANGUAGE = 50
VERIFIED = 20
INTEREST = 10
RECENT_MAX = 9
RECENT_DAYS = 365  # points fall from RECENT_MAX to 0 over this many days
RECENT_SHOWN_DAYS = 180
# Businesses (second table of the module's docstring).
SECTOR = FIELD_TAGGED
SECTOR_INTEREST = FIELD_NAMED
PROVINCE_INTEREST = HOMETOWN
PRESENT_IN_PROVINCE = 90
PRESENT_IN_VIETNAM = 60
SIZE = 30
BIG_SIZES = ("medium", "large")
BUSINESS_NEED_TYPES = ("investment", "trade_promotion", "technology_transfer")
FITTING_INTERESTS = {
    "investment": ("investment",),
    "trade_promotion": ("import", "export"),
    "technology_transfer": ("technology_transfer", "training"),
}


@dataclass(frozen=True)
class Reason:
    code: str
    label: str


@dataclass
class Profile:
    """What the scoring reads of a person or an association (fields everyone who may see the
    record sees: the taxonomy fields, country, hometown, languages, verification)."""

    kind: str  # person | association
    id: str
    name: str
    fields: list[str]
    named_fields: set[str]  # fields the engine found named in the profile's visible text
    country: str | None
    hometown: str | None  # province slug
    hometown_as_given: str | None
    languages: list[str]
    verified: bool
    interested: bool
    updated_at: datetime | None
    hometown_association: bool = False
    # Businesses: the countries they operate in (besides ``country``, of registration), their
    # interests and presence in Vietnam as stored, their size band.
    operates_in: list[str] = field(default_factory=list)
    interests: list[dict] = field(default_factory=list)
    presence: list[dict] = field(default_factory=list)
    size_band: str | None = None


@dataclass
class Candidate:
    kind: str
    id: str
    name: str
    score: int
    reasons: list[Reason]
    shortlisted: bool = False
    interested: bool = False
    contactable: bool = False
    represents: list[str] = field(default_factory=list)  # other provinces' slugs
    profile: Profile | None = field(default=None, repr=False)

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "id": self.id,
            "name": self.name,
            "score": self.score,
            "reasons": [{"code": r.code, "label": r.label} for r in self.reasons],
            "shortlisted": self.shortlisted,
            "interested": self.interested,
            "contactable": self.contactable,
            "represents": list(self.represents),
        }


def _list_labels(labels: list[str]) -> str:
    return ", ".join(labels)


def _speaks(code: str) -> str:
    name = language_name(code, current_locale())
    if current_locale() == "vi" and name[:5] == "Tiếng":
        name = "tiếng" + name[5:]  # "Nói tiếng Pháp"
    return _("Speaks %(language)s", language=name)


def _hometown_label(profile: Profile, need: Need) -> str:
    current = province_name(need.province_slug)
    if profile.hometown_association:
        return _("Hometown association of %(province)s", province=current)
    given = (profile.hometown_as_given or "").strip()
    info = province_by_slug(need.province_slug)
    wordings = {fold(w) for w in (info.own_wordings if info else ())} | {fold(current)}
    if given and fold(given) not in wordings:
        return _("Hometown %(province)s (given as %(given)s)", province=current, given=given)
    return _("Hometown %(province)s", province=current)


def score(
    profile: Profile, need: Need, now: datetime | None = None, *, explain: bool = True
) -> tuple[int, list[Reason]]:
    """The points of one candidate for one need (see the module's table), and the reasons in
    the current language (none when ``explain`` is false: ranking a long list needs no words)."""
    now = now or utcnow()
    if profile.kind == "business":
        return _score_business(profile, need, now, explain)
    points = 0
    reasons: list[Reason] = []
    wanted = list(need.fields or [])
    tagged = [code for code in wanted if code in (profile.fields or [])]
    named = [code for code in wanted if code in profile.named_fields and code not in tagged]
    if tagged or named:
        points += FIELD_TAGGED if tagged else FIELD_NAMED
        if explain:
            labels = []
            if tagged:
                labels.append(
                    _("Field: %(fields)s", fields=_list_labels([field_label(c) for c in tagged]))
                )
            if named:
                labels.append(
                    _(
                        "Mentions %(fields)s in the profile",
                        fields=_list_labels([field_label(c) for c in named]),
                    )
                )
            reasons.append(Reason("field", " · ".join(labels)))
    targets = list(need.countries or [])
    if profile.country and profile.country in targets:
        points += COUNTRY
        if explain:
            where = country_name(profile.country, current_locale())
            label = (
                _("Based in %(country)s (target country)", country=where)
                if profile.kind == "association"
                else _("Lives in %(country)s (target country)", country=where)
            )
            reasons.append(Reason("country", label))
    if profile.hometown and profile.hometown == need.province_slug:
        points += HOMETOWN
        if explain:
            reasons.append(Reason("hometown", _hometown_label(profile, need)))
    spoken = []
    for country in targets:
        for code in country_languages(country):
            if code != "vi" and code in (profile.languages or []) and code not in spoken:
                spoken.append(code)
    if spoken:
        points += LANGUAGE
        if explain:
            reasons.append(Reason("language", " · ".join(_speaks(code) for code in spoken)))
    if profile.verified:
        points += VERIFIED
        if explain:
            reasons.append(Reason("verified", _("Verified")))
    if profile.interested:
        points += INTEREST
        if explain:
            reasons.append(Reason("interest", _("Expressed interest")))
    if profile.updated_at is not None:
        days = max(0, (now - profile.updated_at).days)
        points += round(RECENT_MAX * max(0.0, 1 - days / RECENT_DAYS))
        if explain and days <= RECENT_SHOWN_DAYS:
            reasons.append(Reason("recent", _("Profile updated recently")))
    return points, reasons


def _labels_of(labels: dict, codes) -> str:
    return _list_labels([str(labels.get(c, c)) for c in codes])


def _score_business(
    profile: Profile, need: Need, now: datetime, explain: bool
) -> tuple[int, list[Reason]]:
    """The business table of the module's docstring."""
    from directory.businesses.inputs import INTEREST_LABELS, PRESENCE_LABELS, SIZE_LABELS

    points = 0
    reasons: list[Reason] = []
    wanted = list(need.fields or [])
    fitting = FITTING_INTERESTS.get(need.type, ())
    interests = [i for i in profile.interests or [] if i.get("kind") in fitting]
    tagged = [code for code in wanted if code in (profile.fields or [])]
    wished = [
        code
        for code in wanted
        if code not in tagged
        and (
            any(code in (i.get("sectors") or []) for i in interests) or code in profile.named_fields
        )
    ]
    if tagged or wished:
        points += SECTOR if tagged else SECTOR_INTEREST
        if explain:
            labels = []
            if tagged:
                labels.append(
                    _("Sector: %(sectors)s", sectors=_list_labels([field_label(c) for c in tagged]))
                )
            if wished:
                labels.append(
                    _(
                        "Looks for %(sectors)s",
                        sectors=_list_labels([field_label(c) for c in wished]),
                    )
                )
            reasons.append(Reason("sector", " · ".join(labels)))
    targets = list(need.countries or [])
    if profile.country in targets or any(c in targets for c in profile.operates_in):
        points += COUNTRY
        if explain:
            if profile.country in targets:
                label = _(
                    "Registered in %(country)s (target country)",
                    country=country_name(profile.country, current_locale()),
                )
            else:
                where = [c for c in profile.operates_in if c in targets]
                label = _(
                    "Operates in %(countries)s (target country)",
                    countries=_list_labels([country_name(c, current_locale()) for c in where]),
                )
            reasons.append(Reason("country", label))
    province = need.province_slug
    kinds = [i["kind"] for i in interests if province in (i.get("provinces") or [])]
    if kinds:
        points += PROVINCE_INTEREST
        if explain:
            reasons.append(
                Reason(
                    "province_interest",
                    _(
                        "Interested in %(province)s: %(kinds)s",
                        province=province_name(province),
                        kinds=_labels_of(INTEREST_LABELS, dict.fromkeys(kinds)),
                    ),
                )
            )
    present = [p for p in profile.presence or [] if p.get("kind") != "none" and p.get("province")]
    here = [p["kind"] for p in present if p["province"] == province]
    if here or present:
        points += PRESENT_IN_PROVINCE if here else PRESENT_IN_VIETNAM
        if explain:
            if here:
                label = _(
                    "Present in %(province)s: %(kinds)s",
                    province=province_name(province),
                    kinds=_labels_of(PRESENCE_LABELS, dict.fromkeys(here)),
                )
            else:
                places = []
                for p in present:
                    kind = PRESENCE_LABELS.get(p["kind"], p["kind"])
                    places.append(
                        _(
                            "%(kind)s in %(province)s",
                            kind=kind,
                            province=province_name(p["province"]),
                        )
                    )
                label = _("Present in Vietnam: %(places)s", places=_list_labels(places))
            reasons.append(Reason("presence", label))
    if profile.size_band in BIG_SIZES:
        points += SIZE
        if explain:
            reasons.append(Reason("size", str(SIZE_LABELS[profile.size_band])))
    if profile.verified:
        points += VERIFIED
        if explain:
            reasons.append(Reason("verified", _("Verified")))
    if profile.updated_at is not None:
        days = max(0, (now - profile.updated_at).days)
        points += round(RECENT_MAX * max(0.0, 1 - days / RECENT_DAYS))
        if explain and days <= RECENT_SHOWN_DAYS:
            reasons.append(Reason("recent", _("Record updated recently")))
    return points, reasons


# --- recall and candidates -------------------------------------------------------------------


def _recall(need: Need, viewer) -> tuple[dict[str, set[str]], set[str], dict[str, set[str]]]:
    """(person id -> fields named in their profile, association ids, business id -> fields
    named in its visible text), from the engine."""
    from directory.reference.models import Field
    from directory.search.services import recall

    codes = list(need.fields or [])
    # (text, filters, the field a text names); first the province's hometown associations.
    searches: list[tuple[str, dict, str | None]] = [
        ("", {"kind": ["association"], "province": [need.province_slug]}, None)
    ]
    if codes:
        home = [need.province_slug]
        if need.countries:
            countries = list(need.countries)
            searches.append(("", {"field": codes, "country": countries, "province": home}, None))
            searches.append(("", {"field": codes, "country": countries}, None))
        else:
            searches.append(("", {"field": codes}, None))
        searches.append(("", {"field": codes, "province": home}, None))
        labels = {
            code: label
            for code, label in db.session.execute(
                sa.select(Field.code, Field.label_vi).where(Field.code.in_(codes))
            )
        }
        for code in codes:
            if labels.get(code):
                searches.append((labels[code], {}, code))
    if need.title:
        searches.append((need.title, {}, None))
    if need.type in BUSINESS_NEED_TYPES:
        from directory.needs.business_matches import business_searches

        searches += business_searches(need)
    answers = recall([(text, filters) for text, filters, _code in searches], viewer, RECALL_LIMIT)
    people: dict[str, set[str]] = {}
    associations: set[str] = set()
    businesses: dict[str, set[str]] = {}
    for (_text, _filters, code), hits in zip(searches, answers, strict=True):
        for kind, entity_id in hits:
            if kind in ("person", "business"):
                found = people if kind == "person" else businesses
                named = found.setdefault(entity_id, set())
                if code is not None:
                    named.add(code)
            elif kind == "association":
                associations.add(entity_id)
    return people, associations, businesses


def _representing(person_ids, province: str) -> dict[str, list[str]]:
    """person id -> the other provinces they represent now (active appointments)."""
    from directory.representatives.models import Nomination

    ids = list(person_ids)
    if not ids:
        return {}
    out: dict[str, list[str]] = {}
    for person_id, slug in db.session.execute(
        sa.select(Nomination.person_id, Nomination.province_slug)
        .where(
            Nomination.state == "active",
            Nomination.person_id.in_(ids),
            Nomination.province_slug != province,
        )
        .order_by(Nomination.province_slug)
    ):
        slugs = out.setdefault(person_id, [])
        if slug not in slugs:
            slugs.append(slug)
    return out


def candidates(
    need: Need, viewer, start: int = 0, stop: int | None = None
) -> tuple[list[Candidate], int]:
    """The candidates ``start:stop`` of ``need`` that ``viewer`` may see, best first, with their
    reasons and marks, and how many there are in all."""
    from directory.policy.people import person_view_clause

    now = utcnow()
    named_by_person, association_ids, named_by_business = _recall(need, viewer)
    interested = queries.interested_ids(need)
    shortlisted = queries.shortlisted_ids(need)
    person_ids = list(set(named_by_person) | interested)
    ranked: list[Candidate] = []
    # Plain rows (no ORM objects: hundreds of candidates); the SQL twin of "person.view".
    columns = (
        Person.id,
        Person.full_name,
        Person.fields,
        Person.country,
        Person.hometown_province,
        Person.hometown_as_given,
        Person.languages,
        Person.verified_at,
        Person.updated_at,
        Person.contact_requests_enabled,
    )
    rows = (
        db.session.execute(
            sa.select(*columns).where(
                Person.id.in_(person_ids),
                Person.consent_contact.is_(True),
                person_view_clause(viewer),
            )
        ).all()
        if person_ids
        else []
    )
    for row in rows:
        profile = Profile(
            kind="person",
            id=row.id,
            name=row.full_name,
            fields=list(row.fields or []),
            named_fields=named_by_person.get(row.id, set()),
            country=row.country,
            hometown=row.hometown_province,
            hometown_as_given=row.hometown_as_given,
            languages=list(row.languages or []),
            verified=row.verified_at is not None,
            interested=row.id in interested,
            updated_at=row.updated_at,
        )
        ranked.append(
            Candidate(
                kind="person",
                id=row.id,
                name=row.full_name,
                score=score(profile, need, now, explain=False)[0],
                reasons=[],
                shortlisted=row.id in shortlisted,
                interested=profile.interested,
                contactable=bool(row.contact_requests_enabled),
                profile=profile,
            )
        )
    associations = (
        db.session.scalars(sa.select(Association).where(Association.id.in_(association_ids))).all()
        if association_ids
        else []
    )
    for association in associations:
        if not policy.can(viewer, "association.view", association):
            continue
        hometown = association.province_slug if association.kind == "hometown" else None
        profile = Profile(
            kind="association",
            id=association.id,
            name=association.name,
            fields=list(association.fields or []),
            named_fields=set(),
            country=association.country,
            hometown=hometown,
            hometown_as_given=None,
            languages=[],
            verified=association.verified,
            interested=False,
            updated_at=association.updated_at,
            hometown_association=hometown is not None,
        )
        ranked.append(
            Candidate(
                kind="association",
                id=association.id,
                name=association.name,
                score=score(profile, need, now, explain=False)[0],
                reasons=[],
                profile=profile,
            )
        )
    if need.type in BUSINESS_NEED_TYPES:
        from directory.needs.business_matches import business_candidates

        for candidate in business_candidates(need, viewer, now, named_by_business):
            candidate.score = score(candidate.profile, need, now, explain=False)[0]
            ranked.append(candidate)
    ranked.sort(key=lambda c: (-c.score, fold(c.name), c.id))
    window = ranked[start:stop]
    representing = _representing([c.id for c in window if c.kind == "person"], need.province_slug)
    for candidate in window:
        candidate.score, candidate.reasons = score(candidate.profile, need, now)
        candidate.represents = representing.get(candidate.id, [])
    if need.type in BUSINESS_NEED_TYPES:
        from directory.needs.business_matches import mark_reachable

        mark_reachable(window, viewer)
    return window, len(ranked)
