"""Notices: written with the step they report, read in the reader's language, in the inbox."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from flask_babel import force_locale
from flask_babel import gettext as _

from directory.notices import services
from directory.notices.models import Notice
from directory.representatives.models import Nomination
from tests.factories import PersonFactory, UserFactory

EN = {"Accept-Language": "en"}

# A kind for these tests, written with messages the catalogs translate.
if "test.greeting" not in services.kinds():

    @services.notice_kind(
        "test.greeting", link=lambda params: ("people.detail", {"person_id": params["person_id"]})
    )
    def _greeting(params: dict) -> str:
        return _("Hello %(name)s,", name=params["name"])


def _all(db) -> list[Notice]:
    return list(db.session.scalars(sa.select(Notice)))


def test_a_notice_belongs_to_the_callers_transaction(db):
    user = UserFactory()
    services.notify(user, "test.greeting", name="Hà", person_id="p1")
    db.session.rollback()
    assert _all(db) == []
    notice = services.notify(user, "test.greeting", name="Hà", person_id="p1")
    db.session.commit()
    assert _all(db) == [notice]
    assert notice.endpoint == "people.detail" and notice.endpoint_args == {"person_id": "p1"}
    assert notice.read_at is None


def test_its_text_is_written_in_the_language_current_when_it_is_shown(db, app):
    notice = services.notify(UserFactory(), "test.greeting", name="Hà", person_id="p1")
    db.session.commit()
    with force_locale("en"):
        assert services.text_of(notice) == "Hello Hà,"
    with force_locale("vi"):
        assert services.text_of(notice) == "Kính gửi Hà,"


def test_an_unknown_kind_is_a_programming_error_and_nobody_means_no_notice(db):
    with pytest.raises(RuntimeError):
        services.notify(UserFactory(), "no.such.kind")
    assert services.notify(None, "test.greeting", name="x", person_id="p") is None
    assert _all(db) == []


def test_a_kind_cannot_be_declared_twice():
    with pytest.raises(RuntimeError):
        services.notice_kind("test.greeting")(lambda params: "")


def test_a_stored_kind_no_longer_declared_still_reads(db, app):
    notice = Notice(user_id=UserFactory().id, kind="gone.kind", params={}, endpoint="gone.page")
    db.session.add(notice)
    db.session.commit()
    with force_locale("en"):
        assert services.text_of(notice) == "Something changed that concerns you."
        with app.test_request_context():
            assert services.url_of(notice) is None


def test_the_inbox_lists_notices_unread_first_and_marks_them_read(db, client, login):
    member = UserFactory(role="member", locale="en")  # no profile: still has an inbox
    person = PersonFactory()
    first = services.notify(member, "test.greeting", name="Một", person_id=person.id)
    second = services.notify(member, "test.greeting", name="Hai", person_id=person.id)
    db.session.commit()
    login(member)

    page = client.get("/inbox", headers=EN).get_data(as_text=True)
    assert "Hello Một," in page and "Hello Hai," in page
    assert f'href="/people/{person.id}"' in page
    assert '<span class="badge" aria-label="2 waiting">2</span>' in page

    assert client.post(f"/inbox/notices/{first.id}/read").status_code == 303
    db.session.refresh(first)
    assert first.read_at is not None
    page = client.get("/inbox", headers=EN).get_data(as_text=True)
    assert page.index("Hello Hai,") < page.index("Hello Một,")  # unread first
    assert '<span class="badge" aria-label="1 waiting">1</span>' in page

    assert client.post("/inbox/notices/read").status_code == 303
    db.session.refresh(second)
    assert second.read_at is not None
    page = client.get("/inbox", headers=EN).get_data(as_text=True)
    assert 'class="badge"' not in page and "Mark all as read" not in page


def test_nobody_reads_or_marks_anothers_notices(db, client, login):
    owner, other = UserFactory(), UserFactory()
    notice = services.notify(owner, "test.greeting", name="Ba", person_id="p1")
    db.session.commit()
    login(other)
    assert client.post(f"/inbox/notices/{notice.id}/read").status_code == 404
    assert client.post(f"/inbox/notices/{'x' * 40}/read").status_code == 404
    assert "Hello Ba," not in client.get("/inbox", headers=EN).get_data(as_text=True)
    client.post("/inbox/notices/read")
    db.session.refresh(notice)
    assert notice.read_at is None
    assert client.get("/inbox", headers=EN).status_code == 200


def test_the_inbox_needs_an_account(client):
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_the_badge_adds_the_nominations_waiting_to_the_unread_notices(db, client, login):
    officer = UserFactory(province_officer=True, locale="en")
    person = PersonFactory()
    db.session.add(
        Nomination(
            province_slug="da-nang",
            person_id=person.id,
            country="FR",
            region="",
            rationale="Ứng viên",
            state="draft",
        )
    )
    services.notify(officer, "test.greeting", name="Bốn", person_id=person.id)
    db.session.commit()
    login(officer)
    page = client.get("/inbox", headers=EN).get_data(as_text=True)
    assert '<span class="badge" aria-label="2 waiting">2</span>' in page
    assert "Waiting for you" in page and "Hello Bốn," in page


DOMAIN_KINDS = {
    "contact_request.received": {"request_id": "gone"},
    "contact_request.accepted": {"request_id": "gone"},
    "contact_request.declined": {"request_id": "gone"},
    "contact_request.withdrawn": {"request_id": "gone"},
    "contact_request.expired": {"request_id": "gone", "to": "member"},
    "need.interest": {"need_id": "gone", "person_id": "gone"},
    "initiative.answered": {"initiative_id": "gone"},
    "initiative.adopted": {"initiative_id": "gone"},
    "initiative.declined": {"initiative_id": "gone"},
}


@pytest.mark.parametrize("kind", sorted(DOMAIN_KINDS))
def test_every_domain_kind_reads_in_both_languages_when_its_records_are_gone(db, app, kind):
    """The domains declare their kinds; a notice outlives its records and still reads."""
    assert kind in services.kinds()
    notice = services.notify(UserFactory(), kind, **DOMAIN_KINDS[kind])
    db.session.commit()
    texts = {}
    for locale in ("en", "vi"):
        with app.test_request_context(), force_locale(locale):
            texts[locale] = services.text_of(notice)
            assert services.url_of(notice)
    assert texts["en"] and texts["vi"] and texts["en"] != texts["vi"]
