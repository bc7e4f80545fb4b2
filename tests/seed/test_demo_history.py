"""The demo's history (``seed/history.py``): on a fresh ``seed-demo``, every dashboard shows
something real, and needs, interest, shortlists, contact requests, initiatives and nominations
exist in every state the product knows, dated in the past, with nobody emailed.

The 300-person seed runs once for this module (read-only checks).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import sqlalchemy as sa

from directory import create_app
from directory.accounts.models import User
from directory.contacts.models import STATES as CONTACT_STATES
from directory.contacts.models import ContactRequest
from directory.core.mail import outbox_messages
from directory.core.models import utcnow
from directory.dashboards import services
from directory.extensions import db
from directory.imports.models import ImportBatch
from directory.initiatives.models import STATES as INITIATIVE_STATES
from directory.initiatives.models import Initiative
from directory.initiatives.services import is_overdue
from directory.needs.models import AUDIENCES, NEED_TYPES, STATUSES, Need, NeedInterest
from directory.reference.provinces import vietnam_today
from directory.representatives.models import Nomination
from tests.conftest import IsolatedClient, _reset_database, sign_in_client
from tests.conftest import test_config as base_config

SECTION = re.compile(
    r'<section class="dashboard-section" aria-labelledby="(?P<id>[^"]+)">(?P<body>.*?)</section>',
    re.S,
)
FIGURE_VALUE = re.compile(r'<span class="figure-value">(\d+)</span>')


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    """One default ``seed-demo`` run; the app context stays pushed."""
    app = create_app(base_config(str(tmp_path_factory.mktemp("history-instance"))))
    app.test_client_class = IsolatedClient  # a fresh ``g`` per request: one user per page
    with app.app_context():
        _reset_database(app)
        result = app.test_cli_runner().invoke(args=["seed-demo"])
        assert result.exit_code == 0, result.output
        assert "Their history: 10 cooperation needs" in result.output
        yield app
        db.session.remove()
    with app.app_context():
        db.engine.dispose()


def _user(email: str) -> User:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _page(app, user: User, path: str) -> str:
    client = sign_in_client(app.test_client(), user)  # officials: with their second factor
    response = client.get(path)
    assert response.status_code == 200, path
    return response.get_data(as_text=True)


def _sections(html: str) -> dict[str, list[int]]:
    return {
        m["id"]: [int(v) for v in FIGURE_VALUE.findall(m["body"])] for m in SECTION.finditer(html)
    }


# --- the dashboards --------------------------------------------------------------------------


def test_every_figure_of_the_province_dashboard_is_real(app):
    officer = _user("danang@demo.kieubao.vn")
    waiting = services.waiting(officer, "da-nang")
    assert waiting.initiatives_overdue >= 2
    assert waiting.assigned >= 1 and waiting.under_review >= 1
    assert waiting.contact_requests_sent >= 1
    assert waiting.nominations["draft"] >= 1 and waiting.nominations["awaiting_approval"] >= 1
    needs_open, needs = services.open_needs(officer, "da-nang")
    assert needs_open >= 3 and any(item.interested for item in needs)
    assert any(item.matches for item in needs)
    reps = services.representatives(officer, "da-nang")
    assert reps.active >= 2 and len(reps.ending) >= 1
    people = services.diaspora(officer, "da-nang")
    assert people.total and people.verified and people.new_recent
    assert people.by_country and people.by_field
    stats = services.province_stats(officer, "da-nang")
    assert all(stats["initiatives_by_state"].values()), stats["initiatives_by_state"]
    assert stats["contact_requests_pending"] >= 2 and stats["nominations_pending"] >= 2
    # The page: every section shows its figures, none of them zero.
    sections = _sections(_page(app, officer, "/dashboard/province/da-nang"))
    assert set(sections) == {
        "waiting-heading",
        "needs-heading",
        "reps-heading",
        "diaspora-heading",
        "businesses-heading",
    }
    for name, values in sections.items():
        assert values and all(values), (name, values)


def test_every_figure_of_the_mission_dashboard_is_real(app):
    paris = _user("paris@demo.kieubao.vn")
    figures = services.mission_figures(paris)
    assert figures.nominations_waiting >= 1
    assert figures.imports_in_progress == 1
    assert figures.invitations_pending >= 2
    assert figures.total and all(figures.states.values()), figures.states
    sections = _sections(_page(app, paris, "/dashboard/mission"))
    assert set(sections) == {"waiting-heading", "people-heading"}
    for name, values in sections.items():
        assert values and all(values), (name, values)


# --- the records behind them -----------------------------------------------------------------


def test_contact_requests_exist_in_every_state(app):
    rows = db.session.scalars(sa.select(ContactRequest)).all()
    assert {r.state for r in rows} == set(CONTACT_STATES)
    accepted = [r for r in rows if r.state == "accepted"]
    assert all(r.shared for r in accepted)
    expert = _user("expert@demo.kieubao.vn")
    assert any(r.person_id == expert.person_id and r.shared == ["email", "phone"] for r in accepted)
    declined = next(r for r in rows if r.state == "declined")
    assert declined.reason and declined.answered_at
    for request in rows:
        assert request.created_at < utcnow() - timedelta(days=1)
        if request.state == "pending":
            assert request.expires_at > utcnow()
    # The Đà Nẵng officer has asked the expert nothing: the browser journey asks him.
    officer = _user("danang@demo.kieubao.vn")
    assert not [r for r in rows if r.requester_id == officer.id and r.person_id == expert.person_id]


def test_initiatives_exist_in_every_state(app):
    rows = db.session.scalars(sa.select(Initiative)).all()
    da_nang = [i for i in rows if i.province_slug == "da-nang"]
    assert {i.state for i in da_nang} == set(INITIATIVE_STATES)
    assert sum(is_overdue(i) for i in da_nang) >= 2
    officer = _user("danang@demo.kieubao.vn")
    assert any(i.assignee_id == officer.id for i in da_nang)
    answering = [i for i in da_nang if i.need_id]
    assert len(answering) >= 3
    assert all(db.session.get(Need, i.need_id).province_slug == "da-nang" for i in answering)
    assert {i.province_slug for i in rows} >= {"da-nang", "hue", None}


def test_needs_of_several_provinces_types_audiences_and_statuses(app):
    needs = db.session.scalars(sa.select(Need)).all()
    assert {n.province_slug for n in needs} >= {"da-nang", "hue", "ha-noi"}
    assert {n.type for n in needs} == set(NEED_TYPES)
    assert {n.audience for n in needs} == set(AUDIENCES)
    assert {n.status for n in needs} == set(STATUSES)
    assert {n.status for n in needs if n.province_slug == "da-nang"} == set(STATUSES)
    today = vietnam_today()
    for need in needs:
        assert need.deadline is not None and need.deadline > today
        assert need.milestones and all(m["due"] > today.isoformat() for m in need.milestones)
        assert need.created_at < utcnow() - timedelta(days=1)
    # The browser journey of issue 12 publishes this one itself.
    assert "Chip design training partnership, 2027 roadmap" not in {n.title for n in needs}


def test_members_are_interested_and_the_province_shortlists(app):
    expert = _user("expert@demo.kieubao.vn")
    member = _user("member@demo.kieubao.vn")
    interested = set(db.session.scalars(sa.select(NeedInterest.person_id)))
    assert {expert.person_id, member.person_id} <= interested
    assert len(interested) >= 6
    shortlisted = [e for n in db.session.scalars(sa.select(Need)) for e in n.shortlist]
    assert len(shortlisted) >= 3
    assert expert.person_id in {e.person_id for e in shortlisted}


def test_representatives_and_the_missions_work(app):
    nominations = db.session.scalars(sa.select(Nomination)).all()
    states = {n.state for n in nominations}
    assert {"active", "awaiting_approval", "embassy_review", "draft"} <= states
    # The seat "Đà Nẵng in France" (the whole country) stays free for the browser journey.
    assert not [n for n in nominations if n.country == "FR" and not n.region]
    assert not [n for n in nominations if n.country == "FR" and n.state == "active"]
    batch = db.session.scalar(sa.select(ImportBatch))
    assert batch.status == "ready" and batch.total_rows == 6


def test_nobody_was_emailed(app):
    assert outbox_messages() == []
