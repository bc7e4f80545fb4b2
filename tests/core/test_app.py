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


def test_the_favicon_is_served_and_linked(client):
    with client.get("/favicon.ico") as response:
        assert response.status_code == 200
        assert response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    with client.get("/static/favicon.svg") as response:
        assert response.status_code == 200
    page = client.get("/").get_data(as_text=True)
    assert 'rel="icon" href="/static/favicon.svg"' in page
