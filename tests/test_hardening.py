"""Hostile requests that once gave 500s now get a clear 4xx; keys and cookies are safe."""
import pytest

from storyboard import create_app

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("GET", f"/stories/{HUGE}", None),
        ("GET", f"/stories/{HUGE}/edit", None),
        ("GET", f"/people/{HUGE}", None),
        ("POST", f"/stories/{HUGE}/applause", {}),
        ("POST", f"/queue/{HUGE}/publish", {}),
    ],
)
def test_ids_beyond_the_database_range_are_not_found(client, ctx, as_role, method, url, data):
    as_role("admin")
    assert client.open(url, method=method, data=data).status_code == 404


def test_huge_nominee_ids_in_forms_are_a_400(client, ctx, as_role):
    as_role("staff")
    assert client.get(f"/nominate?nominee={HUGE}").status_code == 200  # ignored, not a crash
    response = client.post("/nominate", data={"nominees": [HUGE], "action": "find", "nominee_query": "x"})
    assert response.status_code in (200, 400)
    response = client.post("/nominate", data={"nominees": [HUGE], "action": "draft"})
    assert response.status_code == 400


@pytest.mark.parametrize("url", ["/people/?q=a%00b", "/search?q=%00", "/?page=%00"])
def test_nul_characters_are_refused_with_a_message(client, ctx, as_role, url):
    as_role("staff")
    response = client.get(url)
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)


def test_nul_in_a_login_form_is_a_400(client):
    response = client.post("/auth/login", data={"email": "a\x00@example.com", "password": "x"})
    assert response.status_code == 400


def test_an_empty_secret_key_file_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("STORYBOARD_INSTANCE_PATH", str(tmp_path))
    (tmp_path / "secret_key").write_text("")
    with pytest.raises(RuntimeError, match="no usable secret key"):
        create_app()


def test_remember_cookie_is_same_site_and_http_only(client, ctx, make_person):
    make_person(email="r@example.com", password="remember me please")
    response = client.post("/auth/login", data={"email": "r@example.com", "password": "remember me please", "remember": "y"})
    cookies = [value for name, value in response.headers.items() if name == "Set-Cookie" and "remember_token" in value]
    assert cookies and "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]
