"""The audit log read by people: labels, names, readable details, filters, the CSV download."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa

from directory import audit
from directory.audit import AuditEvent
from directory.core.models import utcnow
from tests.factories import PersonFactory, UserFactory

VI = {"Accept-Language": "vi"}
EN = {"Accept-Language": "en"}


@pytest.fixture
def admin(app):
    return UserFactory(email="admin@example.org", admin=True)


def _event(action, obj=None, actor=None, days_ago=0, **kwargs):
    event = audit.record(action, obj, actor=actor, **kwargs)
    event.at = utcnow() - timedelta(days=days_ago)
    return event


def _body(client, path="/admin/audit", headers=VI, **params):
    with client.session_transaction() as sess:
        sess["lang"] = headers["Accept-Language"]
    response = client.get(path, query_string=params, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_events_read_as_labels_names_and_details_in_the_pages_language(client, db, login, admin):
    officer = UserFactory(email="tinh@example.org", province_officer=True)
    person = PersonFactory(full_name="Võ Thành Nhân")
    _event(
        "person.update",
        person,
        actor=officer,
        details={"fields": ["title", "organization"], "person_id": person.id},
    )
    _event(
        "nomination.approve",
        actor=officer,
        object_type="nominations",
        object_id="gone-nomination",
        details={"from": "awaiting_approval", "to": "active", "province": "da-nang"},
    )
    db.session.commit()
    login(admin)

    vi = _body(client)
    tbody = vi.split("<tbody>", 1)[1]
    assert "Hồ sơ đã được sửa" in tbody and "<code>person.update</code>" in tbody
    assert f'href="/people/{person.id}">Võ Thành Nhân</a>' in tbody
    assert 'tinh@example.org</a> <span class="muted">(Cán bộ tỉnh)</span>' in tbody
    assert "(province)" not in tbody
    assert "Chức danh hoặc chức vụ, Cơ quan" in tbody  # the changed fields, by their labels
    assert "{&#34;" not in tbody and '{"' not in tbody  # no raw JSON
    assert "Đà Nẵng" in tbody and "gone-nomination" in tbody  # a deleted record keeps its id
    assert "UTC+7" in tbody  # times carry their zone

    en = _body(client, headers=EN).split("<tbody>", 1)[1]
    assert "Profile changed" in en and "Title or position, Organisation" in en
    assert "(Province officer)" in en and "Appointment approved" in en


def test_filters_by_dates_action_and_actor_are_kept_in_the_pager_links(client, db, login, admin):
    officer = UserFactory(email="officer@example.org", embassy=True)
    for i in range(55):
        _event("person.verify", actor=officer, object_type="people", object_id=f"p{i}", days_ago=2)
    _event("person.verify", actor=officer, object_type="people", object_id="old", days_ago=40)
    _event("person.invite", actor=officer, object_type="people", object_id="p1", days_ago=2)
    _event("person.verify", actor=admin, object_type="people", object_id="p1", days_ago=2)
    db.session.commit()
    login(admin)
    # Dates are days in the application's time zone (Vietnam's).
    day = (utcnow() - timedelta(days=2)).astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date()
    day = day.isoformat()
    params = {
        "date_from": day,
        "date_to": day,
        "action": "person.verify",
        "actor": "officer@example.org",
    }
    first = _body(client, **params)
    assert "55 sự kiện" in first or "55 events" in first
    assert first.count("<code>person.verify</code>") == 50
    next_link = re.search(r'<a rel="next" href="([^"]+)"', first).group(1)
    for key, value in params.items():
        assert f"{key}={value}" in next_link.replace("&amp;", "&"), key
    second = _body(client, **params, page=2)
    assert second.count("<code>person.verify</code>") == 5
    # The action filter is a list of labels, the chosen one selected.
    assert '<option selected value="person.verify">Hồ sơ đã được xác minh</option>' in first


def test_an_end_date_before_the_start_date_is_a_clear_422(client, login, admin):
    login(admin)
    response = client.get(
        "/admin/audit", query_string={"date_from": "2026-05-02", "date_to": "2026-05-01"}
    )
    assert response.status_code == 422
    assert '<p class="error" id="date_to-err">' in response.get_data(as_text=True)


def test_the_csv_download_has_the_filtered_events_and_is_audited(client, db, login, admin):
    officer = UserFactory(email="officer@example.org", embassy=True)
    person = PersonFactory(full_name="Trần Thị Mai")
    _event("person.verify", person, actor=officer, days_ago=1)
    _event("person.invite", person, actor=officer, days_ago=1, details={"days": 14})
    _event("mission.create", actor=admin, object_type="missions", object_id="m1", days_ago=1)
    db.session.commit()
    login(admin)

    with client.session_transaction() as sess:
        sess["lang"] = "en"
    response = client.get("/admin/audit.csv", query_string={"actor": "officer@example.org"})
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    header, *events = rows
    assert header[:4] == ["When", "Who", "Role", "Action"]
    assert sorted(r[3] for r in events) == ["Claim invitation sent", "Profile verified"]
    assert {r[6] for r in events} == {"Trần Thị Mai"}
    assert all(r[1] == "officer@example.org" and r[2] == "Embassy officer" for r in events)
    assert any("Days: 14" in r[9] for r in events)
    assert all("UTC+7" in r[0] for r in events)

    exported = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "audit.export"))
    assert exported.actor_id == admin.id
    assert exported.details == {"filters": {"actor": "officer@example.org"}, "count": 2}
    # The export shows in the log under its own label.
    assert "Nhật ký kiểm tra đã được xuất" in _body(client) or "audit.export" in _body(client)


def test_the_csv_download_is_for_admins_only_and_checks_its_filters(client, login, admin):
    login(UserFactory(embassy=True))
    assert client.get("/admin/audit.csv").status_code == 403
    login(admin)
    assert client.get("/admin/audit.csv?date_from=2026-13-45").status_code == 422


def test_the_trail_of_one_record_is_headed_with_its_name(client, db, login, admin):
    person = PersonFactory(full_name="Hoàng Đức Minh")
    _event("person.verify", person, actor=admin)
    db.session.commit()
    login(admin)
    body = _body(client, f"/admin/audit/people/{person.id}")
    assert "Hoàng Đức Minh" in body.split("</h1>", 1)[0]
