"""Security checks that span the app: sign-in everywhere, CSRF, roles on the server, who sees
which stories, `next` redirects, security headers and templates, and error pages.

The route checks walk `app.url_map`, so a new route is covered the day it is added.
"""
from __future__ import annotations

import re
from datetime import date
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import func, select

import storyboard.photos.service as photos
from storyboard import PROJECT_ROOT
from storyboard.auth.service import safe_next
from storyboard.auth.views import PUBLIC_ENDPOINTS
from storyboard.extensions import db
from storyboard.models import Person, Story, StoryStatus, Value
from tests.helpers import csrf_token_in, sign_in_on
from tests.photos.pictures import camera_jpeg
from tests.security.routes import ROUTES
from tests.security.routes import public as public_route

PASSWORD = "correct horse battery"
CSRF_MESSAGE = "Your form expired or was sent from elsewhere. Reload the page and try again."
EXPECTED_PUBLIC = {
    "auth.login", "auth.set_password", "auth.reset_password", "auth.forgot_password",
    "health.healthz", "static", "digest.unsubscribe",
    "shortcuts.login", "shortcuts.logout", "shortcuts.favicon",
    # Integrations that check their own credential, never a session: single sign-on (the
    # provider's answer), Slack's signature, a feed token in the URL, SCIM's bearer token.
    "auth.sso_start", "auth.sso_callback", "chat.slack_command",
    "feeds.stories", "feeds.value", "feeds.person",
    "scim.users", "scim.search_users", "scim.search_everything", "scim.create_user", "scim.user",
    "scim.replace_user", "scim.patch_user", "scim.delete_user", "scim.service_provider_config",
    "scim.resource_types", "scim.resource_type", "scim.schemas", "scim.schema",
}
# Routes that take their own credential (a bearer token, a signature) instead of the session:
# 401 without it, and no CSRF token; tests/security/test_csrf_matrix.py checks them.
OWN_CREDENTIAL = {endpoint for (endpoint, _), route in ROUTES.items()
                  if route.csrf_exempt or route.expect == public_route(401)}
_PLACEHOLDER = re.compile(r"<(?:(?P<converter>[^:<>]+):)?(?P<name>\w+)>")


def fill(rule: str, **values) -> str:
    """A concrete path for a URL rule: ints are 1, a slug is `courtesy`, a token `x`, and so on."""

    def value(match: re.Match) -> str:
        name, converter = match["name"], match["converter"]
        if name in values:
            return str(values[name])
        if converter == "int":
            return "1"
        if name in ("slug", "token", "issue_key", "action", "move", "change", "name", "resource_id", "schema_id"):
            return {"slug": "courtesy", "token": "x", "issue_key": "2026-11-30", "action": "pin",
                    "move": "move-up", "change": "move-down", "name": "departments", "resource_id": "User",
                    "schema_id": "urn:ietf:params:scim:schemas:core:2.0:User"}[name]
        raise AssertionError(f"no test value for <{match[0]}> in {rule}; add one to fill()")

    return _PLACEHOLDER.sub(value, rule)


def routes(app: Flask, method: str, *, public: bool | None = None) -> list:
    """The app's rules that accept `method`, optionally only the public or the private ones."""
    rules = [rule for rule in app.url_map.iter_rules()
             if method in rule.methods and rule.endpoint not in OWN_CREDENTIAL]
    if public is not None:
        rules = [rule for rule in rules if (rule.endpoint in EXPECTED_PUBLIC) is public]
    return sorted(rules, key=lambda rule: rule.rule)


def database_state() -> tuple:
    """Row counts of every table, and the columns of stories and people a POST could change."""
    db.session.expire_all()
    counts = {
        table.name: db.session.scalar(select(func.count()).select_from(table))
        for table in db.metadata.sorted_tables
    }
    stories = db.session.execute(
        select(
            Story.id, Story.status, Story.applause_count, Story.title, Story.body_md,
            Story.decision_note, Story.published_at, Story.updated_at,
        ).order_by(Story.id)
    ).all()
    people = db.session.execute(
        select(Person.id, Person.email, Person.active, Person.role, Person.password_hash)
        .order_by(Person.id)
    ).all()
    return counts, stories, people


def status_of(story_id: int) -> str:
    return db.session.scalar(select(Story.status).where(Story.id == story_id))


def applause_of(story_id: int) -> int:
    return db.session.scalar(select(Story.applause_count).where(Story.id == story_id))


def form_data(person: Person, value: Value) -> dict:
    """Plausible answers for every POST form, so a request that got through would change things."""
    return {
        "title": "Changed by a forged request", "body_md": "Forged.", "impact_kind": "customer",
        "impact": "None.", "happened_on": date.today().isoformat(), "nominees": str(person.id),
        "values": str(value.id), "action": "submit", "note": "Forged note.",
        "email": "forged@example.com", "name": "Forged Person", "role": "admin",
        "password": "a forged password", "confirm": "a forged password",
    }


def is_login_redirect(response, path: str) -> bool:
    if response.status_code != 302:
        return False
    location = urlsplit(response.headers["Location"])
    return location.path == "/auth/login" and parse_qs(location.query).get("next") == [path]


# Signing in everywhere.


def test_the_public_endpoints_are_the_expected_ones():
    assert PUBLIC_ENDPOINTS == EXPECTED_PUBLIC


def test_every_private_page_redirects_anonymous_people_to_sign_in(app, client):
    checked = {}
    for rule in routes(app, "GET", public=False):
        path = fill(rule.rule)
        response = client.get(path)
        checked[path] = (response.status_code, response.headers.get("Location"))
        assert is_login_redirect(response, path), f"{path}: {checked[path]}"
    assert {"/", "/queue/", "/people/invite", "/stories/1", "/values/courtesy"} <= set(checked)


def test_public_pages_answer_anonymous_people(app, client):
    assert client.get("/auth/login").status_code == 200
    assert client.get("/auth/forgot").status_code == 200
    assert client.get("/auth/set-password/x").status_code == 400  # a bad link, said so
    assert client.get("/auth/reset/x").status_code == 400
    assert client.get("/healthz").status_code == 200
    with client.get("/static/css/storyboard.css") as response:  # closes the file it streams
        assert response.status_code == 200


def test_every_private_post_redirects_anonymous_people_and_changes_nothing(
    app, client, ctx, make_story, make_person
):
    published = make_story(status=StoryStatus.PUBLISHED)
    submitted = make_story(status=StoryStatus.SUBMITTED)
    data = form_data(make_person(), db.session.scalars(select(Value)).first())
    before = database_state()
    posted = []
    for rule in routes(app, "POST", public=False):
        for story in (published, submitted):
            path = fill(rule.rule, story_id=story.id)
            response = client.post(path, data=data)
            assert is_login_redirect(response, path), f"{path}: {response.status_code}"
            posted.append(path)
    assert database_state() == before
    assert "/auth/logout" in posted and f"/queue/{submitted.id}/publish" in posted


# CSRF, with protection switched on as in production.


def test_every_post_without_a_token_is_refused_and_changes_nothing(
    csrf_app, csrf_client, csrf_ctx, make_story, make_person
):
    published = make_story(status=StoryStatus.PUBLISHED)
    submitted = make_story(status=StoryStatus.SUBMITTED)
    sign_in_on(csrf_client, make_person(role="admin"))
    data = form_data(make_person(), db.session.scalars(select(Value)).first())
    before = database_state()
    for rule in routes(csrf_app, "POST"):
        for story in (published, submitted):
            path = fill(rule.rule, story_id=story.id)
            response = csrf_client.post(path, data=data)
            assert response.status_code == 400, f"{path}: {response.status_code}"
            assert response.mimetype == "text/html"
            assert CSRF_MESSAGE in response.get_data(as_text=True), path
    assert database_state() == before
    assert status_of(published.id) == "published" and status_of(submitted.id) == "submitted"
    assert csrf_client.get("/").status_code == 200  # the refused logout did not sign out


def test_a_wrong_token_is_refused_too(csrf_client, csrf_ctx, make_story, make_person):
    story = make_story(status=StoryStatus.PUBLISHED)
    sign_in_on(csrf_client, make_person())
    response = csrf_client.post(f"/stories/{story.id}/applause", data={"csrf_token": "forged"})
    assert response.status_code == 400
    assert CSRF_MESSAGE in response.get_data(as_text=True)
    assert applause_of(story.id) == 0


def test_logout_with_the_pages_token_works(csrf_client, csrf_ctx, make_person):
    sign_in_on(csrf_client, make_person())
    token = csrf_token_in(csrf_client.get("/").get_data(as_text=True))
    response = csrf_client.post("/auth/logout", data={"csrf_token": token})
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert is_login_redirect(csrf_client.get("/"), "/")


def test_applause_with_the_pages_token_works(csrf_client, csrf_ctx, make_story, make_person):
    story = make_story(status=StoryStatus.PUBLISHED)
    sign_in_on(csrf_client, make_person())
    token = csrf_token_in(csrf_client.get(f"/stories/{story.id}").get_data(as_text=True))
    response = csrf_client.post(f"/stories/{story.id}/applause", data={"csrf_token": token})
    assert response.status_code == 302
    assert applause_of(story.id) == 1


def test_sign_in_with_the_pages_token_works(csrf_client, csrf_ctx, make_person):
    person = make_person(password=PASSWORD)
    token = csrf_token_in(csrf_client.get("/auth/login").get_data(as_text=True))
    response = csrf_client.post(
        "/auth/login", data={"csrf_token": token, "email": person.email, "password": PASSWORD}
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert csrf_client.get("/").status_code == 200


# Logout.


def test_logout_is_post_only(client, ctx, as_role):
    as_role("staff")
    response = client.get("/auth/logout")
    assert response.status_code == 405
    assert "That action is not allowed here." in response.get_data(as_text=True)
    assert client.get("/").status_code == 200  # still signed in
    assert client.get("/auth/logout").status_code == 405


def test_logout_get_is_405_when_signed_out_too(client):
    assert client.get("/auth/logout").status_code == 405


# Roles, checked on the server.

CURATION_ACTIONS = [
    pytest.param("publish", {}, StoryStatus.PUBLISHED, id="publish"),
    pytest.param("reject", {"note": "Not this time."}, StoryStatus.REJECTED, id="reject"),
    pytest.param(
        "request-changes", {"note": "Say when it happened."}, StoryStatus.CHANGES_REQUESTED,
        id="request-changes",
    ),
]


def test_staff_cannot_see_the_queue(client, ctx, as_role):
    as_role("staff")
    assert client.get("/queue/").status_code == 403


@pytest.mark.parametrize("action, data, outcome", CURATION_ACTIONS)
def test_staff_cannot_curate(client, ctx, as_role, make_story, action, data, outcome):
    story = make_story(status=StoryStatus.SUBMITTED)
    as_role("staff")
    response = client.post(f"/queue/{story.id}/{action}", data=data)
    assert response.status_code == 403
    assert "You do not have permission to do that." in response.get_data(as_text=True)
    assert status_of(story.id) == "submitted"


@pytest.mark.parametrize("role", ["curator", "admin"])
@pytest.mark.parametrize("action, data, outcome", CURATION_ACTIONS)
def test_curators_and_admins_curate(client, ctx, as_role, make_story, role, action, data, outcome):
    story = make_story(status=StoryStatus.SUBMITTED)
    as_role(role)
    assert client.get("/queue/").status_code == 200
    response = client.post(f"/queue/{story.id}/{action}", data=data)
    assert response.status_code == 302 and response.headers["Location"] == "/queue/"
    assert status_of(story.id) == outcome.value


@pytest.mark.parametrize("role", ["staff", "curator"])
def test_only_admins_invite(client, ctx, as_role, role):
    as_role(role)
    assert client.get("/people/invite").status_code == 403
    data = {"email": "new@example.com", "name": "New Person", "role": "admin"}
    assert client.post("/people/invite", data=data).status_code == 403
    assert db.session.scalar(select(Person).where(Person.email == "new@example.com")) is None


def test_admins_see_the_invite_form(client, ctx, as_role):
    as_role("admin")
    assert client.get("/people/invite").status_code == 200


def test_a_deactivated_persons_session_is_signed_out(app, client, make_person, login):
    # No shared `ctx` here: each request gets a fresh `g`, as it does in production.
    with app.app_context():
        person_id = login(make_person()).id
    assert client.get("/").status_code == 200
    with app.app_context():
        db.session.get(Person, person_id).active = False
        db.session.commit()
    assert is_login_redirect(client.get("/"), "/")
    assert is_login_redirect(client.get("/mine"), "/mine")


# Who sees which stories.

UNPUBLISHED = [status for status in StoryStatus if status != StoryStatus.PUBLISHED]


@pytest.mark.parametrize("status", UNPUBLISHED, ids=str)
def test_staff_get_404_for_someone_elses_unpublished_story(client, ctx, as_role, make_story, status):
    story = make_story(status=status)
    as_role("staff")
    assert client.get(f"/stories/{story.id}").status_code == 404
    assert client.get(f"/stories/{story.id}/edit").status_code == 404
    assert client.post(f"/stories/{story.id}/applause").status_code == 404
    assert client.post(f"/stories/{story.id}/thanks", data={"body_md": "Hi"}).status_code == 404


@pytest.mark.parametrize("status", UNPUBLISHED, ids=str)
def test_the_nominator_sees_their_own_unpublished_story(client, ctx, login, make_story, status):
    story = make_story(status=status, title="My own story")
    login(story.nominator)
    response = client.get(f"/stories/{story.id}")
    assert response.status_code == 200
    assert "My own story" in response.get_data(as_text=True)


@pytest.mark.parametrize("role", ["curator", "admin"])
@pytest.mark.parametrize("status", UNPUBLISHED, ids=str)
def test_curators_see_every_story(client, ctx, as_role, make_story, role, status):
    story = make_story(status=status, title="For the review team")
    as_role(role)
    response = client.get(f"/stories/{story.id}")
    assert response.status_code == 200
    assert "For the review team" in response.get_data(as_text=True)


def test_staff_see_published_stories(client, ctx, as_role, make_story):
    story = make_story(status=StoryStatus.PUBLISHED)
    as_role("staff")
    assert client.get(f"/stories/{story.id}").status_code == 200


def test_lists_show_published_stories_only(client, ctx, as_role, make_story, make_person):
    nominee = make_person(name="Nadia Nominee")
    value = db.session.scalars(select(Value).order_by(Value.position)).first()
    for status in StoryStatus:
        make_story(title=f"Zebracrossing {status.value} story", status=status, nominees=[nominee])
    as_role("staff")
    pages = {
        "feed": client.get("/"),
        "search": client.get("/search?q=zebracrossing"),
        "value": client.get(f"/values/{value.slug}"),
        "profile": client.get(f"/people/{nominee.id}"),
        "mine": client.get("/mine"),
    }
    for name, response in pages.items():
        assert response.status_code == 200, name
        text = response.get_data(as_text=True)
        for status in UNPUBLISHED:
            assert f"Zebracrossing {status.value} story" not in text, (name, status)
        if name != "mine":  # "My stories" lists only what the signed-in person wrote
            assert "Zebracrossing published story" in text, name


# Following `next` after signing in.

HOSTILE_NEXT = [
    pytest.param("https://evil.example", id="absolute"),
    pytest.param("//evil.example", id="protocol-relative"),
    pytest.param("///evil.example", id="three-slashes"),
    pytest.param("/\\evil.example", id="slash-backslash"),
    pytest.param("\\\\evil.example", id="two-backslashes"),
    pytest.param("\\/evil.example", id="backslash-slash"),
    pytest.param("javascript:alert(1)", id="javascript"),
    pytest.param("http:/evil.example", id="scheme-one-slash"),
    pytest.param("https:evil.example", id="scheme-no-slash"),
    pytest.param(" //evil.example", id="leading-space"),
    pytest.param("\t//evil.example", id="leading-tab"),
    pytest.param("/\t/evil.example", id="tab-between-slashes"),
    pytest.param("/\n/evil.example", id="newline-between-slashes"),
    pytest.param("/values\r\nSet-Cookie: x=1", id="header-injection"),
    pytest.param("evil.example", id="no-leading-slash"),
    pytest.param("%2F%2Fevil.example", id="encoded-no-leading-slash"),
]
GOOD_NEXT = ["/values", "/stories/1?from=email#thanks", "/%2F%2Fevil.example"]


def sign_in(client, person: Person, next_url: str | None):
    query = {"next": next_url} if next_url is not None else {}
    return client.post(
        "/auth/login", query_string=query, data={"email": person.email, "password": PASSWORD}
    )


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_hostile_next_is_not_followed_after_sign_in(client, ctx, make_person, next_url):
    response = sign_in(client, make_person(password=PASSWORD), next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("next_url", HOSTILE_NEXT)
def test_hostile_next_is_not_followed_when_already_signed_in(client, ctx, as_role, next_url):
    as_role("staff")
    response = client.get("/auth/login", query_string={"next": next_url})
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("next_url", GOOD_NEXT)
def test_relative_next_is_followed(client, ctx, make_person, next_url):
    response = sign_in(client, make_person(password=PASSWORD), next_url)
    assert response.status_code == 302
    assert response.headers["Location"] == next_url


def test_no_next_goes_to_the_feed(client, ctx, make_person):
    assert sign_in(client, make_person(password=PASSWORD), None).headers["Location"] == "/"


@pytest.mark.parametrize(
    "target, expected",
    [(param.values[0], None) for param in HOSTILE_NEXT]
    + [(good, good) for good in GOOD_NEXT]
    + [
        (None, None),
        ("", None),
        ("   ", None),
        ("/", "/"),
        ("  /values  ", "/values"),
        ("/a:b", "/a:b"),
        ("/\x00", None),
        ("HTTPS://evil.example", None),
    ],
)
def test_safe_next(target, expected):
    assert safe_next(target) == expected


# Security headers, and no inline script or style for them to forbid.


class _InlineCode(HTMLParser):
    """Collects inline scripts, <style> elements, on*= and style= attributes, javascript: URLs."""

    def __init__(self):
        super().__init__()
        self.problems: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        if tag == "style":
            self.problems.append("<style> element")
        self._in_script = tag == "script"
        for name, value in attrs:
            if name.startswith("on") or name == "style":
                self.problems.append(f"<{tag} {name}=...>")
            if name in ("href", "src", "action", "formaction") and value and (
                value.strip().lower().startswith("javascript:")
            ):
                self.problems.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.problems.append(f"inline <script>: {data.strip()[:40]!r}")


def inline_code(html: str) -> list[str]:
    parser = _InlineCode()
    parser.feed(html)
    parser.close()
    return parser.problems


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0]] = words[1:]
    return directives


def assert_secure_html(response, where: str) -> None:
    """A strict policy on an HTML page, and nothing inline in the page for it to forbid."""
    assert response.mimetype == "text/html", where
    assert_security_headers(response, where)
    assert inline_code(response.get_data(as_text=True)) == [], where


def assert_security_headers(response, where: str) -> None:
    policy = response.headers.get("Content-Security-Policy", "")
    directives = csp_directives(policy)
    # Scripts from this site only, or none at all (a photo's policy allows nothing).
    assert directives.get("script-src", directives.get("default-src")) in (["'self'"], ["'none'"]), (where, policy)
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy, (where, policy)
    assert directives.get("object-src") == ["'none'"], (where, policy)
    assert directives.get("frame-ancestors") == ["'none'"], (where, policy)
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where


def test_every_page_has_a_strict_content_security_policy(app, client, ctx, as_role, make_story):
    from datetime import datetime

    from storyboard.chat.slack import Sender, link_token
    from storyboard.models import (
        CanonCollection,
        CanonCollectionStory,
        ChatWebhook,
        DigestIssue,
        DigestIssueStory,
        FrictionItem,
        FrictionLink,
        FrictionStatus,
    )
    from storyboard.people import imports

    story = make_story(status=StoryStatus.PUBLISHED, body_md="**Bold** [link](https://example.com)")
    value = db.session.scalars(select(Value).order_by(Value.position)).first()
    issue = DigestIssue(issue_key="2026-11-30", cut_at=datetime(2026, 11, 30, 7))
    issue.stories.append(DigestIssueStory(story_id=story.id, section="new", position=0))
    db.session.add(issue)
    story.in_canon, story.canon_lesson, story.canonized_at = True, "Ask first.", datetime(2026, 1, 5, 9)
    path_collection = CanonCollection(name="Start here", onboarding=True)
    path_collection.entries.append(CanonCollectionStory(story_id=story.id, scenario="What would you do?"))
    db.session.add(path_collection)
    story.rule_in_the_way = "Refunds over 50 pounds wait for a manager's signature."
    friction_item = FrictionItem(title="The refund rule", status=FrictionStatus.OPEN.value, note="")
    friction_item.links.append(FrictionLink(story_id=story.id))
    db.session.add(friction_item)
    db.session.commit()
    admin = as_role("admin")
    photo = photos.add_photo(story, admin, camera_jpeg(40, 30), "The van at the door")
    webhook = ChatWebhook(name="#kudos", url="https://hooks.example.com/x", format="slack", secret="s" * 64)
    db.session.add(webhook)
    db.session.commit()
    slack_link = link_token(Sender("T1", "U1", "una"))  # the page that links a Slack account
    upload, _ = imports.upload(admin, b"email,name,title,department,location,manager_email,start_date,role\n"
                               b"new@example.com,New,,,,,,\n", "people.csv", False, False)  # a previewed import
    db.session.commit()
    checked = []
    for rule in routes(app, "GET", public=False):
        path = fill(rule.rule, story_id=story.id, person_id=admin.id, slug=value.slug,
                    collection_id=path_collection.id, item_id=friction_item.id, photo_id=photo.id,
                    webhook_id=webhook.id, token=slack_link, import_id=upload.id)
        response = client.get(path)
        assert response.status_code == 200, f"{path}: {response.status_code}"
        if response.mimetype == "text/html":
            assert_secure_html(response, path)
        else:  # JSON for scripts on our pages, SVG charts, CSV downloads: the headers apply all the same
            assert_security_headers(response, path)
        response.close()  # a streamed download holds its request open until it is closed, as a server would
        checked.append(path)
    assert "/queue/" in checked and f"/stories/{story.id}" in checked
    for path, status in [("/no-such-page", 404), ("/auth/logout", 405)]:
        response = client.get(path)
        assert response.status_code == status
        assert_secure_html(response, path)


def test_public_pages_have_a_strict_content_security_policy(client):
    for path, status in [
        ("/auth/login", 200), ("/auth/forgot", 200), ("/auth/set-password/x", 400),
        ("/auth/reset/x", 400), ("/no-such-page", 404),
    ]:
        response = client.get(path)
        assert response.status_code == status, path
        assert_secure_html(response, path)


# Emails are not pages of the site: no policy applies to them, and mail clients need a <style>
# in the head for dark mode and narrow screens (tests/digest/test_email_clients.py checks them).
TEMPLATES = sorted(path for path in (PROJECT_ROOT / "templates").rglob("*.html")
                   if "email" not in path.relative_to(PROJECT_ROOT / "templates").parts)


def test_templates_were_found():
    assert Path(PROJECT_ROOT / "templates" / "base.html") in TEMPLATES


@pytest.mark.parametrize(
    "template", TEMPLATES, ids=lambda path: str(path.relative_to(PROJECT_ROOT / "templates"))
)
def test_templates_have_no_inline_script_handlers_or_styles(template):
    source = template.read_text(encoding="utf-8")
    assert inline_code(source) == []
    # A second, plainer look, for attributes written inside Jinja expressions.
    assert not re.search(r"""(?i)[\s'"{,](on[a-z]+|style)['"]?\s*[=:]\s*['"{]""", source)


# Error pages.


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_unknown_url_is_a_404_page(client, ctx, as_role, signed_in):
    if signed_in:
        as_role("staff")
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    text = response.get_data(as_text=True)
    assert "There is nothing at this address." in text
    assert "Traceback" not in text and "werkzeug" not in text.lower()


def test_an_unexpected_error_is_a_500_page_without_a_trace(app, client, ctx, as_role):
    def explode():
        raise RuntimeError("secret internals")

    app.add_url_rule("/explode-for-test", "explode", explode)
    as_role("staff")
    response = client.get("/explode-for-test")
    assert response.status_code == 500
    text = response.get_data(as_text=True)
    assert "Something went wrong on our side." in text
    assert "secret internals" not in text and "Traceback" not in text


@pytest.mark.parametrize("page", ["abc", "", "-3", "0", "1.5", "１"])
def test_bad_page_number_shows_page_one(client, ctx, as_role, make_story, page):
    make_story(title="The only story", status=StoryStatus.PUBLISHED)
    as_role("staff")
    response = client.get("/", query_string={"page": page})
    assert response.status_code == 200
    assert "The only story" in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/", "/search?q=x", "/people/", "/values/courtesy"])
def test_huge_page_number_is_an_empty_page_not_an_error(client, ctx, as_role, path):
    as_role("staff")
    separator = "&" if "?" in path else "?"
    assert client.get(f"{path}{separator}page=99999999999999999999").status_code == 200
