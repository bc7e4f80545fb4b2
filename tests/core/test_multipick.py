"""Searchable multi-selects: every multi-select renders as a box of checkboxes that works
without JavaScript (grouped, the chosen ones first), and posting several values saves them."""

import re

import pytest
import sqlalchemy as sa

from directory.associations.models import Association
from directory.initiatives.models import Initiative
from directory.needs.models import Need
from directory.people.models import Person


def boxes(html: str, name: str) -> list[str]:
    """The values of the checkboxes named ``name``, in page order."""
    return re.findall(rf'<input[^>]*name="{name}"[^>]*type="checkbox"[^>]*value="([^"]*)"', html)


def multipick(html: str, field_id: str) -> str:
    """The multipick fieldset of ``field_id``."""
    match = re.search(
        rf'<fieldset[^>]*id="{field_id}"[^>]*data-multipick.*?</fieldset>', html, re.S
    )
    assert match, f"no multipick for {field_id}"
    return match.group(0)


PAGES = [
    ("embassy", "/people/register", ("fields", "languages")),
    ("officer", "/needs/new", ("fields", "countries")),
    ("owner", "/initiatives/new", ("fields",)),
    ("embassy", "/associations/new", ("fields",)),
]


@pytest.mark.parametrize("who, url, names", PAGES)
def test_every_multi_select_is_a_box_of_checkboxes_with_its_script(
    client, cast, login, who, url, names
):
    login(getattr(cast, who))
    html = client.get(url).get_data(as_text=True)
    assert "<select multiple" not in html and "Ctrl" not in html
    assert "js/multipick.js" in html
    for name in names:
        box = multipick(html, name)
        assert 'class="multipick-box"' in box and "<legend>" in box
        assert len(boxes(box, name)) > 5


def test_fields_are_grouped_by_taxonomy_group_and_languages_common_first(client, cast, login):
    login(cast.embassy)
    html = client.get("/people/register", headers={"Accept-Language": "vi"}).get_data(as_text=True)
    fields = multipick(html, "fields")
    titles = re.findall(r'<p class="multipick-title" id="[^"]+">([^<]+)</p>', fields)
    assert len(titles) == 3 and len(set(titles)) == 3
    languages = boxes(multipick(html, "languages"), "languages")
    assert languages[:3] == ["vi", "en", "fr"] and len(languages) > 150


def test_the_chosen_ones_come_first(client, cast, login, db):
    person = cast.owned
    person.languages = ["ja", "de"]
    person.fields = ["semiconductors"]
    db.session.commit()
    login(cast.owner)
    html = client.get(f"/people/{person.id}/edit").get_data(as_text=True)
    languages = multipick(html, "languages")
    first_group = languages.split("data-multipick-group")[1]
    assert sorted(re.findall(r'value="([^"]+)"', first_group)) == ["de", "ja"]
    assert first_group.count("checked") == 2
    assert boxes(multipick(html, "fields"), "fields")[0] == "semiconductors"


def test_a_profile_saves_several_fields_and_languages(client, cast, login, db):
    login(cast.embassy)
    response = client.post(
        "/people/register",
        data={
            "full_name": "Vũ Thị Lan",
            "country": "FR",
            "fields": ["semiconductors", "artificial-intelligence"],
            "languages": ["vi", "fr", "en"],
            "consent_listed": "y",
            "consent_source": "in_person",
            "consent_date": "2026-01-10",
        },
    )
    assert response.status_code == 302
    person = db.session.scalar(sa.select(Person).where(Person.full_name == "Vũ Thị Lan"))
    assert sorted(person.fields) == ["artificial-intelligence", "semiconductors"]
    assert sorted(person.languages) == ["en", "fr", "vi"]


def test_an_unknown_value_is_refused_with_a_message(client, cast, login, db):
    login(cast.embassy)
    response = client.post(
        "/people/register",
        data={"full_name": "Vũ Thị Lan", "country": "FR", "fields": ["semiconductors", "nope"]},
    )
    assert response.status_code == 422
    assert 'class="error" id="fields-err"' in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Person).where(Person.full_name == "Vũ Thị Lan")) is None


def test_a_need_saves_several_fields_and_countries(client, cast, login, db):
    login(cast.officer)
    response = client.post(
        "/needs/new",
        data={
            "title": "Chuyên gia bán dẫn",
            "type": "expertise",
            "fields": ["semiconductors", "artificial-intelligence"],
            "countries": ["FR", "JP"],
            "audience": "officials",
            "status": "open",
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    need = db.session.scalar(sa.select(Need).where(Need.title == "Chuyên gia bán dẫn"))
    assert sorted(need.fields) == ["artificial-intelligence", "semiconductors"]
    assert sorted(need.countries) == ["FR", "JP"]


def test_an_association_saves_several_fields(client, cast, login, db):
    login(cast.embassy)
    response = client.post(
        "/associations/new",
        data={
            "name": "Hội Chuyên gia Việt Nam tại Pháp",
            "kind": "professional",
            "country": "FR",
            "fields": ["semiconductors", "artificial-intelligence"],
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    association = db.session.scalar(sa.select(Association))
    assert sorted(association.fields) == ["artificial-intelligence", "semiconductors"]


def test_an_initiative_saves_several_fields(client, cast, login, db):
    login(cast.owner)
    response = client.post(
        "/initiatives/new",
        data={
            "province": "da-nang",
            "title": "Phòng thí nghiệm vi mạch",
            "fields": ["semiconductors", "artificial-intelligence"],
            "text": "Một phòng thí nghiệm thiết kế vi mạch cho sinh viên.",
        },
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    initiative = db.session.scalar(sa.select(Initiative))
    assert sorted(initiative.fields) == ["artificial-intelligence", "semiconductors"]


def test_a_required_multi_select_does_not_mark_every_box_required(client, cast, login):
    login(cast.owner)
    box = multipick(client.get("/initiatives/new").get_data(as_text=True), "fields")
    assert " required" not in box


def test_the_box_speaks_english_on_an_english_page(client, cast, login, db):
    cast.embassy.locale = "en"
    db.session.commit()
    login(cast.embassy)
    html = client.get("/people/register?lang=en").get_data(as_text=True)
    box = multipick(html, "languages")
    assert "Most common languages" in box and 'data-filter-label="Filter the list"' in box
