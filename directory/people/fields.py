"""The one declaration of a person's editable fields.

Every place that handles a profile's fields takes them from :data:`PERSON_FIELDS`: the JSON
serializer (``directory.people.serializers``), the input checks (``directory.people.normalise``),
the profile form's keys, the import file's columns and the contact exports
(``directory.imports.columns`` and ``exports``) and the fields an import may merge
(``directory.imports.merge``). The places that spell fields out for a reason of their own (the
model's columns, the API's JSON Schema, the search document, the form's inputs, the data
export) are checked against it by ``tests/people/test_field_declaration.py``.

Adding a field: declare it here, add the column to ``Person`` (and the migration), then follow
the failing checks.
"""

from __future__ import annotations

from dataclasses import dataclass

# What a field holds, which decides how its input is checked:
#   name                 the person's name: required, diacritics kept, up to ``max_length``
#   text, long_text      one line / several paragraphs, up to ``max_length`` characters
#   list                 texts separated by ";" (``max_items`` of up to ``max_length``)
#   kinds                expert and/or entrepreneur
#   taxonomy             field codes of the taxonomy (labels in either language accepted)
#   languages            ISO 639-1 codes
#   country              ISO 3166-1 alpha-2 code (names in English or Vietnamese accepted)
#   province             province slug (any current or legacy name accepted)
#   email, phone, year   an address, an E.164 number, a year of birth
#   url, url_list        an http(s) address, or several
FIELD_KINDS = (
    "name",
    "text",
    "long_text",
    "list",
    "kinds",
    "taxonomy",
    "languages",
    "country",
    "province",
    "email",
    "phone",
    "year",
    "url",
    "url_list",
)
LIST_KINDS = frozenset({"list", "kinds", "taxonomy", "languages", "url_list"})
# Who sees a field: ``basic`` goes with the profile itself (to whoever may see it at all);
# the member chooses the visibility of the ``profile`` and ``contact`` groups.
FIELD_GROUPS = ("basic", "profile", "contact")
# What a mission's verification covers (docs/product-rules.md "Verification"): who the person
# is, where they live and what they do. A later change to one of them shows the profile as
# "changed since verification" until a mission verifies it again.
VERIFIED_FIELDS = ("full_name", "title", "organization", "company", "country", "city")


@dataclass(frozen=True)
class PersonField:
    """One editable field of a profile and where it goes.

    ``column`` is the field's column in the import file and the contact exports (None: not in
    the file); ``headers`` are that column's Vietnamese header, then other spellings accepted
    on import. ``merged``: an import may write it into an existing profile; ``searchable``:
    its value is in the person's search document; ``api``: in the Person JSON; ``form``: an
    input of the profile form.
    """

    name: str
    kind: str
    group: str
    max_length: int | None = None
    max_items: int | None = None
    column: str | None = None
    headers: tuple[str, ...] = ()
    merged: bool = False
    searchable: bool = True
    api: bool = True
    form: bool = True

    def __post_init__(self) -> None:
        if self.kind not in FIELD_KINDS or self.group not in FIELD_GROUPS:
            raise ValueError(f"person field {self.name!r}: unknown kind or group")
        if (self.column is None) != (not self.headers):
            raise ValueError(f"person field {self.name!r}: a file column needs its headers")

    @property
    def exported(self) -> bool:
        """A column of the import file and of the contact exports."""
        return self.column is not None

    @property
    def is_list(self) -> bool:
        return self.kind in LIST_KINDS


def _file(column: str, *headers: str, merged: bool = True) -> dict:
    return {"column": column, "headers": headers, "merged": merged}


# In the import file's order (docs/contract.md, "Import file columns"), which the exports and
# the merge screen follow; the fields outside the file sit next to their neighbours.
PERSON_FIELDS: tuple[PersonField, ...] = (
    PersonField(
        "full_name",
        "name",
        "basic",
        max_length=200,
        **_file("full_name", "Họ và tên", "Họ tên", "full name", "name", "tên đầy đủ"),
    ),
    PersonField(
        "other_names",
        "list",
        "profile",
        max_length=200,
        max_items=10,
        **_file("other_names", "Tên khác", "other names"),
    ),
    PersonField("kinds", "kinds", "basic", **_file("kinds", "Loại", "kind", "type")),
    PersonField(
        "fields",
        "taxonomy",
        "basic",
        **_file("fields", "Lĩnh vực", "field", "lĩnh vực chuyên môn"),
    ),
    PersonField(
        "skills",
        "list",
        "profile",
        max_length=100,
        max_items=50,
        **_file("skills", "Kỹ năng", "skill"),
    ),
    PersonField(
        "title",
        "text",
        "profile",
        max_length=200,
        **_file("title", "Chức danh", "chức vụ", "job title"),
    ),
    PersonField(
        "organization",
        "text",
        "profile",
        max_length=200,
        **_file("organization", "Cơ quan", "organisation", "đơn vị", "tổ chức"),
    ),
    PersonField("sector", "text", "profile", max_length=200),
    PersonField("education", "long_text", "profile", max_length=2000),
    PersonField("company", "text", "profile", max_length=200),
    PersonField("company_sector", "text", "profile", max_length=200),
    PersonField("company_size", "text", "profile", max_length=40, searchable=False),
    PersonField("company_website", "url", "profile", max_length=300, searchable=False),
    PersonField("country", "country", "basic", **_file("country", "Quốc gia", "nước")),
    PersonField("city", "text", "profile", max_length=120, **_file("city", "Thành phố")),
    PersonField(
        "hometown_province",
        "province",
        "basic",
        max_length=120,
        **_file(
            "hometown", "Quê quán", "hometown_province", "hometown province", "quê", "tỉnh quê"
        ),
    ),
    PersonField("languages", "languages", "basic", **_file("languages", "Ngôn ngữ", "language")),
    PersonField(
        "email", "email", "contact", max_length=254, **_file("email", "e-mail", "thư điện tử")
    ),
    PersonField(
        "phone",
        "phone",
        "contact",
        max_length=20,
        **_file("phone", "Điện thoại", "số điện thoại", "telephone", "tel", "sđt"),
    ),
    PersonField("website", "url", "contact", max_length=300, **_file("website", "Trang web")),
    PersonField("links", "url_list", "contact", max_length=300, max_items=10),
    PersonField(
        "bio",
        "long_text",
        "profile",
        max_length=5000,
        **_file("bio", "Giới thiệu", "biography", "tiểu sử"),
    ),
    PersonField(
        "birth_year",
        "year",
        "profile",
        searchable=False,
        **_file("birth_year", "Năm sinh", "birth year", "year of birth"),
    ),
)

FIELDS_BY_NAME: dict[str, PersonField] = {f.name: f for f in PERSON_FIELDS}

# The columns of ``Person`` that are not edited as fields: the services set them (ids, keys,
# provenance, verification, dates) or they are changed through their own rules (consent and
# visibility, by the member or with evidence; whether the member accepts contact requests).
MANAGED_COLUMNS = frozenset(
    {
        "id",
        "name_key",
        "hometown_as_given",
        "visibility_profile",
        "visibility_contact",
        "consent_listed",
        "consent_contact",
        "consent_at",
        "contact_requests_enabled",
        "consent_notice_version",
        "provenance",
        "provenance_mission_id",
        "provenance_source",
        "registered_by_id",
        "field_sources",
        "verified_by_mission_id",
        "verified_at",
        "verified_values",
        "anonymised_at",
        "created_at",
        "updated_at",
    }
)


def field_names(**where) -> tuple[str, ...]:
    """The names of the declared fields whose attributes have the given values, in order.

    ``field_names(group="contact")``, ``field_names(merged=True)``, ``field_names(api=True)``.
    """
    return tuple(
        f.name
        for f in PERSON_FIELDS
        if all(getattr(f, key) == value for key, value in where.items())
    )
