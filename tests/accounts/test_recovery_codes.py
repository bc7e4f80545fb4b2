"""Recovery codes: each signs in once instead of an authenticator code; new ones replace the old."""

from __future__ import annotations

import pyotp
import pytest
import sqlalchemy as sa

from directory.accounts import two_factor
from directory.accounts.models import RecoveryCode
from directory.audit import AuditEvent
from directory.core.errors import ValidationError
from directory.extensions import db as _db
from tests.accounts.conftest import PASSWORD, make_user, sign_in
from tests.conftest import sign_in_client

SECRET = pyotp.random_base32()


@pytest.fixture
def officer(app):
    return make_user(email="rc@example.org", embassy=True, totp_secret=SECRET)


@pytest.fixture
def codes(db, officer):
    codes = two_factor._replace_recovery_codes(officer)
    db.session.commit()
    return codes


def with_recovery_code(client, code: str):
    return client.post("/login/code", data={"recovery-recovery_code": code})


def signed_in(client) -> bool:
    return client.get("/settings").status_code == 200


def test_a_recovery_code_signs_in_once(app, db, officer, codes):
    client = app.test_client()
    sign_in(client, officer.email, next="/tokens")
    response = with_recovery_code(client, codes[3])
    assert response.status_code == 302 and response.headers["Location"] == "/tokens"
    assert signed_in(client)
    assert two_factor.recovery_codes_left(officer) == 9
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "user.recovery_code_use")
    )
    assert event.object_id == officer.id and event.details == {"recovery_codes_left": 9}

    other = app.test_client()
    sign_in(other, officer.email)
    other.post("/lang/en")
    again = with_recovery_code(other, codes[3])
    assert again.status_code == 422
    assert "not valid or has already been used" in again.get_data(as_text=True)
    assert not signed_in(other)


def test_a_recovery_code_may_be_typed_in_capitals_and_spaces(app, officer, codes):
    client = app.test_client()
    sign_in(client, officer.email)
    typed = codes[0].upper().replace("-", " ")
    assert with_recovery_code(client, f"  {typed} ").status_code == 302
    assert signed_in(client)


def test_an_unknown_recovery_code_or_someone_elses_is_refused(app, db, officer, codes):
    someone = make_user(email="other@example.org", embassy=True, totp_secret=SECRET)
    theirs = two_factor._replace_recovery_codes(someone)
    db.session.commit()
    client = app.test_client()
    sign_in(client, officer.email)
    for wrong in ("", "abcd-efgh", "aaaa-bbbb-cccc-dddd", theirs[0], "x" * 40):
        assert with_recovery_code(client, wrong).status_code == 422, wrong
    assert not signed_in(client)
    assert two_factor.recovery_codes_left(officer) == 10


def test_a_code_used_elsewhere_meanwhile_is_refused(app, db, officer, codes):
    """The check is the UPDATE's condition: a code marked used by another request counts."""
    with _db.engine.begin() as other_request:
        other_request.execute(
            sa.update(RecoveryCode)
            .where(RecoveryCode.user_id == officer.id)
            .values(used_at=sa.func.current_timestamp())
        )
    with pytest.raises(ValidationError) as refused:
        two_factor.use_recovery_code(officer, codes[0])
    assert set(refused.value.fields) == {"recovery_code"}


def test_the_last_code_says_to_make_new_ones(app, db, officer, codes):
    for code in codes[:9]:
        two_factor.use_recovery_code(officer, code)
    client = app.test_client()
    sign_in(client, officer.email)
    client.post("/lang/en")
    response = with_recovery_code(client, codes[9])
    assert response.status_code == 302
    page = client.get("/settings").get_data(as_text=True)
    assert "It was your last one" in page and "You have 0 unused recovery codes." in page


def test_new_recovery_codes_need_the_password_and_replace_the_old_ones(
    client, db, login, officer, codes
):
    login(officer)
    client.post("/lang/en")
    page = client.get("/settings").get_data(as_text=True)
    assert "You have 10 unused recovery codes." in page
    wrong = client.post("/settings/2fa/recovery-codes", data={"renew-password": "nope nope!"})
    assert wrong.status_code == 422 and "The password is not correct." in wrong.get_data(
        as_text=True
    )
    assert two_factor.recovery_codes_left(officer) == 10
    renewed = client.post("/settings/2fa/recovery-codes", data={"renew-password": PASSWORD})
    assert renewed.status_code == 200 and renewed.headers["Cache-Control"] == "no-store"
    html = renewed.get_data(as_text=True)
    new_codes = [c for c in html.split("<li><code>")[1:]]
    new_codes = [c.split("</code>", 1)[0] for c in new_codes]
    assert len(new_codes) == 10 and not set(new_codes) & set(codes)
    assert db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "user.recovery_codes_renew")
    ).details == {"recovery_codes": 10}
    with pytest.raises(ValidationError):
        two_factor.use_recovery_code(officer, codes[0])  # the old ones stop working
    assert two_factor.use_recovery_code(officer, new_codes[0]) == 9


def test_members_have_no_recovery_codes_to_renew(client, login, member):
    login(member)
    assert client.post(
        "/settings/2fa/recovery-codes", data={"renew-password": PASSWORD}
    ).status_code == (403)


def test_the_recovery_form_is_on_the_code_page_in_both_languages(app, officer):
    client = app.test_client()
    sign_in(client, officer.email)
    vi = client.get("/login/code").get_data(as_text=True)
    assert "Dùng mã khôi phục" in vi and 'name="recovery-recovery_code"' in vi
    client.post("/lang/en")
    en = client.get("/login/code").get_data(as_text=True)
    assert "Use a recovery code" in en


def test_a_signed_in_official_who_used_a_recovery_code_is_fully_signed_in(app, officer, codes):
    client = sign_in_client(app.test_client(), officer)
    client.post("/logout")
    sign_in(client, officer.email)
    with_recovery_code(client, codes[1])
    assert client.get("/tokens").status_code == 200


@pytest.mark.postgres
def test_two_simultaneous_sign_ins_with_one_recovery_code_let_only_one_in(
    pg_app, make_app, monkeypatch
):
    import threading

    from directory.accounts.models import User

    officer = make_user(email="race.rc@example.org", province_officer=True, totp_secret=SECRET)
    code = two_factor._replace_recovery_codes(officer)[0]
    _db.session.commit()
    officer_id = officer.id
    _db.session.remove()

    # Both requests have checked the code's form and are about to mark it used.
    barrier = threading.Barrier(2, timeout=20)
    real_hash = two_factor._hash_recovery_code

    def hash_together(value):
        barrier.wait()
        return real_hash(value)

    monkeypatch.setattr(two_factor, "_hash_recovery_code", hash_together)
    url = pg_app.config["SQLALCHEMY_DATABASE_URI"]
    apps = [make_app(SQLALCHEMY_DATABASE_URI=url) for _ in range(2)]
    outcomes: list[str] = []

    def attempt(app):
        with app.app_context():
            try:
                two_factor.use_recovery_code(_db.session.get(User, officer_id), code)
                outcomes.append("accepted")
            except ValidationError:
                _db.session.rollback()
                outcomes.append("refused")
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                outcomes.append(repr(exc))
            finally:
                _db.session.remove()

    threads = [threading.Thread(target=attempt, args=(app,)) for app in apps]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["accepted", "refused"]
