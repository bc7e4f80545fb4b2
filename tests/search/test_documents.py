"""Documents: folded and original text filed under the visibility level that may see it."""

from __future__ import annotations

from search_index.documents import Context, association_document, person_document
from tests.factories import AssociationFactory, PersonFactory


def ctx(app):
    from directory.extensions import db

    return Context.load(db.session)


def test_basic_facts_are_public_and_folded(app):
    person = PersonFactory(
        full_name="Đặng Văn Lâm",
        hometown_province="lao-cai",
        hometown_as_given="Yên Bái",
        fields=["semiconductors"],
    )
    doc = person_document(person, ctx(app))
    assert "dang van lam" in doc["name_0"]
    assert "yen bai" in doc["place_0"] and "lao cai" in doc["place_0"]
    assert "ban dan" in doc["tags_0"] and "semiconductors" in doc["tags_0"]
    assert doc["show_0"]["full_name"] == "Đặng Văn Lâm"
    assert doc["province"] == "lao-cai" and doc["field"] == ["semiconductors"]


def test_groups_follow_the_members_visibility_choice(app):
    person = PersonFactory(
        visibility_profile="officials",
        visibility_contact="private",
        other_names=["Lam Nguyen"],
        email="x@example.org",
    )
    doc = person_document(person, ctx(app))
    assert "lam nguyen" in doc["name_1"] and "lam" not in doc["name_0"].split()[-1:]
    assert "x example org" in doc["text_2"]
    assert "example" not in doc["text_0"] + doc["text_1"]
    assert "email" in doc["show_2"] and "email" not in doc["show_0"]


def test_anonymised_profiles_are_not_indexed(app):
    from directory.core.models import utcnow

    person = PersonFactory(anonymised_at=utcnow())
    assert person_document(person, ctx(app)) is None


def test_associations_are_public_documents(app):
    association = AssociationFactory(name="Hội đồng hương Huế", province_slug="hue")
    doc = association_document(association, ctx(app))
    assert doc["kind"] == ["association"] and doc["listed"] is True
    assert "hoi dong huong hue" in doc["name_0"]
