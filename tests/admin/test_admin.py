"""Administration pages: users, missions and the audit log, for admins only."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from directory import audit
from directory.accounts.models import User
from directory.audit import AuditEvent
from directory.core.models import utcnow
from directory.missions.models import Mission
from tests.factories import MissionFactory, UserFactory

ADMIN_PAGES = [
    "/admin/",
    "/admin/users",
    "/admin/users/new",
    "/admin/missions",
    "/admin/missions/new",
    "/admin/audit",
    "/admin/audit/users/abc",
]


@pytest.fixture
def admin(app):
    return UserFactory(email="admin@example.org", admin=True)


@pytest.mark.parametrize("trait", ["member", "embassy", "province_officer", "approver"])
def test_admin_pages_are_forbidden_to_non_admins(client, login, trait):
    user = UserFactory() if trait == "member" else UserFactory(**{trait: True})
    login(user)
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 403, path
    assert client.post("/admin/missions/new", data={"code": "X1"}).status_code == 403


def test_admin_pages_send_anonymous_visitors_to_sign_in(client):
    response = client.get("/admin/audit")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_pages_work_for_an_admin(client, login, admin):
    login(admin)
    MissionFactory(code="FR-PAR")
    for path in ADMIN_PAGES:
        assert client.get(path).status_code == 200, path
    assert 'href="/admin/"' in client.get("/").get_data(as_text=True)


def test_admin_creates_an_embassy_officer_and_the_event_is_audited(client, db, login, admin):
    mission = MissionFactory(code="DE-BER", countries=["DE"])
    login(admin)
    response = client.post(
        "/admin/users/new",
        data={
            "email": "officer@example.de",
            "role": "embassy",
            "mission": "DE-BER",
            "province": "",
            "locale": "en",
            "password": "long enough pw",
        },
    )
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == "officer@example.de"))
    assert user.role == "embassy" and user.mission_id == mission.id
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "user.create"))
    assert event.actor_id == admin.id and event.object_id == user.id


def test_admin_user_without_password_gets_a_setup_link(client, db, login, admin, mail_outbox):
    login(admin)
    response = client.post(
        "/admin/users/new",
        data={
            "email": "p@example.vn",
            "role": "province",
            "province": "da-nang",
            "mission": "",
            "locale": "vi",
            "password": "",
        },
    )
    assert response.status_code == 302
    (msg,) = mail_outbox()
    assert msg["To"] == "p@example.vn"
    assert "/reset/" in msg.get_body(preferencelist=("plain",)).get_content()


def test_admin_user_form_rejects_an_embassy_officer_without_mission(client, db, login, admin):
    login(admin)
    response = client.post(
        "/admin/users/new",
        data={
            "email": "x@example.org",
            "role": "embassy",
            "mission": "",
            "province": "",
            "locale": "vi",
            "password": "long enough pw",
        },
    )
    assert response.status_code == 422
    # The admin's account language (Vietnamese) is used for the message.
    assert "phải thuộc một cơ quan đại diện" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "x@example.org")) is None


def test_admin_changes_role_and_scope_and_deactivates(client, db, login, admin):
    user = UserFactory(email="p@example.org", province_officer=True)
    login(admin)
    response = client.post(
        f"/admin/users/{user.id}",
        data={
            "role": "province",
            "province": "ha-noi",
            "mission": "",
            "approver": "y",
            "display_name": "Chị Hà",
        },
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.province_slug == "ha-noi" and user.is_approver and not user.is_active
    actions = list(db.session.scalars(sa.select(AuditEvent.action)))
    assert "user.deactivate" in actions


def test_admin_cannot_lock_themselves_out(client, db, login, admin):
    login(admin)
    response = client.post(
        f"/admin/users/{admin.id}", data={"role": "member", "mission": "", "province": ""}
    )
    assert response.status_code == 422
    db.session.refresh(admin)
    assert admin.role == "admin" and admin.is_active


def test_admin_creates_and_edits_a_mission(client, db, login, admin):
    login(admin)
    response = client.post(
        "/admin/missions/new",
        data={
            "code": "KR-SEL",
            "name": "Đại sứ quán tại Hàn Quốc",
            "kind": "embassy",
            "countries": "Hàn Quốc",
            "city": "Seoul",
            "email": "",
        },
    )
    assert response.status_code == 302
    mission = db.session.scalar(sa.select(Mission).where(Mission.code == "KR-SEL"))
    assert mission.countries == ["KR"]
    response = client.post(
        f"/admin/missions/{mission.id}",
        data={
            "code": "KR-SEL",
            "name": mission.name,
            "kind": "embassy",
            "countries": "KR, Mông Cổ",
            "city": "Seoul",
            "email": "",
        },
    )
    assert response.status_code == 302
    db.session.refresh(mission)
    assert mission.countries == ["KR", "MN"]
    bad = client.post(
        f"/admin/missions/{mission.id}",
        data={
            "code": "KR-SEL",
            "name": mission.name,
            "kind": "embassy",
            "countries": "Wakanda",
            "city": "",
            "email": "",
        },
    )
    assert bad.status_code == 422
    db.session.refresh(mission)
    assert mission.countries == ["KR", "MN"]


def test_unknown_user_or_mission_is_a_404(client, login, admin):
    login(admin)
    assert client.get("/admin/users/0000000000000000").status_code == 404
    assert client.get("/admin/missions/0000000000000000").status_code == 404


def _event(action, actor=None, object_type="people", object_id="p1", days_ago=0):
    event = audit.record(action, actor=actor, object_type=object_type, object_id=object_id)
    event.at = utcnow() - timedelta(days=days_ago)
    return event


def test_audit_log_filters_by_actor_action_object_and_dates(client, db, login, admin):
    officer = UserFactory(email="officer@example.org", embassy=True)
    _event("person.invite", officer, object_id="p1", days_ago=10)
    _event("person.edit", officer, object_id="p2", days_ago=1)
    _event("mission.create", admin, object_type="missions", object_id="m1")
    db.session.commit()
    login(admin)

    def rows(**params):
        response = client.get("/admin/audit", query_string=params)
        assert response.status_code == 200
        body = response.get_data(as_text=True)
        return {
            a
            for a in ("person.invite", "person.edit", "mission.create")
            if f"<code>{a}</code>" in body
        }

    assert rows() == {"person.invite", "person.edit", "mission.create"}
    assert rows(actor="officer@example.org") == {"person.invite", "person.edit"}
    assert rows(actor=admin.id) == {"mission.create"}
    assert rows(action="person.") == {"person.invite", "person.edit"}
    assert rows(action="person.invite") == {"person.invite"}
    assert rows(object_type="people", object_id="p2") == {"person.edit"}
    since = (utcnow() - timedelta(days=3)).date().isoformat()
    assert rows(date_from=since) == {"person.edit", "mission.create"}
    until = (utcnow() - timedelta(days=5)).date().isoformat()
    assert rows(date_to=until) == {"person.invite"}
    assert rows(actor="nobody@example.org") == set()


def test_audit_log_bad_date_is_a_clear_422(client, login, admin):
    login(admin)
    response = client.get("/admin/audit", query_string={"date_from": "31/12/2024"})
    assert response.status_code == 422
    assert "NNNN-TT-NN" in response.get_data(as_text=True)


def test_audit_log_is_paginated(client, db, login, admin):
    for i in range(55):
        _event("person.view_contact", admin, object_id=f"p{i}")
    db.session.commit()
    login(admin)
    first = client.get("/admin/audit").get_data(as_text=True)
    assert first.count("<code>person.view_contact</code>") == 50
    assert 'rel="next"' in first
    second = client.get("/admin/audit?page=2").get_data(as_text=True)
    assert second.count("<code>person.view_contact</code>") == 5
    assert client.get("/admin/audit?page=abc").status_code == 200
    assert client.get("/admin/audit?page=-4").status_code == 200


def test_audit_trail_of_one_record(client, db, login, admin):
    _event("person.edit", admin, object_id="p1")
    _event("person.verify", admin, object_id="p1")
    _event("person.edit", admin, object_id="p2")
    db.session.commit()
    login(admin)
    body = client.get("/admin/audit/people/p1").get_data(as_text=True)
    assert body.count("<code>person.") == 2
    assert "p2" not in body.split("<tbody>", 1)[1]
