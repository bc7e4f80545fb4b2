"""The pages: the member's list, form and page; the officials' inbox, bulk steps and page."""

from __future__ import annotations

import re

import sqlalchemy as sa

from directory.initiatives import services
from directory.initiatives.models import Initiative

EN = {"Accept-Language": "en"}


def _in_english(client) -> None:
    with client.session_transaction() as session:
        session["lang"] = "en"


def _text(response) -> str:
    return response.get_data(as_text=True)


def test_a_member_submits_from_the_form_and_sees_the_due_date(client, login, cast):
    login(cast["member"])
    assert client.get("/initiatives/new", headers=EN).status_code == 200
    response = client.post(
        "/initiatives/new",
        data={
            "province": "da-nang",
            "title": "Đào tạo thiết kế vi mạch",
            "fields": ["semiconductors"],
            "text": "Khóa học 12 tuần.",
            "links": "https://example.org/a\nhttps://example.org/b",
        },
        headers=EN,
    )
    assert response.status_code == 303
    initiative = Initiative.query.one()
    assert initiative.links == ["https://example.org/a", "https://example.org/b"]
    page = client.get(response.headers["Location"], headers=EN)
    assert "An answer is due by" in _text(page)
    assert "Answer due by" in _text(page)
    assert "Đào tạo thiết kế vi mạch" in _text(client.get("/initiatives/mine", headers=EN))


def test_a_bad_form_keeps_the_input_and_writes_nothing(client, db, login, cast):
    login(cast["member"])
    response = client.post(
        "/initiatives/new",
        data={
            "province": "central",
            "title": "Ý tưởng",
            "fields": ["semiconductors"],
            "text": "Nội dung",
            "links": "javascript:alert(1)",
        },
        headers=EN,
    )
    assert response.status_code == 422
    assert "Only web addresses starting with http:// or https://" in _text(response)
    assert db.session.scalar(sa.select(sa.func.count(Initiative.id))) == 0


def test_officials_may_not_submit_and_members_have_no_inbox(client, login, cast):
    login(cast["officer"])
    assert client.get("/initiatives/new").status_code == 403
    login(cast["member"])
    assert client.get("/initiatives").status_code == 302


def test_the_member_sees_the_answer_but_never_the_notes(client, login, cast, initiative_in):
    initiative = initiative_in("under_review")
    services.take_action(initiative, "note", cast["colleague"], {"text": "Ghi chú mật"})
    services.take_action(initiative, "answer", cast["colleague"], {"answer": "Câu trả lời"})
    login(cast["member"])
    page = _text(client.get(f"/initiatives/{initiative.id}", headers=EN))
    assert "Câu trả lời" in page and "Ghi chú mật" not in page and "Private notes" not in page
    login(cast["officer"])
    _in_english(client)
    page = _text(client.get(f"/initiatives/{initiative.id}", headers=EN))
    assert "Ghi chú mật" in page and "Private notes" in page
    login(cast["other_officer"])
    assert client.get(f"/initiatives/{initiative.id}").status_code == 404


def test_the_inbox_filters_and_bulk_assigns(client, login, cast, initiative_in):
    fresh = [initiative_in("triaged"), initiative_in("triaged")]
    closed = initiative_in("adopted", title="Đã xong")
    login(cast["officer"])
    _in_english(client)
    page = _text(client.get("/initiatives?state=triaged", headers=EN))
    assert page.count('name="ids"') == 2
    response = client.post(
        "/initiatives/bulk",
        data={
            "action": "assign",
            "assignee_id": cast["colleague"].id,
            "ids": [fresh[0].id, closed.id, fresh[1].id],
        },
        headers=EN,
    )
    assert response.status_code == 200
    page = _text(response)
    assert "2 of 3 initiatives done." in page
    assert re.search(r"Not done.*Đã xong", page, re.S)
    assert {i.assignee_id for i in fresh} == {cast["colleague"].id}
    mine = _text(client.get(f"/initiatives?assignee={cast['colleague'].id}", headers=EN))
    assert mine.count('name="ids"') == 3  # the two just assigned and the adopted one


def test_steps_from_the_page(client, login, cast, initiative_in):
    initiative = initiative_in("under_review")
    login(cast["colleague"])
    _in_english(client)
    empty = client.post(
        f"/initiatives/{initiative.id}/answer", data={"answer-text": " "}, headers=EN
    )
    assert empty.status_code == 422 and "Write the answer." in _text(empty)
    done = client.post(
        f"/initiatives/{initiative.id}/answer", data={"answer-text": "Đồng ý"}, headers=EN
    )
    assert done.status_code == 303
    assert initiative.state == "answered"
    refused = client.post(f"/initiatives/{initiative.id}/adopt", headers=EN)
    assert refused.status_code == 303
    assert "not allowed" in _text(client.get(f"/initiatives/{initiative.id}", headers=EN))
    assert initiative.state == "answered"


def test_the_pages_speak_vietnamese_by_default(client, login, cast, initiative_in):
    initiative_in("received")
    login(cast["officer"])
    page = _text(client.get("/initiatives"))
    assert "Sáng kiến gửi Đà Nẵng" in page and "Đã tiếp nhận" in page
