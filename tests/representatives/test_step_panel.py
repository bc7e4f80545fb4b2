"""The nomination page's steps: one panel, one comment box, buttons by weight, a confirmation
for the steps that refuse or end, the rationale once for the nominee, a term before approval."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from directory.representatives import workflow

EN = {"Accept-Language": "en"}


@pytest.fixture
def login(login, client):
    def sign_in(user):
        login(user)
        with client.session_transaction() as session:
            session["lang"] = "en"
        return client

    return sign_in


def panel(html: str) -> str:
    return html.split('class="card step-panel"')[1].split("</section>")[0]


def test_the_approver_sees_one_panel_with_buttons_by_weight(cast, nomination_in, client, login):
    nomination = nomination_in("awaiting_approval")
    login(cast["approver"])
    html = client.get(f"/nominations/{nomination.id}", headers=EN).get_data(as_text=True)
    assert html.count('class="card step-panel"') == 1
    steps = panel(html)
    assert steps.count("<form") == 1 and steps.count("<textarea") == 1
    buttons = dict(
        (action, css)
        for action, css in re.findall(
            r'formaction="/nominations/[0-9a-f]+/(\w+)" class="([^"]+)"', steps
        )
    )
    assert buttons == {
        "approve": "primary",
        "reject": "secondary danger",
        "withdraw": "secondary danger",
    }


def test_the_nominee_reads_the_rationale_once_and_has_one_notes_box(
    cast, nomination_in, client, login
):
    nomination = nomination_in("awaiting_consent")
    login(cast["nominee"])
    html = client.get(f"/nominations/{nomination.id}", headers=EN).get_data(as_text=True)
    assert html.count(nomination.rationale) == 1
    assert html.count("<textarea") == 1
    assert set(re.findall(r'formaction="/nominations/[0-9a-f]+/(\w+)"', html)) == {
        "accept",
        "decline",
    }


def test_rejecting_asks_for_a_confirmation_first(cast, nomination_in, client, login, trail):
    nomination = nomination_in("awaiting_approval")
    before = trail(nomination)
    login(cast["approver"])
    url = f"/nominations/{nomination.id}/reject"
    response = client.post(url, data={"step-comment": "Chưa đủ điều kiện."}, headers=EN)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "confirm-step" in html
    assert 'name="confirmed" value="1"' in html and "Chưa đủ điều kiện." in html
    assert trail(nomination) == before and nomination.state == "awaiting_approval"
    response = client.post(
        url, data={"step-comment": "Chưa đủ điều kiện.", "confirmed": "1"}, headers=EN
    )
    assert response.status_code == 303
    assert nomination.state == "rejected"


def test_approving_needs_no_confirmation(cast, nomination_in, client, login):
    nomination = nomination_in("awaiting_approval")
    login(cast["approver"])
    response = client.post(f"/nominations/{nomination.id}/approve", data={"step-comment": ""})
    assert response.status_code == 303 and nomination.state == "active"


def test_a_proposed_start_before_the_approval_is_explained(cast, nomination_in, client, login):
    start = workflow.today() - timedelta(days=20)
    nomination = nomination_in("awaiting_approval", term_start=start, term_end=None)
    login(cast["approver"])
    html = client.get(f"/nominations/{nomination.id}", headers=EN).get_data(as_text=True)
    assert "term-before-approval" in panel(html)
    workflow.approve(nomination, cast["approver"])
    assert nomination.term_start == start
    html = client.get(f"/nominations/{nomination.id}", headers=EN).get_data(as_text=True)
    assert "the start agreed before the approval" in html
    assert "Vietnam time (UTC+7)" in html
