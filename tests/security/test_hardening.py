"""Hostile requests that once gave 500s now get a clear 4xx; keys and cookies are safe."""
import pytest

from storyboard import create_app
from storyboard.extensions import db

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
    response = client.post("/auth/login", data={
        "email": "r@example.com", "password": "remember me please", "remember": "y",
    })
    cookies = [value for name, value in response.headers.items() if name == "Set-Cookie" and "remember_token" in value]
    assert cookies and "HttpOnly" in cookies[0] and "SameSite=Lax" in cookies[0]


# Ids beyond what PostgreSQL's INTEGER columns hold (2**31 - 1) were 500s there.

FIRST_TOO_BIG = str(2**31)


@pytest.mark.parametrize("number", [FIRST_TOO_BIG, str(2**63), str(2**64)])
@pytest.mark.parametrize(("method", "template"), [
    ("GET", "/stories/{}"), ("GET", "/stories/{}/edit"), ("GET", "/stories/{}/revisions"),
    ("GET", "/people/{}"), ("POST", "/stories/{}/applause"), ("POST", "/stories/{}/applause/remove"),
    ("POST", "/queue/{}/publish"), ("POST", "/queue/{}/move"), ("POST", "/queue/{}/merge"),
    ("POST", "/admin/people/{}/deactivate"),
])
def test_ids_from_two_to_the_31_are_not_found(client, ctx, as_role, method, template, number):
    as_role("admin")
    assert client.open(template.format(number), method=method).status_code == 404


def test_nominee_ids_from_two_to_the_31_are_refused_or_ignored(client, ctx, as_role):
    as_role("staff")
    assert client.get(f"/nominate?nominee={FIRST_TOO_BIG}").status_code == 200
    response = client.post("/nominate", data={"nominees": [FIRST_TOO_BIG], "action": "draft"})
    assert response.status_code == 400


@pytest.mark.parametrize("into", ["²", "٣", "4²", FIRST_TOO_BIG, "-1", "0", "#", " "])
def test_merge_into_something_that_is_no_story_number_is_a_400(client, ctx, as_role, make_story, into):
    duplicate = make_story(status="submitted")
    as_role("curator")
    response = client.post(f"/queue/{duplicate.id}/merge", data={"into": into})
    assert response.status_code == 400
    assert "Give the number of the story to merge into" in response.get_data(as_text=True)


@pytest.mark.parametrize("number", ["²", "٣", FIRST_TOO_BIG, "99999999999"])
def test_comparing_revisions_that_are_not_numbers_is_a_400(client, ctx, as_role, make_story, number):
    story = make_story()
    as_role("curator")
    response = client.get(f"/stories/{story.id}/revisions/compare?a={number}&b=1")
    assert response.status_code == 400
    assert "is not a revision number" in response.get_data(as_text=True)


@pytest.mark.parametrize("query", ["until=9999-12-31", "since=0001-01-01&until=9999-12-31", "since=9999-12-31"])
def test_the_audit_log_takes_the_extreme_dates(client, ctx, as_role, query):
    as_role("admin")
    assert client.get(f"/admin/audit?{query}").status_code == 200


def test_the_audit_log_up_to_a_day_includes_that_whole_day(client, ctx, as_role, make_person):
    from datetime import datetime

    from storyboard.models import AuditEntry

    admin = as_role("admin")
    for stamp in ("2026-03-01T23:59:59", "2026-03-02T00:00:00"):
        db.session.add(AuditEntry(actor_id=admin.id, action="value.create", entity_type="value", entity_id=1,
                                  created_at=datetime.fromisoformat(stamp)))
    db.session.commit()
    page = client.get("/admin/audit?until=2026-03-01").get_data(as_text=True)
    assert "2026-03-01 23:59:59" in page and "2026-03-02 00:00:00" not in page


@pytest.mark.parametrize("path", ["/stories/%00", "/values/a%00b", "/people/%00", "/digest/unsubscribe/a%00"])
def test_a_nul_in_the_path_is_a_400(client, ctx, as_role, path):
    as_role("staff")
    response = client.get(path)
    assert response.status_code == 400
    assert "NUL character" in response.get_data(as_text=True)


# Request sizes.


def test_a_huge_body_is_refused_before_it_is_read(client, ctx, as_role):
    as_role("staff")
    response = client.post("/nominate", data={"body_md": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)


def test_a_huge_body_is_refused_even_without_a_csrf_token(csrf_client):
    response = csrf_client.post("/auth/login", data={"email": "a@example.com", "password": "y" * (50 * 1024 * 1024)})
    assert response.status_code == 413


def test_the_longest_story_the_form_allows_is_well_inside_the_limit(client, ctx, as_role, make_person):
    # 20,000 characters that each take 4 bytes in UTF-8 and 12 once form-encoded.
    as_role("staff")
    nominee = make_person()
    response = client.post("/nominate", data={
        "action": "draft", "nominees": [nominee.id], "values": ["1"], "title": "😀" * 200,
        "body_md": "😀" * 20000, "impact_kind": "customer", "impact": "😀" * 2000,
        "rule_in_the_way": "😀" * 2000, "happened_on": "2026-11-02",
    })
    assert response.status_code == 302


# Caching of signed-in pages.


@pytest.mark.parametrize("path", ["/mine", "/notifications", "/preferences", "/auth/login", "/nominate"])
def test_pages_are_never_stored_by_browsers_or_proxies(client, ctx, as_role, path):
    if path != "/auth/login":
        as_role("staff")
    response = client.get(path)
    assert response.headers["Cache-Control"] == "no-store"


def test_reading_pages_are_kept_only_by_the_browser_and_revalidated(client, ctx, as_role, make_story):
    """The feed, a story and a profile may be kept for a 304 (tests/app/test_conditional_pages.py),
    by the person's own browser only (private) and never shown again without asking (no-cache)."""
    story = make_story()
    as_role("staff")
    for path in ("/", f"/stories/{story.id}", f"/people/{story.nominator_id}"):
        assert client.get(path).headers["Cache-Control"] == "private, no-cache", path


def test_static_files_may_be_cached(client):
    response = client.get("/static/css/storyboard.css")
    assert response.status_code == 200
    assert response.headers.get("Cache-Control") != "no-store"
    response.close()


def test_hsts_is_sent_over_https_only(client, ctx, as_role):
    as_role("staff")
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://storyboard.example.com")
    assert secure.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"


@pytest.mark.parametrize("given", ["٣", "+42", "4_2", "²", "0", "-1", "4.0", str(2**31)])
def test_ids_are_read_as_plain_ascii_digits_everywhere(given):
    # One parser for ids in paths' companions, forms and query strings: int() alone takes
    # "٣", "+42" and "4_2", and "²".isdigit() is true though int("²") fails.
    from storyboard.db_helpers import database_id, parse_id

    assert parse_id(given) is None
    with pytest.raises(ValueError):
        database_id(given)
    assert parse_id("#42") == database_id("42") == 42


# Pages take HTML forms only: JSON reached the forms past the cleaning (Flask-WTF reads a
# JSON body when there is no form), as did uploaded files in text fields.


@pytest.mark.parametrize("body", [{"body_md": "a\x00b"}, {"body_md": "\ud800"}, {"body_md": 1.5}, {"body_md": ["x"]}])
def test_a_json_body_is_refused_with_a_415(client, ctx, as_role, make_story, body):
    story = make_story()
    as_role("staff")
    response = client.post(f"/stories/{story.id}/thanks", json=body)
    assert response.status_code == 415
    assert "Send this as a form" in response.get_data(as_text=True)


def test_a_file_in_a_form_is_refused(client, ctx, as_role, make_story):
    from io import BytesIO

    story = make_story(status="submitted")
    as_role("curator")
    response = client.post(f"/queue/{story.id}/reject", data={"note": (BytesIO(b"why"), "note.txt")},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert "take no file uploads" in response.get_data(as_text=True)


def test_a_form_field_without_a_name_is_refused(client, ctx, as_role):
    as_role("staff")
    body = (b'--b\r\nContent-Disposition: form-data; name="\n"\r\n\r\nx\r\n--b--\r\n')
    response = client.post("/preferences", data=body, content_type="multipart/form-data; boundary=b")
    assert response.status_code == 400


@pytest.mark.parametrize("person_id", [2**31, 2**63, 2**64, -1, 0, True, "1", 1.0])
def test_a_signed_link_naming_no_possible_person_is_simply_invalid(client, ctx, person_id):
    # Only someone with the secret key can sign such a link, but it must still be a 400 page.
    from itsdangerous import URLSafeTimedSerializer

    from storyboard.auth.service import RESET_SALT

    token = URLSafeTimedSerializer("test-secret-key", salt=RESET_SALT).dumps({"id": person_id, "fp": ""})
    response = client.get(f"/auth/reset/{token}")
    assert response.status_code == 400
