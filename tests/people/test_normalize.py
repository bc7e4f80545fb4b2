"""normalize_person_input: every contract field normalised, every bad field reported at once."""

import pytest

from directory.core.errors import ValidationError
from directory.people.normalise import normalize_person_input


def test_a_full_profile_is_normalised(app):
    values = normalize_person_input(
        {
            "full_name": "  Nguyễn   Văn   Dũng ",
            "other_names": "Paul Nguyen; Dung Nguyen",
            "kinds": ["expert", "doanh nhân"],
            "fields": "semiconductors",
            "skills": ["VLSI", "VLSI", "thiết kế chip"],
            "country": "Pháp",
            "city": "Paris",
            "hometown_province": "Quảng Nam",
            "languages": "Tiếng Việt; French",
            "email": "Dung.Nguyen@Example.FR",
            "phone": "06 12 34 56 78",
            "website": "example.fr/dung",
            "links": ["https://www.linkedin.com/in/dung"],
            "birth_year": "1980",
            "consent_listed": "có",
            "consent_contact": False,
            "visibility": {"contact": "officials", "profile": "public"},
        }
    )
    assert values["full_name"] == "Nguyễn Văn Dũng"
    assert values["name_key"] == "dung nguyen van"
    assert values["other_names"] == ["Paul Nguyen", "Dung Nguyen"]
    assert values["kinds"] == ["expert", "entrepreneur"]
    assert values["fields"] == ["semiconductors"]
    assert values["skills"] == ["VLSI", "thiết kế chip"]
    assert values["country"] == "FR"
    assert values["hometown_province"] == "da-nang"
    assert values["hometown_as_given"] == "Quảng Nam"
    assert values["languages"] == ["vi", "fr"]
    assert values["email"] == "dung.nguyen@example.fr"
    assert values["phone"] == "+33612345678"
    assert values["website"] == "https://example.fr/dung"
    assert values["birth_year"] == 1980
    assert values["consent_listed"] is True and values["consent_contact"] is False
    assert values["visibility_contact"] == "officials"
    assert values["visibility_profile"] == "public"


def test_names_keep_their_diacritics_in_nfc(app):
    decomposed = "Nguye\u0302\u0303n Văn Dũng"  # ễ written as e + two combining marks
    values = normalize_person_input({"full_name": decomposed})
    assert values["full_name"] == "Nguyễn Văn Dũng"


def test_fields_accept_labels_in_either_language(app):
    vi = normalize_person_input({"full_name": "A", "fields": ["Bán dẫn"]})
    en = normalize_person_input({"full_name": "A", "fields": "Semiconductors"})
    assert vi["fields"] == en["fields"] == ["semiconductors"]


def test_every_bad_field_is_reported_together(app):
    with pytest.raises(ValidationError) as info:
        normalize_person_input(
            {
                "full_name": "",
                "fields": ["not a field at all"],
                "country": "Atlantis",
                "hometown_province": "Gotham",
                "languages": ["klingon"],
                "email": "not-an-email",
                "phone": "12",
                "website": "javascript:alert(1)",
                "birth_year": "1850",
                "kinds": ["wizard"],
                "visibility": {"contact": "everyone"},
                "id": "abc",
                "verified": True,
                "favourite_colour": "blue",
            }
        )
    assert set(info.value.fields) == {
        "full_name",
        "fields",
        "country",
        "hometown_province",
        "languages",
        "email",
        "phone",
        "website",
        "birth_year",
        "kinds",
        "visibility.contact",
        "id",
        "verified",
        "favourite_colour",
    }


def test_messages_follow_the_request_language(app):
    from flask import g

    with (
        app.test_request_context(headers={"Accept-Language": "en"}),
        pytest.raises(ValidationError) as info,
    ):
        g.__dict__.clear()  # the test keeps one app context; a real request gets a fresh one
        normalize_person_input({"full_name": "A", "email": "x"})
    assert info.value.fields["email"] == "This is not a valid email address."
    with (
        app.test_request_context(headers={"Accept-Language": "vi"}),
        pytest.raises(ValidationError) as info,
    ):
        g.__dict__.clear()  # the test keeps one app context; a real request gets a fresh one
        normalize_person_input({"full_name": "A", "email": "x"})
    assert info.value.fields["email"] == "Địa chỉ email không hợp lệ."


def test_partial_input_only_touches_given_keys(app):
    assert normalize_person_input({"city": " Lyon "}, partial=True) == {"city": "Lyon"}


def test_full_name_is_required_on_creation(app):
    with pytest.raises(ValidationError) as info:
        normalize_person_input({"city": "Lyon"})
    assert set(info.value.fields) == {"full_name"}


def test_national_phone_numbers_use_the_country_hint(app):
    values = normalize_person_input({"phone": "030 1234567"}, partial=True, country_hint="DE")
    assert values["phone"] == "+49301234567"


def test_a_preloaded_field_index_is_used(app):
    values = normalize_person_input(
        {"full_name": "A", "fields": "chips"}, field_index={"chips": "semiconductors"}
    )
    assert values["fields"] == ["semiconductors"]


def test_too_long_values_are_refused(app):
    with pytest.raises(ValidationError) as info:
        normalize_person_input({"full_name": "A" * 201, "city": "x" * 121})
    assert set(info.value.fields) == {"full_name", "city"}


def test_empty_values_clear_optional_fields(app):
    values = normalize_person_input(
        {"phone": "", "email": None, "birth_year": "", "other_names": ""}, partial=True
    )
    assert values == {"phone": None, "email": None, "birth_year": None, "other_names": []}
