"""Bad input of any kind is a clear 4xx, never a 500."""


def test_nul_bytes_in_a_form_are_refused_with_a_400(client):
    response = client.post("/login", data={"email": "a\x00@example.org", "password": "x"})
    assert response.status_code == 400
    assert "không hợp lệ" in response.get_data(as_text=True)


def test_nul_bytes_in_a_query_string_are_refused_with_a_400(client):
    response = client.get("/search", query_string={"q": "ban\x00dan"})
    assert response.status_code == 400


def test_a_wrong_method_says_which_methods_are_allowed(client):
    response = client.delete("/api/v1/fields")
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, HEAD, OPTIONS"
    assert response.get_json()["error"]["code"] == "method_not_allowed"
