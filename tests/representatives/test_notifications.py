"""The next actor hears of each step by email (in their language) and in their inbox."""

from __future__ import annotations

import sqlalchemy as sa

from directory.accounts.models import EmailToken
from directory.representatives import services, workflow
from tests.factories import PersonFactory, UserFactory


def _to(messages, address):
    return [m for m in messages if m["To"] == address]


def test_submitting_tells_the_mission_covering_the_country(cast, nomination_in, mail_outbox):
    nomination = nomination_in("draft")
    workflow.submit(nomination, cast["officer"])
    messages = mail_outbox()
    assert [m["To"] for m in messages] == ["officer@paris.example"]
    assert messages[0]["Content-Language"] == "vi"
    assert "Nguyễn Văn Dũng" in messages[0]["Subject"]
    assert f"/nominations/{nomination.id}" in messages[0].get_content()


def test_endorsement_asks_the_nominee_with_the_provinces_rationale(
    cast, nomination_in, mail_outbox
):
    nomination = nomination_in("embassy_review")
    workflow.endorse(nomination, cast["embassy"], "Uy tín tốt trong cộng đồng.")
    [to_nominee] = _to(mail_outbox(), "dung@example.fr")
    body = to_nominee.get_content()
    assert "Đà Nẵng" in to_nominee["Subject"]
    assert nomination.rationale in body
    assert "Uy tín tốt" not in body  # the mission's note is for officials
    assert _to(mail_outbox(), "officer@danang.gov.vn")


def test_a_nominee_without_an_account_gets_the_claim_invitation_first(
    cast, nomination_in, mail_outbox, db
):
    unclaimed = PersonFactory(email="ha@example.fr", verified_at=cast.nominee_person.verified_at)
    nomination = nomination_in("embassy_review", person_id=unclaimed.id)
    workflow.endorse(nomination, cast["embassy"])
    assert nomination.state == "awaiting_consent"
    token = db.session.scalars(sa.select(EmailToken).where(EmailToken.purpose == "claim")).one()
    assert token.person_id == unclaimed.id
    assert nomination.invitation_sent_at is not None
    to_nominee = _to(mail_outbox(), "ha@example.fr")
    assert len(to_nominee) == 2  # the claim invitation and the nomination itself
    assert any("/claim/" in m.get_content() for m in to_nominee)

    # Once claimed, the consent step waits in their inbox.
    member = UserFactory(person_id=unclaimed.id)
    assert services.inbox_count(member) == 1
    workflow.accept(nomination, member)
    assert nomination.state == "awaiting_approval"


def test_acceptance_asks_the_approvers_in_their_own_language(cast, nomination_in, mail_outbox):
    nomination = nomination_in("awaiting_consent")
    workflow.accept(nomination, cast["nominee"])
    [to_approver] = _to(mail_outbox(), "approver@danang.gov.vn")
    assert to_approver["Content-Language"] == "en"
    assert to_approver["Subject"].startswith("Appointment to approve")
    [to_officer] = _to(mail_outbox(), "officer@danang.gov.vn")
    assert to_officer["Content-Language"] == "vi"


def test_the_nominee_is_told_the_outcome(cast, nomination_in, mail_outbox):
    approved = nomination_in("awaiting_approval")
    workflow.approve(approved, cast["approver"], "Chúc mừng anh.")
    rejected = nomination_in("awaiting_approval")
    workflow.reject(rejected, cast["approver"], "Chưa phù hợp lúc này.")
    to_nominee = _to(mail_outbox(), "dung@example.fr")
    assert len(to_nominee) == 2
    assert "Chúc mừng anh." in to_nominee[0].get_content()
    assert "Chưa phù hợp lúc này." in to_nominee[1].get_content()


def test_the_actor_is_not_notified_of_their_own_step(cast, nomination_in, mail_outbox):
    workflow.resign(nomination_in("active"), cast["nominee"], "Lý do sức khỏe")
    addresses = {m["To"] for m in mail_outbox()}
    assert "dung@example.fr" not in addresses
    assert {"officer@danang.gov.vn", "approver@danang.gov.vn"} <= addresses


def test_inbox_counts_follow_each_role(cast, nomination_in):
    nomination_in("draft")
    nomination_in("embassy_review")
    nomination_in("awaiting_consent")
    nomination_in("awaiting_approval")
    nomination_in("embassy_review", country="DE")
    nomination_in("draft", province_slug="ha-noi")
    counts = {role: services.inbox_count(user) for role, user in cast.items() if user}
    assert counts == {
        "officer": 1,  # the draft to submit
        "approver": 2,  # the draft, and the appointment to approve
        "other_officer": 1,
        "other_approver": 1,
        "embassy": 1,  # France only
        "other_embassy": 1,  # Germany
        "nominee": 1,  # the consent to give
        "owner": 0,
        "member": 0,
        "admin": 0,
    }


def test_the_navigation_shows_the_inbox_count(cast, nomination_in, client, login):
    nomination_in("embassy_review")
    nomination_in("embassy_review")
    login(cast["embassy"])
    page = client.get("/nominations").get_data(as_text=True)
    assert 'class="badge"' in page
    assert ">2</span>" in page
