"""The needs pages: list and filters, forms, the detail for each viewer, interest, shortlist."""

from __future__ import annotations

from datetime import date, timedelta

import sqlalchemy as sa

from directory.audit import AuditEvent
from directory.extensions import db
from directory.needs.models import Need, NeedInterest, ShortlistEntry
from tests.factories import PersonFactory

FORM = {
    "title": "Chip design training partnership, 2027 roadmap",
    "type": "training",
    "description": "Đào tạo kỹ sư thiết kế vi mạch.",
    "fields": ["semiconductors", "education-training"],
    "countries": ["FR", "US"],
    "milestones": "2027-01-15 Khóa đầu tiên\n2026-12-01 Chọn đối tác",
    "deadline": (date.today() + timedelta(days=45)).isoformat(),
    "audience": "public",
    "status": "open",
}


def _count(model) -> int:
    db.session.expire_all()
    return db.session.scalar(sa.select(sa.func.count()).select_from(model))


def test_the_navigation_links_the_needs(client):
    page = client.get("/").get_data(as_text=True)
    assert "Nhu cầu hợp tác" in page and "/needs" in page


def test_the_list_shows_what_the_visitor_may_read_and_filters_it(client, make_need, login, team):
    make_need(title="Đào tạo vi mạch")
    make_need(title="Kho vận nội bộ", audience="officials", fields=["logistics"])
    make_need(title="Đầu tư du lịch Huế", province_slug="hue", type="investment")
    page = client.get("/needs").get_data(as_text=True)
    assert "Đào tạo vi mạch" in page and "Đầu tư du lịch Huế" in page
    assert "Kho vận nội bộ" not in page
    page = client.get("/needs?type=investment").get_data(as_text=True)
    assert "Đầu tư du lịch Huế" in page and "Đào tạo vi mạch" not in page
    page = client.get("/needs?province=da-nang&field=semiconductors").get_data(as_text=True)
    assert "Đào tạo vi mạch" in page and "Đầu tư du lịch Huế" not in page
    response = client.get("/needs?country=Atlantis")
    assert response.status_code == 400
    assert "Giá trị không hợp lệ: Atlantis" in response.get_data(as_text=True)
    login(team.officer)
    assert "Kho vận nội bộ" in client.get("/needs").get_data(as_text=True)


def test_an_officer_publishes_a_need_from_the_form(client, login, team):
    login(team.officer)
    form = client.get("/needs/new").get_data(as_text=True)
    assert 'type="date"' in form and "Tiêu đề nhu cầu" in form
    response = client.post("/needs/new", data=FORM)
    assert response.status_code == 302
    need = db.session.scalars(sa.select(Need)).one()
    assert need.province_slug == "da-nang"
    assert [m["title"] for m in need.milestones] == ["Chọn đối tác", "Khóa đầu tiên"]
    assert response.headers["Location"].endswith(f"/needs/{need.id}")


def test_a_bad_form_shows_translated_errors_and_writes_nothing(client, login, team):
    login(team.officer)
    past = (date.today() - timedelta(days=2)).isoformat()
    response = client.post("/needs/new", data={**FORM, "deadline": past, "countries": []})
    assert response.status_code == 422
    assert "Hạn chót không được ở trong quá khứ." in response.get_data(as_text=True)
    response = client.post("/needs/new", data={**FORM, "milestones": "2027-01-15"})
    assert response.status_code == 422
    assert "Mỗi dòng một mốc" in response.get_data(as_text=True)
    response = client.post("/needs/new", data={**FORM, "fields": []})
    assert "Hãy chọn ít nhất một lĩnh vực." in response.get_data(as_text=True)
    assert _count(Need) == 0


def test_members_may_not_publish(client, login, team):
    login(team.member)
    assert client.get("/needs/new").status_code == 403
    assert client.post("/needs/new", data=FORM).status_code == 403


def test_the_detail_shows_the_working_material_to_the_province_only(client, login, team, make_need):
    need = make_need()
    PersonFactory(full_name="Võ Thành Nhân", hometown_as_given="Quảng Nam")
    anonymous = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert need.title in anonymous and "Khóa đầu tiên" in anonymous
    assert "Ứng viên phù hợp" not in anonymous and "Võ Thành Nhân" not in anonymous
    for user in (team.hue, team.embassy, team.member):
        login(user)
        page = client.get(f"/needs/{need.id}").get_data(as_text=True)
        assert "Ứng viên phù hợp" not in page, user
        assert client.get(f"/needs/{need.id}/shortlist.csv").status_code == 403
    login(team.officer)
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Ứng viên phù hợp" in page and "Võ Thành Nhân" in page
    assert "Quê Đà Nẵng (ghi là Quảng Nam)" in page


def test_an_officials_need_is_a_404_for_other_provinces_and_visitors(
    client, login, team, make_need
):
    need = make_need(audience="officials")
    assert client.get(f"/needs/{need.id}").status_code == 404
    login(team.hue)
    for path in ("", "/edit", "/shortlist.csv"):
        assert client.get(f"/needs/{need.id}{path}").status_code == 404
    assert client.post(f"/needs/{need.id}/shortlist", data={"person_id": "x"}).status_code == 404
    assert client.get("/needs/" + "f" * 16).status_code == 404
    login(team.embassy)
    assert client.get(f"/needs/{need.id}").status_code == 200


def test_a_member_expresses_and_withdraws_interest_on_the_page(
    client, login, team, make_need, mail_outbox
):
    need = make_need()
    login(team.member)
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Bày tỏ quan tâm" in page
    response = client.post(f"/needs/{need.id}/interest", data={"message": "Tôi muốn giúp"})
    assert response.status_code == 302
    assert _count(NeedInterest) == 1 and len(mail_outbox()) == 2
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Rút lại sự quan tâm" in page
    client.post(f"/needs/{need.id}/interest", data={"message": "again"})
    assert _count(NeedInterest) == 1
    client.post(f"/needs/{need.id}/interest/withdraw")
    assert _count(NeedInterest) == 0
    login(team.officer)
    assert client.post(f"/needs/{need.id}/interest", data={"message": "x"}).status_code == 403


def test_officers_shortlist_from_the_page_and_export_it(client, login, team, make_need):
    need = make_need()
    person = PersonFactory(full_name="Võ Thành Nhân")
    login(team.officer)
    response = client.post(
        f"/needs/{need.id}/shortlist", data={"person_id": person.id, "note": "Gọi tuần sau"}
    )
    assert response.status_code == 302
    assert _count(ShortlistEntry) == 1
    login(team.approver)
    page = client.get(f"/needs/{need.id}").get_data(as_text=True)
    assert "Gọi tuần sau" in page and "On the shortlist" in page  # the approver reads English
    response = client.get(f"/needs/{need.id}/shortlist.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "Võ Thành Nhân" in response.get_data().decode("utf-8-sig")
    assert db.session.scalar(
        sa.select(sa.func.count()).where(AuditEvent.action == "need.shortlist_export")
    )
    client.post(f"/needs/{need.id}/shortlist/{person.id}/remove")
    assert _count(ShortlistEntry) == 0


def test_officers_edit_and_the_approver_closes_and_reopens(client, login, team, make_need):
    need = make_need()
    login(team.officer)
    form = client.get(f"/needs/{need.id}/edit").get_data(as_text=True)
    assert "2027-01-15 Khóa đầu tiên" in form
    assert 'value="closed"' not in form  # only the approver closes
    response = client.post(f"/needs/{need.id}/edit", data={**FORM, "title": "Đổi tên"})
    assert response.status_code == 302 and db.session.get(Need, need.id).title == "Đổi tên"
    assert client.post(f"/needs/{need.id}/close").status_code == 403
    login(team.approver)
    client.post(f"/needs/{need.id}/close")
    assert db.session.get(Need, need.id).status == "closed"
    login(team.officer)
    assert client.get(f"/needs/{need.id}/edit").status_code == 403
    login(team.approver)
    client.post(f"/needs/{need.id}/reopen")
    db.session.expire_all()
    assert db.session.get(Need, need.id).status == "open"
