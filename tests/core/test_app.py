"""The application starts, answers its health check and speaks both languages."""


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_home_page_is_vietnamese_by_default(client):
    response = client.get("/")
    assert response.status_code == 200
    assert '<html lang="vi">' in response.get_data(as_text=True)


def test_browser_language_is_followed_when_no_choice_was_made(client):
    response = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert '<html lang="en">' in response.get_data(as_text=True)


def test_language_choice_persists_in_the_session(client):
    client.post("/lang/en", data={"next": "/"})
    response = client.get("/", headers={"Accept-Language": "vi"})
    assert '<html lang="en">' in response.get_data(as_text=True)


def test_language_switch_refuses_offsite_redirects(client):
    response = client.post("/lang/en", data={"next": "https://evil.example/"})
    assert response.headers["Location"] == "/"


def test_unknown_page_is_a_translated_404(client):
    response = client.get("/khong-co", headers={"Accept-Language": "vi"})
    assert response.status_code == 404
    assert "không tồn tại" in response.get_data(as_text=True)


def test_security_headers_are_set(client):
    response = client.get("/")
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
