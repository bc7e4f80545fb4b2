"""The verified badge says who verified what and when, and notices a later change."""

from __future__ import annotations

from datetime import UTC, datetime

from directory.people import services
from directory.people.fields import VERIFIED_FIELDS

EN = {"Accept-Language": "en"}


def _verify(cast, db, when=datetime(2026, 10, 3, 9, 0, tzinfo=UTC)):
    person = cast.owned
    services.verify_person(person, cast.embassy)
    person.verified_at = when
    db.session.commit()
    return person


def _page(client, person):
    with client.session_transaction() as sess:
        sess["lang"] = "en"
    return client.get(f"/people/{person.id}", headers=EN).get_data(as_text=True)


def test_the_badge_names_the_mission_and_the_day(client, cast, db):
    person = _verify(cast, db)
    html = _page(client, person)
    assert "Verified by Đại sứ quán Việt Nam tại Pháp on Oct 3, 2026" in html
    assert "verification covers the name, the position" in html
    assert set(person.verified_values) == set(VERIFIED_FIELDS)


def test_a_changed_verified_field_shows_to_officials_and_the_owner_only(client, cast, db, login):
    person = _verify(cast, db)
    services.update_person(person, {"title": "Giám đốc kỹ thuật"}, cast.owner)
    assert person.changed_since_verification == ["title"]

    for viewer in (cast.owner, cast.officer, cast.embassy):
        login(viewer)
        html = _page(client, person)
        assert "Changed since verification: Title or position" in html, viewer
        assert "✓ Verified by" not in html
    # The public sees no badge: the verification no longer holds.
    client.post("/logout")
    html = _page(client, person)
    assert "Changed since verification" not in html and "Verified by" not in html
    # The owner's public preview hides it as the public page does.
    login(cast.owner)
    preview = client.get(f"/people/{person.id}?as=public", headers=EN).get_data(as_text=True)
    assert "Changed since verification" not in preview

    # The mission verifies again: the badge holds again.
    login(cast.embassy)
    assert "Verify this profile" in _page(client, person)
    services.verify_person(person, cast.embassy)
    assert person.changed_since_verification == []
    assert "✓ Verified by" in _page(client, person)


def test_fields_outside_the_verification_do_not_change_the_badge(client, cast, db):
    person = _verify(cast, db)
    services.update_person(person, {"bio": "Một tiểu sử mới."}, cast.owner)
    assert person.verification_holds
    assert "✓ Verified by" in _page(client, person)


def test_the_api_says_whether_the_verification_holds(client, cast, db):
    from directory.accounts.tokens import create_token

    person = _verify(cast, db)
    services.update_person(person, {"organization": "Một công ty khác"}, cast.owner)
    _token, raw = create_token(cast.embassy)
    db.session.commit()
    official = client.get(
        f"/api/v1/people/{person.id}", headers={"Authorization": f"Bearer {raw}"}
    ).get_json()
    assert official["verified"] is False
    assert official["changed_since_verification"] == ["organization"]
    assert official["verified_at"].startswith("2026-10-03")
    public = client.get(f"/api/v1/people/{person.id}").get_json()
    assert public["verified"] is False
    assert "changed_since_verification" not in public and "verified_at" not in public
