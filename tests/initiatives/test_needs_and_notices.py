"""Initiatives and the rest of the product: the need an initiative answers, and the inbox
notices the member gets when it is answered, adopted or declined."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from directory.core.errors import ValidationError
from directory.extensions import db as _db
from directory.initiatives import services
from directory.initiatives.models import Initiative
from directory.needs.models import Need
from directory.notices import services as notices
from directory.notices.models import Notice
from tests.initiatives.conftest import DATA

EN = {"Accept-Language": "en"}


@pytest.fixture
def need_of(db):
    def make(province: str = "da-nang", audience: str = "public", **values) -> Need:
        need = Need(
            province_slug=province,
            title=values.pop("title", "Chip design training partnership, 2027 roadmap"),
            type="training",
            fields=["semiconductors"],
            countries=["FR"],
            milestones=[],
            deadline=date.today() + timedelta(days=60),
            audience=audience,
            status="open",
            **values,
        )
        _db.session.add(need)
        _db.session.commit()
        return need

    return make


def _notices(db) -> list[Notice]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notice).order_by(Notice.created_at)))


def _count(db) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count(Initiative.id)))


# --- notices --------------------------------------------------------------------------------


def test_the_member_gets_a_notice_at_the_answer_and_the_decision(db, app, cast, initiative_in):
    initiative = initiative_in("assigned")
    services.take_action(initiative, "review", cast["colleague"])
    assert _notices(db) == []  # only the steps that answer the member
    services.take_action(initiative, "answer", cast["colleague"], {"answer": "Xin cảm ơn."})
    services.take_action(initiative, "adopt", cast["approver"])
    found = _notices(db)
    assert [n.kind for n in found] == ["initiative.answered", "initiative.adopted"]
    assert {n.user_id for n in found} == {cast["member"].id}
    with app.test_request_context():
        assert notices.url_of(found[0]) == f"/initiatives/{initiative.id}"
        with force_locale("en"):
            assert notices.text_of(found[1]) == f"Your initiative “{initiative.title}” was adopted."
        with force_locale("vi"):
            assert notices.text_of(found[0]) == (
                f"Sáng kiến “{initiative.title}” của bạn đã được trả lời."
            )
    declined = initiative_in("answered")
    services.take_action(declined, "decline", cast["approver"], {"answer": "Chưa phù hợp."})
    assert _notices(db)[-1].kind == "initiative.declined"


def test_the_officials_are_told_of_a_new_a_forwarded_and_an_assigned_initiative(
    db, app, cast, submitted
):
    province_officials = {cast["officer"].id, cast["colleague"].id, cast["approver"].id}
    initiative = submitted()
    received = _notices(db)
    assert {n.kind for n in received} == {"initiative.received"}
    assert {n.user_id for n in received} == province_officials  # not Hà Nội's, not the member
    with app.test_request_context():
        assert notices.url_of(received[0]) == f"/initiatives/{initiative.id}"
        with force_locale("en"):
            text = notices.text_of(received[0])
        assert text.startswith(f"New initiative to triage: “{initiative.title}” (answer due ")
        with force_locale("vi"):
            assert notices.text_of(received[0]).startswith("Sáng kiến mới cần phân loại")
    services.take_action(initiative, "triage", cast["officer"])
    services.take_action(
        initiative, "assign", cast["officer"], {"assignee_id": cast["colleague"].id}
    )
    assigned = [n for n in _notices(db) if n.kind == "initiative.assigned"]
    assert [n.user_id for n in assigned] == [cast["colleague"].id]
    # Forwarded to Hà Nội: its officials are told, not the officer who forwarded it.
    other = submitted()
    services.take_action(other, "forward", cast["officer"], {"province": "ha-noi"})
    forwarded = [n for n in _notices(db) if n.kind == "initiative.forwarded"]
    assert {n.user_id for n in forwarded} == {cast["other_officer"].id, cast["other_approver"].id}
    # The central body's initiatives go to the admins.
    central = submitted(province=None)
    to_admin = [n for n in _notices(db) if n.params["initiative_id"] == central.id]
    assert {n.user_id for n in to_admin} == {cast["admin"].id}


def test_a_refused_step_and_a_step_without_notification_leave_no_notice(db, cast, initiative_in):
    initiative = initiative_in("under_review")
    with pytest.raises(ValidationError):
        services.take_action(initiative, "answer", cast["colleague"], {"answer": ""})
    db.session.rollback()
    assert _notices(db) == []
    services.take_action(initiative, "answer", cast["colleague"], {"answer": "OK"}, notify=False)
    assert _notices(db) == []


# --- the need an initiative answers -----------------------------------------------------------


def test_an_initiative_answers_a_need_and_goes_to_its_province(db, cast, need_of, trail):
    need = need_of()
    initiative = services.submit_initiative(
        {**DATA, "province": None, "need_id": need.id}, cast["member"]
    )
    assert initiative.need_id == need.id and initiative.province_slug == "da-nang"
    assert initiative.events[0].details["need_id"] == need.id
    same = services.submit_initiative({**DATA, "need_id": need.id}, cast["member"])
    assert same.need_id == need.id


@pytest.mark.parametrize("case", ["unknown", "number", "officials_only", "other_province"])
def test_a_need_the_member_may_not_name_is_refused_and_nothing_written(db, cast, need_of, case):
    values = {
        "unknown": "nope",
        "number": 42,
        "officials_only": lambda: need_of(audience="officials").id,
        "other_province": lambda: need_of(province="hue").id,
    }[case]
    need_id = values() if callable(values) else values
    before = _count(db)
    with pytest.raises(ValidationError) as caught:
        services.submit_initiative({**DATA, "need_id": need_id}, cast["member"])
    assert set(caught.value.fields) == {"need_id"}
    db.session.rollback()
    assert _count(db) == before


def test_the_api_takes_and_returns_need_id(client, cast, need_of, bearer):
    need = need_of()
    headers = bearer(cast["member"])
    created = client.post("/api/v1/initiatives", json={**DATA, "need_id": need.id}, headers=headers)
    assert created.status_code == 201, created.get_json()
    assert created.get_json()["need_id"] == need.id
    bad = client.post("/api/v1/initiatives", json={**DATA, "need_id": "zz"}, headers=headers)
    assert bad.status_code == 422 and "need_id" in bad.get_json()["error"]["fields"]
    officer = client.get(
        f"/api/v1/initiatives/{created.get_json()['id']}", headers=bearer(cast["officer"])
    )
    assert officer.get_json()["need_id"] == need.id
    schema = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    assert "need_id" in schema["Initiative"]["properties"]


def test_the_pages_show_the_need_on_both_sides(client, login, cast, need_of):
    need = need_of()
    login(cast["member"])
    with client.session_transaction() as session:
        session["lang"] = "en"
    need_page = client.get(f"/needs/{need.id}", headers=EN).get_data(as_text=True)
    assert f'href="/initiatives/new?need={need.id}"' in need_page
    form = client.get(f"/initiatives/new?need={need.id}", headers=EN).get_data(as_text=True)
    assert "Answering the need:" in form and need.title in form
    assert re.search(r'<option selected value="da-nang">|value="da-nang" selected', form)
    response = client.post(
        "/initiatives/new",
        data={
            "province": "da-nang",
            "title": DATA["title"],
            "fields": ["semiconductors"],
            "text": DATA["text"],
            "need_id": need.id,
        },
        headers=EN,
    )
    assert response.status_code == 303
    initiative = _db.session.scalar(sa.select(Initiative))
    assert initiative.need_id == need.id
    mine = client.get(f"/initiatives/{initiative.id}", headers=EN).get_data(as_text=True)
    assert "Answers the need" in mine and f'href="/needs/{need.id}"' in mine
    # The province's officers see it on the initiative and on the need.
    login(cast["officer"])
    theirs = client.get(f"/initiatives/{initiative.id}", headers=EN).get_data(as_text=True)
    assert need.title in theirs
    need_page = client.get(f"/needs/{need.id}", headers=EN).get_data(as_text=True)
    assert "Initiatives answering this need" in need_page
    assert f'href="/initiatives/{initiative.id}"' in need_page
    # Another province's officer reads the public need, not the initiative.
    login(cast["other_officer"])
    page = client.get(f"/needs/{need.id}", headers=EN).get_data(as_text=True)
    assert f'href="/initiatives/{initiative.id}"' not in page
