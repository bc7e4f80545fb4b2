"""Each second-factor code is accepted once: at sign-in, when enabling and disabling 2FA."""

from __future__ import annotations

import threading

import pyotp
import pytest
import sqlalchemy as sa

from directory.accounts import two_factor
from directory.accounts.models import User
from directory.core.errors import ValidationError
from directory.extensions import db as _db
from tests.accounts.conftest import make_user, sign_in

SECRET = pyotp.random_base32()


@pytest.fixture
def officer(app):
    return make_user(email="totp@example.org", province_officer=True, totp_secret=SECRET)


def code_at(clock, secret: str = SECRET, offset: int = 0) -> str:
    return pyotp.TOTP(secret).at(clock.now + offset)


def second_step(client, code: str):
    return client.post("/login/code", data={"code": code})


def signed_in(client) -> bool:
    return client.get("/settings").status_code == 200


def test_a_sign_in_code_cannot_be_replayed_by_another_browser(app, officer, totp_clock):
    code = code_at(totp_clock)
    first, second = app.test_client(), app.test_client()
    sign_in(first, officer.email)
    sign_in(second, officer.email)

    assert second_step(first, code).status_code == 302
    assert signed_in(first)

    second.post("/lang/en")
    replay = second_step(second, code)
    assert replay.status_code == 422
    assert "This code has already been used" in replay.get_data(as_text=True)
    assert not signed_in(second)


def test_the_next_code_signs_in_after_one_was_used(app, officer, totp_clock):
    client = app.test_client()
    sign_in(client, officer.email)
    assert second_step(client, code_at(totp_clock)).status_code == 302
    client.post("/logout")

    totp_clock.advance(30)
    sign_in(client, officer.email)
    assert second_step(client, code_at(totp_clock)).status_code == 302
    assert signed_in(client)


def test_an_older_code_still_in_the_drift_window_is_refused_after_a_newer_one(
    app, db, officer, totp_clock
):
    two_factor.use_totp_code(officer, code_at(totp_clock))
    db.session.commit()
    with pytest.raises(ValidationError) as refused:
        two_factor.use_totp_code(officer, code_at(totp_clock, offset=-30))
    assert set(refused.value.fields) == {"code"}
    db.session.refresh(officer)
    assert officer.totp_last_step == int(totp_clock.now) // 30


def test_the_code_that_enabled_two_factor_cannot_sign_in(app, db, totp_clock):
    user = make_user(email="new2fa@example.org", province_officer=True)
    client = app.test_client()
    sign_in(client, user.email)
    client.get("/settings/2fa")
    with client.session_transaction() as sess:
        secret = sess["totp_setup"]
    code = code_at(totp_clock, secret)
    assert client.post("/settings/2fa", data={"totp-code": code}).status_code == 200
    client.post("/logout")

    sign_in(client, user.email)
    assert second_step(client, code).status_code == 422
    assert not signed_in(client)
    totp_clock.advance(30)
    assert second_step(client, code_at(totp_clock, secret)).status_code == 302


def test_a_code_used_to_sign_in_cannot_turn_two_factor_off(app, db, officer, totp_clock):
    app.config["TWO_FACTOR_REQUIRED"] = False  # officials may turn it off only then
    client = app.test_client()
    sign_in(client, officer.email)
    code = code_at(totp_clock)
    second_step(client, code)

    assert client.post("/settings/2fa/disable", data={"totp-code": code}).status_code == 422
    db.session.refresh(officer)
    assert officer.totp_secret == SECRET
    totp_clock.advance(30)
    response = client.post("/settings/2fa/disable", data={"totp-code": code_at(totp_clock)})
    assert response.status_code == 302
    db.session.refresh(officer)
    assert officer.totp_secret is None


def test_a_code_accepted_elsewhere_is_refused_even_if_this_request_read_the_user_before(
    app, db, officer, totp_clock
):
    """The check is the UPDATE's condition, not the value this request loaded earlier."""
    code = code_at(totp_clock)
    stale = db.session.get(User, officer.id)
    assert stale.totp_last_step is None
    with _db.engine.begin() as other_request:
        other_request.execute(
            sa.update(User)
            .where(User.id == officer.id)
            .values(totp_last_step=int(totp_clock.now) // 30)
        )
    with pytest.raises(ValidationError):
        two_factor.use_totp_code(stale, code)


# --- two sign-ins at the same moment, on PostgreSQL ---------------------------------------


@pytest.mark.postgres
def test_two_concurrent_sign_ins_with_one_code_let_only_one_in(
    pg_app, make_app, monkeypatch, totp_clock
):
    officer = make_user(email="race@example.org", province_officer=True, totp_secret=SECRET)
    officer_id, code = officer.id, code_at(totp_clock)
    _db.session.remove()

    # Both requests have loaded the user and checked the code before either claims the step.
    barrier = threading.Barrier(2, timeout=20)
    real_claim = two_factor._claim_step

    def claim_together(user, step):
        barrier.wait()
        return real_claim(user, step)

    monkeypatch.setattr(two_factor, "_claim_step", claim_together)
    url = pg_app.config["SQLALCHEMY_DATABASE_URI"]
    apps = [make_app(SQLALCHEMY_DATABASE_URI=url) for _ in range(2)]
    outcomes: list[str] = []

    def attempt(app):
        with app.app_context():
            try:
                two_factor.use_totp_code(_db.session.get(User, officer_id), code)
                _db.session.commit()
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
