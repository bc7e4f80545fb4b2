"""The public register: active representatives who agreed to be listed publicly."""

from __future__ import annotations

from datetime import date

from tests.factories import PersonFactory


def _active(nomination_in, person, **fields):
    return nomination_in(
        "active",
        person_id=person.id,
        term_start=date(2026, 1, 1),
        term_end=date(2029, 1, 1),
        **fields,
    )


def test_who_represents_da_nang_in_france(cast, nomination_in, client):
    _active(nomination_in, cast.nominee_person, region="")
    other = PersonFactory(full_name="Lê Minh Đức", country="DE")
    _active(nomination_in, other, country="DE", region="")
    page = client.get("/representatives?province=Đà Nẵng&country=Pháp")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Nguyễn Văn Dũng" in html
    assert "Lê Minh Đức" not in html
    assert "CNRS" in html

    everyone = client.get("/representatives").get_data(as_text=True)
    assert "Nguyễn Văn Dũng" in everyone and "Lê Minh Đức" in everyone


def test_only_active_appointments_of_listed_people_appear(cast, nomination_in, client):
    unlisted = PersonFactory(full_name="Phạm Thu Hà", consent_listed=False)
    _active(nomination_in, unlisted)
    nomination_in("awaiting_approval", person_id=PersonFactory(full_name="Đặng Quốc Bảo").id)
    nomination_in("revoked", person_id=PersonFactory(full_name="Trần Văn Bình").id)
    html = client.get("/representatives").get_data(as_text=True)
    for name in ("Phạm Thu Hà", "Đặng Quốc Bảo", "Trần Văn Bình"):
        assert name not in html
    body = client.get("/api/v1/representatives").get_json()
    assert body["items"] == [] and body["total"] == 0


def test_the_organisation_follows_the_profile_visibility(cast, nomination_in, client):
    private = PersonFactory(
        full_name="Vũ Thị Lan", organization="Bí mật SA", visibility_profile="officials"
    )
    _active(nomination_in, private)
    assert "Bí mật SA" not in client.get("/representatives").get_data(as_text=True)
    [item] = client.get("/api/v1/representatives").get_json()["items"]
    assert item["person"] == {"id": private.id, "full_name": "Vũ Thị Lan", "organization": None}


def test_the_api_register_has_the_contract_shape(cast, nomination_in, client):
    _active(nomination_in, cast.nominee_person, region="Île-de-France")
    body = client.get("/api/v1/representatives?province=da-nang&country=FR").get_json()
    assert body["total"] == 1 and body["page"] == 1
    assert body["items"] == [
        {
            "province": "da-nang",
            "country": "FR",
            "region": "Île-de-France",
            "term_start": "2026-01-01",
            "term_end": "2029-01-01",
            "person": {
                "id": cast.nominee_person.id,
                "full_name": "Nguyễn Văn Dũng",
                "organization": "CNRS",
            },
        }
    ]
    assert client.get("/api/v1/representatives?country=DE").get_json()["total"] == 0


def test_unknown_filters_are_a_clear_400_in_the_api_and_a_message_on_the_page(client, db):
    response = client.get("/api/v1/representatives?province=Atlantis")
    assert response.status_code == 400
    assert list(response.get_json()["error"]["fields"]) == ["province"]
    page = client.get("/representatives?country=Atlantis", headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert "Unknown country: Atlantis" in page.get_data(as_text=True)


def test_a_profile_page_can_show_the_appointments_it_holds(cast, nomination_in, app):
    from flask import render_template_string

    _active(nomination_in, cast.nominee_person, region="")
    with app.test_request_context(headers={"Accept-Language": "en"}):
        app.preprocess_request()
        html = render_template_string(
            '{% include "representatives/_appointments.html" %}', person=cast.nominee_person
        )
    assert "Representative of Da Nang in France" in html


def _country_options(html: str) -> list[tuple[str, str]]:
    import re

    select = html[html.index('id="register-country"') :]
    select = select[: select.index("</select>")]
    return re.findall(r'<option value="([A-Z]{2})"[^>]*>([^<]+)</option>', select)


def test_the_country_filter_lists_only_countries_with_public_representatives(
    cast, nomination_in, client
):
    _active(nomination_in, cast.nominee_person, region="")
    _active(nomination_in, PersonFactory(full_name="Lê Minh Đức", country="DE"), country="DE")
    # Neither an unlisted representative's country nor a pending appointment's is offered.
    _active(nomination_in, PersonFactory(full_name="Ẩn Danh", consent_listed=False), country="JP")
    nomination_in("awaiting_approval", person_id=PersonFactory().id, country="US")

    vi = client.get("/representatives", headers={"Accept-Language": "vi"})
    assert _country_options(vi.get_data(as_text=True)) == [("DE", "Đức"), ("FR", "Pháp")]
    en = client.get("/representatives", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert _country_options(en) == [("FR", "France"), ("DE", "Germany")]

    # A country asked for in the link stays selected even with nobody there.
    chosen = client.get("/representatives?country=JP", headers={"Accept-Language": "en"})
    chosen = chosen.get_data(as_text=True)
    assert ("JP", "Japan") in _country_options(chosen)
