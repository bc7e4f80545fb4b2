"""API tokens: shown once, stored hashed, revocable, listed with their last use."""

from __future__ import annotations

import sqlalchemy as sa

from directory.accounts.models import ApiToken
from directory.accounts.services import create_api_token, revoke_api_token
from directory.accounts.tokens import authenticate, hash_token
from directory.audit import AuditEvent
from tests.accounts.conftest import make_user


def test_token_authenticates_its_user_and_records_the_last_use(db, member):
    token, raw = create_api_token(member, "script")
    assert token.token_hash == hash_token(raw) and raw not in token.token_hash
    assert token.last_used_at is None
    assert authenticate(raw) == member
    db.session.refresh(token)
    assert token.last_used_at is not None


def test_revoked_unknown_or_malformed_tokens_do_not_authenticate(db, member):
    token, raw = create_api_token(member, "script")
    revoke_api_token(token, by=member)
    assert authenticate(raw) is None
    assert authenticate("kb_not-a-token") is None
    assert authenticate("") is None and authenticate(None) is None
    assert authenticate("x" * 5000) is None


def test_token_of_a_deactivated_user_stops_working(db):
    user = make_user(email="leaving@example.org")
    _token, raw = create_api_token(user, "script")
    user.is_active_flag = False
    db.session.commit()
    assert authenticate(raw) is None


def test_tokens_page_creates_shows_once_lists_and_revokes(client, db, login, member):
    login(member)
    response = client.post("/tokens", data={"name": "Báo cáo hằng tuần"})
    assert response.status_code == 200
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == member.id))
    body = response.get_data(as_text=True)
    raw = body.split('id="new-token" type="text" readonly value="')[1].split('"')[0]
    assert raw.startswith("kb_") and hash_token(raw) == token.token_hash

    listing = client.get("/tokens").get_data(as_text=True)
    assert raw not in listing
    assert "Báo cáo hằng tuần" in listing and token.prefix in listing

    assert client.post(f"/tokens/{token.id}/revoke").status_code == 302
    db.session.refresh(token)
    assert token.revoked_at is not None
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"token.create", "token.revoke"} <= actions


def test_a_user_cannot_revoke_someone_elses_token(client, db, login, member):
    other = make_user(email="other@example.org")
    token, _raw = create_api_token(other, "theirs")
    login(member)
    assert client.post(f"/tokens/{token.id}/revoke").status_code == 404
    db.session.refresh(token)
    assert token.revoked_at is None


def test_tokens_page_needs_a_signed_in_user(client):
    response = client.get("/tokens")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_token_without_a_name_is_refused(client, db, login, member):
    login(member)
    assert client.post("/tokens", data={"name": ""}).status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(ApiToken)) == 0


def test_tokens_page_shows_the_header_to_send_in_both_languages(client, login, member):
    login(member)
    for lang, sentence in (("vi", "Gửi mã trong tiêu đề"), ("en", "Send it in the header")):
        client.post(f"/lang/{lang}", data={"next": "/"})
        body = client.get("/tokens").get_data(as_text=True)
        assert f"{sentence} <code>Authorization: Bearer &lt;token&gt;</code>." in body


# --- scopes and expiry ---------------------------------------------------------------------


def test_a_read_token_reads_but_changes_nothing(client, db, member):
    from directory.accounts.tokens import create_token

    _token, raw = create_token(member, "lecture", scope="read")
    db.session.commit()
    headers = {"Authorization": f"Bearer {raw}", "Accept-Language": "en"}
    assert client.get("/api/v1/me", headers=headers).status_code == 200
    before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    refused = client.post("/api/v1/people", json={"full_name": "Lê Văn Tám"}, headers=headers)
    assert refused.status_code == 403
    assert refused.get_json()["error"]["code"] == "insufficient_scope"
    assert "only read" in refused.get_json()["error"]["message"]
    for method in ("patch", "delete", "put"):
        response = getattr(client, method)(f"/api/v1/people/{member.id}", headers=headers)
        assert response.status_code in (403, 405), method
    assert db.session.scalar(sa.select(sa.func.count(AuditEvent.id))) == before
    vi = client.post("/api/v1/people", json={}, headers={**headers, "Accept-Language": "vi"})
    assert vi.status_code == 403 and "chỉ được đọc" in vi.get_json()["error"]["message"]


def test_an_expired_token_is_refused(client, db, member):
    from datetime import timedelta

    from directory.core.models import utcnow

    token, raw = create_api_token(member, "cũ", days=1)
    assert token.expires_at - utcnow() > timedelta(hours=23)
    token.expires_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert authenticate(raw) is None
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {raw}"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_token"


def test_the_page_creates_a_read_token_by_default_and_lists_scope_and_expiry(
    client, db, login, member
):
    login(member)
    response = client.post("/tokens", data={"name": "Đọc", "days": "30"})
    assert response.status_code == 200
    token = db.session.scalar(sa.select(ApiToken).where(ApiToken.user_id == member.id))
    assert token.scope == "read"
    assert 29 <= (token.expires_at - token.created_at).days <= 30
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == "token.create"))
    assert event.details["scope"] == "read" and event.details["expires_at"]
    client.post("/tokens", data={"name": "Ghi", "scope": "write", "days": "365"})
    listing = client.get("/tokens").get_data(as_text=True)  # in the member's language
    assert "Chỉ đọc" in listing and "Đọc và ghi" in listing and "Hết hạn" in listing
    bad = client.post("/tokens", data={"name": "Quá dài", "days": "1000"})
    assert bad.status_code == 422
    bad_scope = client.post("/tokens", data={"name": "Lạ", "scope": "admin"})
    assert bad_scope.status_code == 422
