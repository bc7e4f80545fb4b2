"""Claim invitations: an embassy-registered person sets a password and gives consent."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from directory.accounts.models import EmailToken, User
from directory.audit import AuditEvent
from directory.core.errors import ValidationError
from directory.core.models import utcnow
from directory.people.claims import send_claim_invitation
from directory.people.models import ConsentRecord
from directory.search.outbox import SearchOutbox
from tests.accounts.conftest import PASSWORD, link_in, mail_text, make_user
from tests.factories import PersonFactory


@pytest.fixture
def invited(app, embassy_officer):
    person = PersonFactory(
        full_name="Nguyễn Thị Mai",
        email="mai@example.fr",
        languages=["vi", "fr"],
        consent_listed=False,
        consent_contact=False,
        provenance="mission",
        provenance_mission_id=embassy_officer.mission_id,
    )
    return person


def claim_data(listed=True, contact=False, password=PASSWORD, confirm=None):
    data = {"password": password, "confirm": confirm or password}
    if listed:
        data["consent_listed"] = "y"
    if contact:
        data["consent_contact"] = "y"
    return data


def test_invitation_email_carries_an_absolute_single_use_link(
    db, invited, embassy_officer, mail_outbox
):
    token = send_claim_invitation(invited, embassy_officer)
    assert token.purpose == "claim" and token.person_id == invited.id
    (msg,) = mail_outbox()
    assert msg["To"] == "mai@example.fr"
    assert msg["Content-Language"] == "vi"
    assert "Nguyễn Thị Mai" in mail_text(msg)
    assert "http://localhost/claim/" in mail_text(msg)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "person.invite"))
    assert event.actor_id == embassy_officer.id and event.object_id == invited.id
    assert "mai@example.fr" not in str(event.details)


def test_invitation_expires_after_the_configured_time(app, invited, embassy_officer):
    token = send_claim_invitation(invited, embassy_officer)
    lifetime = token.expires_at - token.created_at
    assert abs(lifetime - app.config["INVITATION_TTL"]) < timedelta(seconds=5)


def test_invitation_is_in_english_when_the_person_does_not_speak_vietnamese(
    db, embassy_officer, mail_outbox
):
    person = PersonFactory(email="paul@example.fr", languages=["fr", "en"])
    send_claim_invitation(person, embassy_officer)
    (msg,) = mail_outbox()
    assert msg["Content-Language"] == "en"
    assert msg["Subject"] == "Your profile in the Kiều bào Directory"


def test_claim_creates_a_member_records_consent_and_logs_in(
    client, db, invited, embassy_officer, mail_outbox
):
    send_claim_invitation(invited, embassy_officer)
    path = link_in(mail_outbox()[0], "claim")

    page = client.get(path, headers={"Accept-Language": "en"})
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert "Nguyễn Thị Mai" in body and 'href="/privacy"' in body

    response = client.post(path, data=claim_data(listed=True, contact=False))
    assert response.status_code == 302

    user = db.session.scalar(sa.select(User).where(User.email == "mai@example.fr"))
    assert user.role == "member" and user.person_id == invited.id
    assert user.email_verified_at is not None
    db.session.refresh(invited)
    assert invited.consent_listed is True and invited.consent_contact is False
    assert invited.consent_at is not None
    assert invited.consent_notice_version == client.application.config["PRIVACY_NOTICE_VERSION"]
    records = {
        r.purpose: r
        for r in db.session.scalars(
            sa.select(ConsentRecord).where(ConsentRecord.person_id == invited.id)
        )
    }
    assert records["listed"].granted is True and records["contact"].granted is False
    assert records["listed"].notice_version == invited.consent_notice_version
    token = db.session.scalar(sa.select(EmailToken).where(EmailToken.purpose == "claim"))
    assert token.used_at is not None
    assert db.session.scalar(sa.select(SearchOutbox).where(SearchOutbox.entity_id == invited.id))
    # Signed in as the new member.
    assert client.get("/settings").status_code == 200


def test_a_used_claim_link_gives_a_clear_page(client, invited, embassy_officer, mail_outbox):
    send_claim_invitation(invited, embassy_officer)
    path = link_in(mail_outbox()[0], "claim")
    client.post(path, data=claim_data())
    client.post("/logout")
    response = client.get(path, headers={"Accept-Language": "vi"})
    assert response.status_code == 410
    assert "đã được sử dụng" in response.get_data(as_text=True)
    assert client.post(path, data=claim_data()).status_code == 410


def test_an_expired_claim_link_gives_a_clear_page(
    client, db, invited, embassy_officer, mail_outbox
):
    send_claim_invitation(invited, embassy_officer)
    path = link_in(mail_outbox()[0], "claim")
    token = db.session.scalar(sa.select(EmailToken).where(EmailToken.purpose == "claim"))
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    response = client.post(path, data=claim_data(), headers={"Accept-Language": "en"})
    assert response.status_code == 410
    assert "expired" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "mai@example.fr")) is None


def test_an_unknown_claim_link_is_a_translated_404(client):
    response = client.get("/claim/nothing-here", headers={"Accept-Language": "vi"})
    assert response.status_code == 404
    assert "Liên kết này không hợp lệ" in response.get_data(as_text=True)


def test_claim_is_refused_when_the_email_already_has_an_account(
    client, db, invited, embassy_officer, mail_outbox
):
    send_claim_invitation(invited, embassy_officer)
    path = link_in(mail_outbox()[0], "claim")
    make_user(email="mai@example.fr")
    response = client.get(path, headers={"Accept-Language": "en"})
    assert response.status_code == 409
    assert "already uses this email" in response.get_data(as_text=True)
    assert client.post(path, data=claim_data()).status_code == 409
    db.session.refresh(invited)
    assert invited.user is None


def test_claim_with_mismatched_passwords_writes_nothing(
    client, db, invited, embassy_officer, mail_outbox
):
    send_claim_invitation(invited, embassy_officer)
    path = link_in(mail_outbox()[0], "claim")
    response = client.post(path, data=claim_data(confirm="something else entirely"))
    assert response.status_code == 200
    assert db.session.scalar(sa.select(User).where(User.email == "mai@example.fr")) is None
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ConsentRecord)) == 0


def test_invitation_is_refused_for_a_profile_without_email_or_already_claimed(db, embassy_officer):
    with pytest.raises(ValidationError) as exc:
        send_claim_invitation(PersonFactory(email=None), embassy_officer)
    assert "email" in exc.value.fields
    claimed = PersonFactory(email="claimed@example.fr")
    make_user(email="claimed@example.fr", person_id=claimed.id)
    db.session.refresh(claimed)
    with pytest.raises(ValidationError):
        send_claim_invitation(claimed, embassy_officer)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EmailToken)) == 0
