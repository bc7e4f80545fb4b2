"""Submission, due dates, notes, forwarding, bulk steps, notices and the data download."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.core.errors import ApiError, ValidationError
from directory.core.models import utcnow
from directory.initiatives import queries, services
from directory.initiatives.models import Initiative
from tests.initiatives.conftest import DATA


def test_a_member_submits_to_a_province_with_a_due_date(app, cast, submitted, trail):
    initiative = submitted(province="Quảng Nam", fields=["Bán dẫn", "education-training"])
    assert initiative.province_slug == "da-nang"  # a legacy name is resolved
    assert initiative.fields == ["semiconductors", "education-training"]
    assert initiative.state == "received"
    assert initiative.due_on == services.vietnam_date(initiative.received_at) + timedelta(days=30)
    assert trail(initiative)[2:] == (["submit"], ["initiative.submit"])


def test_the_answer_period_comes_from_the_configuration(app, cast, submitted):
    app.config["INITIATIVE_ANSWER_DAYS"] = 10
    initiative = submitted()
    assert (initiative.due_on - services.vietnam_date(initiative.received_at)).days == 10


def test_without_a_province_it_goes_to_the_central_body(cast, submitted):
    assert submitted(province=None).province_slug is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"title": "  "}, "title"),
        ({"title": "x" * 201}, "title"),
        ({"text": ""}, "text"),
        ({"fields": []}, "fields"),
        ({"fields": ["not-a-field"]}, "fields"),
        ({"fields": "semiconductors"}, "fields"),
        ({"links": ["javascript:alert(1)"]}, "links"),
        ({"links": ["ftp://example.org/file"]}, "links"),
        ({"links": ["https://"]}, "links"),
        ({"links": [f"https://example.org/{i}" for i in range(11)]}, "links"),
        ({"province": "Atlantis"}, "province"),
        ({"province": 12}, "province"),
    ],
)
def test_bad_input_is_refused_per_field_and_nothing_is_written(db, cast, overrides, field):
    with pytest.raises(ValidationError) as caught:
        services.submit_initiative({**DATA, **overrides}, cast["member"])
    assert field in caught.value.fields
    db.session.rollback()
    assert db.session.scalar(sa.select(sa.func.count(Initiative.id))) == 0


@pytest.mark.parametrize("role", ["officer", "approver", "admin", "embassy", "anonymous"])
def test_only_members_submit(cast, role):
    with pytest.raises(ApiError) as caught:
        services.submit_initiative(DATA, cast[role])
    assert caught.value.status == 403


def test_overdue_is_unanswered_after_the_due_date(cast, initiative_in):
    late = initiative_in("assigned", due_on=services.today() - timedelta(days=1))
    today = initiative_in("triaged", due_on=services.today())
    answered_late = initiative_in("answered", due_on=services.today() - timedelta(days=5))
    assert services.is_overdue(late)
    assert not services.is_overdue(today)
    assert not services.is_overdue(answered_late)
    items, total = queries.list_initiatives(cast["officer"], overdue=True)
    assert [i.id for i in items] == [late.id] and total == 1


def test_assignment_goes_to_a_colleague_of_the_province_only(cast, initiative_in, trail):
    initiative = initiative_in("triaged")
    for outsider in ("other_officer", "member", "admin", "embassy"):
        with pytest.raises(ValidationError) as caught:
            services.take_action(
                initiative, "assign", cast["officer"], {"assignee_id": cast[outsider].id}
            )
        assert "assignee_id" in caught.value.fields
    assert trail(initiative)[0] == "triaged"
    services.take_action(
        initiative, "assign", cast["officer"], {"assignee_id": cast["colleague"].id}
    )
    assert initiative.assignee_id == cast["colleague"].id


def test_the_assignee_reviews_and_answers_another_officer_may_not(cast, initiative_in):
    initiative = initiative_in("assigned")
    with pytest.raises(ApiError) as caught:
        services.take_action(initiative, "review", cast["officer"])
    assert caught.value.status == 403
    services.take_action(initiative, "review", cast["colleague"])
    with pytest.raises(ValidationError):
        services.take_action(initiative, "answer", cast["colleague"], {"answer": " "})
    services.take_action(initiative, "answer", cast["colleague"], {"answer": "Đồng ý hợp tác."})
    assert initiative.state == "answered" and initiative.answer == "Đồng ý hợp tác."
    assert initiative.answered_at is not None


def test_forwarding_keeps_the_history_and_the_due_date(cast, initiative_in, trail):
    initiative = initiative_in("assigned")
    due = initiative.due_on
    services.take_action(initiative, "forward", cast["officer"], {"province": "Hà Nội"})
    assert (initiative.province_slug, initiative.state) == ("ha-noi", "received")
    assert initiative.assignee_id is None and initiative.due_on == due
    assert not services.allowed_actions(initiative, cast["officer"])
    assert "triage" in services.allowed_actions(initiative, cast["other_officer"])
    event = initiative.events[-1]
    assert event.details == {"from_province": "da-nang", "to_province": "ha-noi"}
    with pytest.raises(ValidationError):
        services.take_action(initiative, "forward", cast["other_officer"], {"province": "ha-noi"})


def test_private_notes_stay_with_the_officials(db, cast, initiative_in):
    initiative = initiative_in("under_review")
    services.take_action(initiative, "note", cast["colleague"], {"text": "Bí mật: cần ngân sách."})
    with pytest.raises(ApiError):
        services.take_action(initiative, "note", cast["member"], {"text": "Xin chào"})
    with pytest.raises(ApiError):
        services.take_action(initiative, "note", cast["other_officer"], {"text": "Xin chào"})
    assert [n.text for n in initiative.notes] == ["Bí mật: cần ngân sách."]
    officials = [e.action for e in queries.history_for(initiative, cast["officer"])]
    member = [e.action for e in queries.history_for(initiative, cast["member"])]
    assert "note" in officials and "note" not in member
    audit = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "initiative.note")
    ).one()
    assert "Bí mật" not in str(audit.details)


def test_the_members_data_download_has_their_initiatives_without_notes(db, cast, initiative_in):
    from directory.people.data_protection import export_person_data

    initiative = initiative_in("under_review")
    services.take_action(initiative, "note", cast["colleague"], {"text": "Bí mật nội bộ"})
    services.take_action(initiative, "answer", cast["colleague"], {"answer": "Câu trả lời"})
    person = cast["member"].person
    data = export_person_data(person, cast["member"])
    [exported] = data["initiatives"]
    assert exported["id"] == initiative.id and exported["answer"] == "Câu trả lời"
    assert "Bí mật nội bộ" not in str(data)
    assert "note" not in [h["action"] for h in exported["history"]]
    assert "assignee_id" not in exported


def test_the_member_is_told_in_their_language(cast, initiative_in, mail_outbox):
    initiative = initiative_in("under_review")
    services.take_action(initiative, "answer", cast["colleague"], {"answer": "Xin cảm ơn."})
    [message] = mail_outbox()
    assert message["To"] == "thuha@example.fr"
    assert message["Content-Language"] == "en"
    assert message["Subject"].startswith("Your initiative")
    assert "Xin cảm ơn." in message.get_content()
    services.take_action(initiative, "adopt", cast["approver"])
    assert [m["Subject"] for m in mail_outbox()][1].endswith("has been adopted")


def test_a_vietnamese_member_gets_a_vietnamese_notice(db, cast, initiative_in, mail_outbox):
    cast["member"].locale = "vi"
    db.session.commit()
    initiative = initiative_in("answered")
    services.take_action(initiative, "decline", cast["approver"], {"answer": "Chưa phù hợp."})
    [message] = mail_outbox()
    assert message["Subject"].startswith("Quyết định về sáng kiến")
    assert initiative.answer == "Chưa phù hợp."


def test_bulk_triage_and_assignment_give_a_result_per_item(cast, initiative_in, submitted):
    fresh = [submitted(), submitted()]
    done = initiative_in("adopted")
    elsewhere = initiative_in("received", province_slug="ha-noi")
    ids = [fresh[0].id, done.id, "missing", elsewhere.id, fresh[1].id]
    results = services.bulk_action(ids, "triage", cast["officer"])
    assert [(r.initiative_id, r.ok) for r in results] == [
        (fresh[0].id, True),
        (done.id, False),
        ("missing", False),
        (elsewhere.id, False),
        (fresh[1].id, True),
    ]
    assert "Adopted" in results[1].message or "Đã tiếp nhận" in results[1].message
    results = services.bulk_action(
        [f.id for f in fresh], "assign", cast["officer"], {"assignee_id": cast["colleague"].id}
    )
    assert all(r.ok for r in results)
    assert {i.assignee_id for i in fresh} == {cast["colleague"].id}
    with pytest.raises(ValidationError):
        services.bulk_action([fresh[0].id], "adopt", cast["approver"])


def test_the_central_body_is_handled_by_the_admin(cast, submitted):
    initiative = submitted(province=None)
    assert services.allowed_actions(initiative, cast["officer"]) == []
    services.take_action(initiative, "triage", cast["admin"])
    services.take_action(initiative, "assign", cast["admin"], {"assignee_id": cast["admin"].id})
    assert initiative.state == "assigned"


def test_the_withdrawal_is_the_submitters_and_only_before_an_answer(cast, initiative_in):
    initiative = initiative_in("under_review")
    with pytest.raises(ApiError):
        services.take_action(initiative, "withdraw", cast["other_member"])
    services.take_action(initiative, "withdraw", cast["member"])
    assert initiative.state == "withdrawn" and initiative.closed_at is not None


def test_the_navigation_badge_counts_what_waits(cast, initiative_in, submitted):
    submitted()
    initiative_in("assigned")
    initiative_in("answered")
    assert queries.waiting_count(cast["officer"]) == 1  # to triage
    assert queries.waiting_count(cast["colleague"]) == 2  # to triage, assigned to them
    assert queries.waiting_count(cast["approver"]) == 2  # to triage, to decide
    assert queries.waiting_count(cast["member"]) == 0
    assert utcnow()  # the clock is timezone-aware
