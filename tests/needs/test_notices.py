"""Interest in a need leaves an inbox notice for each officer of the need's province."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale

from directory.needs import services
from directory.notices import services as notices
from directory.notices.models import Notice


def _notices(db) -> list[Notice]:
    db.session.expire_all()
    return list(db.session.scalars(sa.select(Notice).order_by(Notice.user_id)))


def test_interest_tells_each_officer_of_the_province_in_the_inbox(team, make_need, db, app):
    need = make_need()
    services.express_interest(need, team.member, "Tôi có thể giúp đào tạo.")
    found = _notices(db)
    assert sorted(n.user_id for n in found) == sorted([team.officer.id, team.approver.id])
    assert {n.kind for n in found} == {"need.interest"}
    notice = found[0]
    assert notice.params == {"need_id": need.id, "person_id": team.member_person.id}
    with app.test_request_context():
        assert notices.url_of(notice) == f"/needs/{need.id}"
        with force_locale("en"):
            assert notices.text_of(notice) == (
                f"Lê Thị Thu Hà expressed interest in the need “{need.title}”."
            )
        with force_locale("vi"):
            assert notices.text_of(notice) == (
                f"Lê Thị Thu Hà đã bày tỏ quan tâm đến nhu cầu “{need.title}”."
            )
        # An anonymised member is not named.
        team.member_person.anonymised_at = need.created_at
        with force_locale("en"):
            assert "Lê Thị Thu Hà" not in notices.text_of(notice)


def test_a_refused_interest_tells_nobody(team, make_need, db):
    need = make_need(status="closed")
    with pytest.raises(services.NeedError):
        services.express_interest(need, team.member, "Tôi có thể giúp.")
    db.session.rollback()
    assert _notices(db) == []
    open_need = make_need()
    services.express_interest(open_need, team.member, "")
    with pytest.raises(services.NeedError):
        services.express_interest(open_need, team.member, "again")
    db.session.rollback()
    assert len(_notices(db)) == 2  # the first interest's two notices only


def test_the_officer_reads_it_in_the_inbox(team, make_need, client, login):
    need = make_need()
    services.express_interest(need, team.member, "")
    login(team.officer)
    page = client.get("/inbox").get_data(as_text=True)
    assert "Lê Thị Thu Hà đã bày tỏ quan tâm" in page and f'href="/needs/{need.id}"' in page
