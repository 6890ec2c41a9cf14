def test_home_redirects_anonymous_to_sign_in(client, db):
    response = client.get("/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")
