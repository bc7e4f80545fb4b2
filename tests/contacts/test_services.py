"""Contact requests through the service: asking, answering, withdrawing, expiring."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from directory.audit import AuditEvent
from directory.contacts import services
from directory.contacts.models import ContactRequest
from directory.core.errors import ValidationError
from directory.core.models import utcnow
from directory.notices import services as notices
from directory.notices.models import Notice
from tests.factories import PersonFactory, UserFactory


def _notices_of(db, user) -> list[Notice]:
    return list(db.session.scalars(sa.select(Notice).where(Notice.user_id == user.id)))


def test_an_official_asks_and_the_member_hears_of_it_in_the_inbox_and_by_email_in_english(
    parties, ask, db, mail_outbox, audit_actions
):
    contact_request = ask()

    assert contact_request.state == "pending"
    assert contact_request.requester_id == parties.officer.id
    assert contact_request.expires_at - contact_request.created_at == timedelta(days=30)
    assert audit_actions(contact_request) == ["contact_request.create"]
    [notice] = _notices_of(db, parties.member)
    assert notice.kind == "contact_request.received"
    assert notice.params == {"request_id": contact_request.id}
    [message] = mail_outbox()
    assert message["To"] == "nhan@example.fr"
    assert message["Content-Language"] == "en"
    body = message.get_content()
    assert "Nguyễn Thị Lan, provincial officer (Da Nang)" in message["Subject"]
    assert "Sở KH&CN Đà Nẵng muốn mời anh tư vấn về vi mạch." in body
    assert f"/contact-requests/{contact_request.id}" in body
    # The officer's own contact details are not in it, nor the member's.
    assert "nhan.vo@example.fr" not in body


def test_the_notice_reads_in_the_language_of_whoever_looks_at_it(parties, ask, db, app):
    ask()
    [notice] = _notices_of(db, parties.member)
    with force_locale("en"):
        assert notices.text_of(notice) == (
            "Nguyễn Thị Lan, provincial officer (Da Nang) asks to be put in touch with you."
        )
    with force_locale("vi"):
        assert notices.text_of(notice) == (
            "Nguyễn Thị Lan, cán bộ cấp tỉnh (Đà Nẵng) đề nghị được kết nối với bạn."
        )


@pytest.mark.parametrize(
    ("target", "status", "code"),
    [
        ("unlisted", 409, "not_contactable"),
        ("no_consent", 409, "not_contactable"),
        ("switched_off", 409, "contact_requests_off"),
        ("unclaimed", 409, "no_account"),
    ],
)
def test_people_who_cannot_be_asked_are_refused_and_nothing_is_written(
    parties, ask, written, mail_outbox, target, status, code
):
    before = written()
    with pytest.raises(services.ContactError) as refused:
        ask(person=getattr(parties, target))
    assert (refused.value.status, refused.value.code) == (status, code)
    assert written() == before
    assert mail_outbox() == []


def test_a_second_pending_request_is_refused_but_another_official_may_ask(
    parties, ask, written, db
):
    ask()
    before = written()
    with pytest.raises(services.ContactError) as refused:
        ask()
    assert refused.value.code == "already_pending"
    assert written() == before
    assert ask(by=parties.embassy).state == "pending"


def test_once_answered_the_same_official_may_ask_again(parties, ask):
    first = ask()
    services.take_action(first, "decline", parties.member, {"reason": "Tôi đang bận."})
    assert ask().state == "pending"


def test_asking_oneself_an_unknown_person_or_without_a_message_is_a_422(parties, ask, written, db):
    own = PersonFactory(full_name="Nguyễn Thị Lan")
    parties.officer.person_id = own.id
    db.session.commit()
    before = written()
    for person_id, message, field in (
        (own.id, "Xin chào", "person_id"),
        ("nope", "Xin chào", "person_id"),
        (None, "Xin chào", "person_id"),
        (parties.member_person.id, "   ", "message"),
        (parties.member_person.id, "x" * 2001, "message"),
        (parties.member_person.id, 42, "message"),
    ):
        with pytest.raises(ValidationError) as refused:
            services.create_request(parties.officer, person_id, message)
        assert field in refused.value.fields
    assert written() == before


def test_members_do_not_send_requests(parties, written):
    before = written()
    with pytest.raises(services.ContactError) as refused:
        services.create_request(parties.other_member, parties.member_person.id, "Chào anh")
    assert refused.value.status == 403
    assert written() == before


def test_an_official_sends_at_most_the_daily_limit(parties, app, written, db):
    app.config["CONTACT_REQUESTS_PER_DAY"] = 2
    people = [PersonFactory(full_name=f"Nguyễn Văn {n}") for n in ("An", "Bình", "Chi")]
    for person in people:
        UserFactory(person_id=person.id)
    services.create_request(parties.officer, people[0].id, "Một")
    services.create_request(parties.officer, people[1].id, "Hai")
    before = written()
    with pytest.raises(services.ContactError) as refused:
        services.create_request(parties.officer, people[2].id, "Ba")
    assert (refused.value.status, refused.value.code) == (429, "rate_limited")
    assert "2 contact requests in the last 24 hours" in refused.value.message or (
        "2 đề nghị kết nối" in refused.value.message
    )
    assert written() == before
    # Requests older than 24 hours no longer count; others' requests never do.
    db.session.execute(sa.update(ContactRequest).values(created_at=utcnow() - timedelta(hours=25)))
    db.session.commit()
    assert services.create_request(parties.officer, people[2].id, "Ba").state == "pending"
    assert services.create_request(parties.embassy, people[0].id, "Bốn").state == "pending"


def test_the_member_accepts_and_the_official_reads_exactly_the_shared_details_live(
    parties, ask, db, mail_outbox, audit_actions
):
    contact_request = ask()
    services.take_action(contact_request, "accept", parties.member, {"share": ["phone", "email"]})
    assert contact_request.state == "accepted"
    assert contact_request.shared == ["email", "phone"]  # canonical order
    [answer] = [m for m in mail_outbox() if m["To"] == "officer@danang.gov.vn"]
    assert "Võ Thành Nhân" in answer["Subject"]
    assert "+33612345678" not in answer.get_content()  # the details stay behind the audit
    assert [n.kind for n in _notices_of(db, parties.officer)] == ["contact_request.accepted"]

    assert services.contact_details(contact_request, parties.officer) == {
        "email": "nhan.vo@example.fr",
        "phone": "+33612345678",
    }
    # Live: the member's current values, and only the chosen fields.
    parties.member_person.email = "nhan@grenoble.example"
    db.session.commit()
    assert services.contact_details(contact_request, parties.officer) == {
        "email": "nhan@grenoble.example",
        "phone": "+33612345678",
    }
    actions = audit_actions(contact_request)
    assert actions.count("contact_request.contact_view") == 2
    event = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "contact_request.contact_view")
    ).first()
    assert event.actor_id == parties.officer.id
    assert event.details == {"person_id": parties.member_person.id, "fields": ["email", "phone"]}
    # Nobody else reads them: not another official, not the admin, not the member.
    for other in (parties.embassy, parties.admin, parties.member, parties.other_officer):
        assert services.contact_details(contact_request, other) is None
    assert actions.count("contact_request.contact_view") == 2


def test_email_is_shared_by_default_and_only_given_fields_can_be_shared(parties, ask, db):
    contact_request = ask()
    parties.member_person.website = None
    db.session.commit()
    for share, message in (
        (["website"], "Your profile has no Website to share."),
        ([], "Choose at least one contact detail to share"),
        (["address"], "Choose among: email, phone, website."),
        ("email", "Enter a list of texts."),
    ):
        with force_locale("en"), pytest.raises(ValidationError) as refused:
            services.take_action(contact_request, "accept", parties.member, {"share": share})
        assert refused.value.fields["share"].startswith(message)
    assert contact_request.state == "pending"
    services.take_action(contact_request, "accept", parties.member, {})
    assert contact_request.shared == ["email"]


def test_declining_reveals_nothing_and_tells_the_official_the_reason(parties, ask, db, mail_outbox):
    contact_request = ask()
    services.take_action(
        contact_request, "decline", parties.member, {"reason": "Không có thời gian."}
    )
    assert contact_request.state == "declined"
    assert contact_request.reason == "Không có thời gian."
    assert services.contact_details(contact_request, parties.officer) is None
    [answer] = [m for m in mail_outbox() if m["To"] == "officer@danang.gov.vn"]
    assert "Không có thời gian." in answer.get_content()
    assert "nhan" not in answer.get_content()


def test_only_the_member_answers_and_only_the_official_withdraws(parties, ask, written):
    contact_request = ask()
    before = written()
    for actor, action in (
        (parties.officer, "accept"),
        (parties.admin, "decline"),
        (parties.other_member, "accept"),
        (parties.member, "withdraw"),
        (parties.embassy, "withdraw"),
        (parties.officer, "approve"),
    ):
        with pytest.raises(services.ContactError) as refused:
            services.take_action(contact_request, action, actor, {})
        assert refused.value.status == 403
    assert written() == before
    services.take_action(contact_request, "withdraw", parties.officer)
    assert contact_request.state == "withdrawn"


def test_withdrawal_tells_the_member_and_a_closed_request_changes_no_more(
    parties, ask, db, mail_outbox, written
):
    contact_request = ask()
    services.take_action(contact_request, "withdraw", parties.officer)
    kinds = [n.kind for n in _notices_of(db, parties.member)]
    assert kinds.count("contact_request.withdrawn") == 1
    assert [m["To"] for m in mail_outbox()].count("nhan@example.fr") == 2  # asked, withdrawn
    before = written()
    with pytest.raises(services.ContactError) as refused:
        services.take_action(contact_request, "accept", parties.member, {"share": ["email"]})
    assert (refused.value.status, refused.value.code) == (409, "invalid_state")
    assert written() == before


def test_expiry_after_30_days_tells_both_sides(parties, ask, db, mail_outbox, audit_actions):
    old = ask()
    fresh = ask(by=parties.embassy)
    old.expires_at = utcnow() - timedelta(minutes=1)
    db.session.commit()

    done = services.expire_due()

    assert [r.id for r in done] == [old.id]
    db.session.refresh(fresh)
    assert (old.state, fresh.state) == ("expired", "pending")
    assert audit_actions(old)[-1] == "contact_request.expire"
    assert "contact_request.expired" in [n.kind for n in _notices_of(db, parties.officer)]
    assert "contact_request.expired" in [n.kind for n in _notices_of(db, parties.member)]
    subjects = {m["To"]: m["Subject"] for m in mail_outbox()}
    assert subjects["nhan@example.fr"] == "A contact request expired"  # his account: English
    assert subjects["officer@danang.gov.vn"] == "Một đề nghị kết nối đã hết hạn"
    assert services.expire_due() == []  # once


def test_an_answer_after_the_date_finds_the_request_expired(parties, ask, db, written):
    contact_request = ask()
    contact_request.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    with pytest.raises(services.ContactError) as refused:
        services.take_action(contact_request, "accept", parties.member, {"share": ["email"]})
    assert refused.value.code == "expired"
    db.session.expire_all()
    assert db.session.get(ContactRequest, contact_request.id).state == "expired"
    assert services.contact_details(contact_request, parties.officer) is None


def test_an_anonymised_profile_shares_nothing_any_more(parties, ask, db):
    contact_request = ask()
    services.take_action(contact_request, "accept", parties.member, {"share": ["email"]})
    parties.member_person.anonymised_at = utcnow()
    db.session.commit()
    assert services.contact_details(contact_request, parties.officer) is None


def test_lists_follow_who_asked_and_who_was_asked(parties, ask, db):
    mine = ask()
    theirs = ask(by=parties.embassy, person=parties.other_person)

    def listed(user):
        return {r.id for r in db.session.scalars(services.requests_for(user))}

    assert listed(parties.officer) == {mine.id}
    assert listed(parties.embassy) == {theirs.id}
    assert listed(parties.member) == {mine.id}
    assert listed(parties.other_member) == {theirs.id}
    assert listed(parties.admin) == {mine.id, theirs.id}
    assert listed(parties.other_officer) == set()
    assert listed(None) == set()
    assert {
        r.id for r in db.session.scalars(services.requests_for(parties.admin, state="pending"))
    } == {
        mine.id,
        theirs.id,
    }
