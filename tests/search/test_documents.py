"""Documents: folded and original text filed under the visibility level that may see it."""

from __future__ import annotations

from directory.associations.search import association_document
from directory.people.search import person_document
from directory.search.documents import Context
from search_index.base import key_tokens
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


def test_the_name_is_also_indexed_given_name_first_and_in_western_order(app):
    doc = person_document(PersonFactory(full_name="Nguyễn Văn Dũng"), ctx(app))
    assert doc["given_first_0"] == "dung nguyen van"
    assert doc["western_0"] == "van dung nguyen"
    short = person_document(PersonFactory(full_name="Lê Hà"), ctx(app))
    assert (short["given_first_0"], short["western_0"]) == ("ha le", "")


def test_quality_counts_verification_first_then_what_the_public_sees(app):
    from directory.core.models import utcnow

    full = {
        "title": "Kỹ sư",
        "organization": "CNRS",
        "bio": "Vi mạch.",
        "fields": ["semiconductors"],
    }
    verified = person_document(PersonFactory(verified_at=utcnow(), **full), ctx(app))
    complete = person_document(PersonFactory(**full), ctx(app))
    hidden = person_document(PersonFactory(visibility_profile="officials", **full), ctx(app))
    thin = person_document(
        PersonFactory(title=None, organization=None, bio=None, fields=[]), ctx(app)
    )
    assert verified["quality"] > complete["quality"] > hidden["quality"] > thin["quality"] == 0
    # The officials-only title, organisation and biography do not count.
    assert hidden["quality"] == 1


def test_fields_title_and_hometown_are_keys_at_the_level_that_may_see_them(app):
    person = PersonFactory(
        fields=["semiconductors"],
        title="Kỹ sư năng lượng tái tạo",
        bio="Nghiên cứu kinh tế tuần hoàn.",
        skills=["IC design"],
        visibility_profile="officials",
        hometown_province="da-nang",
        hometown_as_given="Tỉnh Quảng Nam",
    )
    doc = person_document(person, ctx(app))
    public, officials = set(key_tokens(doc["key_0"])), set(key_tokens(doc["key_1"]))
    assert "zfsemiconductors" in public  # tagged
    assert {"zpquangnam", "zpdanang"} <= public  # the hometown, as given and current
    # Named in the title or the biography (officials only): the fields' keys there.
    assert {"zfrenewableenergy", "zfcirculareconomy"} <= officials
    assert "ztrenewableenergy" in officials  # the title states the field
    assert not {"zfrenewableenergy", "zfcirculareconomy", "ztrenewableenergy"} & public
    # Keys start past the positions where Meilisearch would rank them by their order.
    assert doc["key_0"][:-1] == [""] * 9


def test_an_association_carries_the_provinces_its_name_gives(app):
    association = AssociationFactory(name="Hội đồng hương Quảng Nam – Đà Nẵng tại Pháp")
    doc = association_document(association, ctx(app))
    assert {"zpquangnam", "zpdanang"} <= set(key_tokens(doc["key_0"]))
