"""The route table: for every (endpoint, method) in `app.url_map`, what each persona gets.

How to add a route (a new rule fails `test_every_route_has_an_entry` until you do):
1. Add `("blueprint.endpoint", "METHOD"): Route(...)` below, next to its neighbours.
   - `kind`: what the URL's parameters name (see `Scene.build`): "none", "story" (the owner
     nominated it), "story_about" (the owner is a nominee), "value", "person" (the owner),
     "password" (the owner has one), "notified" (the owner has an unread notification),
     "applauded" (a "story" that other, curator and admin applauded), "friction" (a friction
     item the owner owns, with the owner's story whose rule got in the way, in one of
     `scene.FRICTION_STATES`), "invite_token", "reset_token", "unsubscribe_token"; "none" has
     the variants `scene.MANAGER_STATES` (the owner manages someone). A new kind of parameter
     needs a line in `scene.PATH_VALUES` (and an object in `Scene.build`).
   - `expect`: one outcome per persona, in the order of `scene.PERSONAS` (anonymous, owner,
     other, curator, admin, deactivated); the helpers `signed_in`, `everyone`, `curators`,
     `admins` and `public` write the common rows. An outcome is a status code, `LOGIN` (302 to
     sign-in with `next`) or `MOVED` (any other 302), or `by(default, status=outcome, ...)`
     when it depends on the story's status (or the value's state). POSTs are sent with no
     form fields, and CSRF off, so one-button actions act and forms answer 400.
   - `query`: the query parameters the view reads, with a plausible value (sent by the matrix)
     or None (left to the fuzz); `form`: the form fields the view reads.
   - `example` (POST): a request that succeeds, as the persona who may make it. The CSRF
     matrix sends it without a token, with a wrong one and with the right one; the fuzz
     starts from it and breaks a few fields at a time.
2. Run tests/security: the matrix prints every cell whose answer differs from the table.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

from storyboard.clock import utcnow
from storyboard.digest.issues import coming_cut
from storyboard.digest.selection import issue_key_for
from storyboard.extensions import db
from storyboard.models import NotificationKind
from storyboard.settings import set_setting
from tests.photos.pictures import upload
from tests.security.scene import FRICTION_STATES, MANAGER_STATES, PASSWORD, STATUSES, VALUE_STATES, yesterday

NEW_PASSWORD = "Copper kettle meadow 2041"
IGNORED_METHODS = {"HEAD", "OPTIONS"}  # Flask answers them for every rule
LOGIN = "302 to sign-in"
MOVED = "302"  # a redirect anywhere but to sign-in: the action was done


def by(default, **variants) -> dict[str, Any]:
    """An outcome that depends on the variant (a story's status, a value's state)."""
    return {"*": default, **variants}


def signed_in(owner, other=None, curator=None, admin=None) -> tuple:
    """A private route: anonymous and deactivated people are sent to sign in."""
    other = owner if other is None else other
    curator = other if curator is None else curator
    return (LOGIN, owner, other, curator, curator if admin is None else admin, LOGIN)


def everyone(outcome) -> tuple:
    return signed_in(outcome)


def curators(outcome) -> tuple:
    return signed_in(403, 403, outcome)


def admins(outcome) -> tuple:
    return signed_in(403, 403, 403, outcome)


def public(anonymous, signed=None) -> tuple:
    """A public route: a deactivated person's stale session counts as nobody."""
    signed = anonymous if signed is None else signed
    return (anonymous, signed, signed, signed, signed, anonymous)


@dataclass(frozen=True)
class Example:
    """A request that succeeds: who sends it, about which variant, with what, and the answer."""

    persona: str
    data: Callable[..., dict] = lambda objects, scene: {}
    variant: str = ""
    outcome: Any = MOVED
    # A POST that only reads (the editor's Markdown preview): CSRF-protected all the same,
    # but its example leaves the database as it was (tests/security/test_csrf_matrix.py).
    reads_only: bool = False
    # Integrations: the request's headers (a bearer token, a signature) and a JSON body, each
    # made from the cell's objects; None sends none.
    headers: Callable[..., dict] | None = None
    json: Callable[..., Any] | None = None


@dataclass(frozen=True)
class Route:
    """One (endpoint, method): what its URL names, who gets what, and what it reads."""

    kind: str
    expect: tuple
    variants: tuple[str, ...] = ("",)
    query: dict[str, Any] = field(default_factory=dict)
    form: tuple[str, ...] = ()
    example: Example | None = None
    # Why a state-changing route takes no CSRF token (it never reads the session cookie): "a
    # bearer token", "Slack's signature". Only the routes in CSRF_EXEMPT may say so, and the
    # CSRF matrix checks instead that a signed-in session alone gets them nowhere.
    csrf_exempt: str = ""

    def outcome(self, persona_index: int, variant: str):
        """The outcome expected for the persona at this index of PERSONAS, in this variant."""
        expected = self.expect[persona_index]
        if isinstance(expected, dict):
            return expected.get(variant, expected["*"])
        return expected



def url_map_routes(app) -> dict[tuple[str, str], str]:
    """(endpoint, method) -> rule, for every rule and method the app answers."""
    found = {}
    for rule in app.url_map.iter_rules():
        for method in rule.methods - IGNORED_METHODS:
            assert (rule.endpoint, method) not in found, f"two rules for {rule.endpoint} {method}"
            found[(rule.endpoint, method)] = rule.rule
    return found


def outcome_of(response, path: str):
    """LOGIN for a redirect to sign-in that comes back here, MOVED for any other 302, else the code."""
    if response.status_code != 302:
        return response.status_code
    location = urlsplit(response.headers["Location"])
    back_to = parse_qs(location.query).get("next", [""])[0]
    if location.path == "/auth/login" and urlsplit(back_to).path == path:
        return LOGIN
    return MOVED


def nomination(objects, scene, action: str = "submit") -> dict:
    return {
        "action": action, "nominees": str(scene.nina.id), "values": str(scene.value.id),
        "title": "Found the lost parcel", "body_md": "She traced it **by hand**.",
        "impact_kind": "customer", "impact": "It arrived on time.", "happened_on": yesterday(),
    }


def coming_issue(objects, scene) -> dict:
    return {"issue_key": issue_key_for(coming_cut(utcnow()))}


def stored_day(objects, scene) -> dict:
    """Reset the day, first stored in the app: resetting the environment's own changes nothing."""
    set_setting("DIGEST_CUT_DAY", "thursday")
    db.session.commit()
    return {"setting": "day"}


PHOTO_FORM = ("photo", "alt_text")
NOMINATION = ("action", "nominees", "nominee_query", "values", "title", "body_md", "impact_kind",
              "impact", "rule_in_the_way", "happened_on")
PREFERENCES = tuple(f"{kind.value}-{channel}" for kind in NotificationKind for channel in ("in_app", "email"))
QUEUE = {"department": "Support", "value": None, "age": "3", "after": None, "before": None}
PAGE = {"page": "2"}
CURSORS = {"after": None, "before": None}
STORY, ABOUT, VALUES = STATUSES, STATUSES, VALUE_STATES
CURATOR_ACTIVE = Example("curator", variant="active")
# The insights pages' filters: the last 30 days, in the scene's department and location.
INSIGHTS = {"start": (date.today() - timedelta(days=30)).isoformat(), "end": date.today().isoformat(),
            "department": "Support", "location": "Leeds"}
# The friction report's address, which its forms post to and come back to.
REPORT = {**INSIGHTS, "show": "unfiled", "page": None, "items_page": None}
UNPUBLISHED_404 = by(404, published=200)  # someone else's story: only once it is published

ROUTES: dict[tuple[str, str], Route] = {
    # Public pages.
    ("auth.login", "GET"): Route("none", public(200, MOVED), query={"next": "/mine"}),
    ("shortcuts.login", "GET"): Route("none", public(MOVED), query={"next": "/mine"}),
    ("shortcuts.logout", "GET"): Route("none", public(MOVED, 200)),
    ("shortcuts.favicon", "GET"): Route("none", public(MOVED)),
    ("auth.login", "POST"): Route("password", public(400, MOVED), query={"next": "/mine"},
                                  form=("email", "password", "remember"),
                                  example=Example("anonymous", lambda o, s: {
                                      "email": o.owner.email, "password": PASSWORD})),
    ("auth.forgot_password", "GET"): Route("none", public(200)),
    ("auth.forgot_password", "POST"): Route("none", public(400), example=Example(
        "anonymous", lambda o, s: {"email": o.owner.email})),
    ("auth.set_password", "GET"): Route("invite_token", public(200)),
    ("auth.set_password", "POST"): Route("invite_token", public(400), example=Example(
        "anonymous", lambda o, s: {"password": PASSWORD, "confirm": PASSWORD})),
    ("auth.reset_password", "GET"): Route("reset_token", public(200)),
    ("auth.reset_password", "POST"): Route("reset_token", public(400), example=Example(
        "anonymous", lambda o, s: {"password": PASSWORD, "confirm": PASSWORD})),
    ("auth.logout", "POST"): Route("none", signed_in(MOVED), example=Example("owner")),
    ("auth.change_password", "GET"): Route("password", everyone(200)),
    ("auth.change_password", "POST"): Route("password", everyone(400), example=Example("owner", lambda o, s: {
        "current": PASSWORD, "password": NEW_PASSWORD, "confirm": NEW_PASSWORD})),
    ("health.healthz", "GET"): Route("none", public(200)),
    ("static", "GET"): Route("none", public(200)),
    ("digest.unsubscribe", "GET"): Route("unsubscribe_token", public(200)),
    ("digest.unsubscribe", "POST"): Route("unsubscribe_token", public(400), form=("List-Unsubscribe",), example=Example(
        "anonymous", lambda o, s: {"choice": "monthly"}, outcome=200)),
    # Reading.
    ("stories.feed", "GET"): Route("none", everyone(200), query=CURSORS),
    ("stories.mine", "GET"): Route("none", everyone(200)),
    ("stories.search_view", "GET"): Route("none", everyone(200), query={"q": "order", **PAGE}),
    ("stories.values", "GET"): Route("none", everyone(200)),
    ("stories.value", "GET"): Route("value", everyone(200), VALUES, query=CURSORS),
    ("people.directory", "GET"): Route("none", everyone(200), query={"q": "Owen", "department": "Support", **PAGE}),
    ("people.lookup", "GET"): Route("none", everyone(200), query={"q": "Owen"}),
    ("people.profile", "GET"): Route("person", everyone(200)),
    ("digest.archive", "GET"): Route("none", everyone(200), query=PAGE),
    ("breakroom.week", "GET"): Route("none", everyone(200)),
    ("breakroom.nominate_code", "GET"): Route("none", everyone(200)),
    ("canon.library_page", "GET"): Route("none", everyone(200),
                                         query={"value": "courtesy", "department": "Support", **PAGE}),
    ("digest.issue", "GET"): Route("none", everyone(200)),
    ("canon.collection", "GET"): Route("collection", everyone(200)),
    ("canon.step", "GET"): Route("collection", everyone(200)),
    ("canon.path", "GET"): Route("none", everyone(404)),  # no collection is the path in the scene
    ("canon.mark_read", "POST"): Route("collection", everyone(MOVED), form=("read",),
                                       example=Example("owner", lambda o, s: {"read": "yes"})),
    ("notifications.inbox", "GET"): Route("none", everyone(200), query=PAGE),
    ("notifications.mark_read", "POST"): Route("notified", everyone(MOVED), example=Example("owner")),
    ("preferences.edit", "GET"): Route("none", everyone(200)),
    ("preferences.edit", "POST"): Route(
        "none", everyone(MOVED), form=PREFERENCES + ("hide_from_digests",),
        example=Example("owner", lambda o, s: {"digest_frequency": "monthly", "thank_you-email": "on"})),
    # Writing stories: the nominator's until submitted, readable by curators.
    ("stories.nominate", "GET"): Route("none", everyone(200), query={"nominee": None}),
    ("stories.nominate", "POST"): Route("none", everyone(400), form=NOMINATION, example=Example("owner", nomination)),
    ("stories.edit", "GET"): Route("story", signed_in(
        by(403, draft=200, changes_requested=200), by(404, published=403), by(200, draft=403, archived=403)), STORY),
    ("stories.edit", "POST"): Route("story", signed_in(
        by(403, draft=400, changes_requested=400), by(404, published=403), by(400, draft=403, archived=403)), STORY,
        form=NOMINATION, example=Example("owner", lambda o, s: nomination(o, s, "save"), "draft")),
    # The editor's script (storyboard/stories/editor.py): a Markdown preview for anyone signed
    # in (no text, an empty preview); autosave of a new nomination (no fields: "not saved yet",
    # 422) and of the writer's own draft only: not the writer's, 403; sent back, 409.
    ("stories.preview_markdown", "POST"): Route("none", everyone(200), form=("body_md",), example=Example(
        "owner", lambda o, s: {"body_md": "She traced it **by hand**."}, outcome=200, reads_only=True)),
    ("stories.autosave_new", "POST"): Route("none", everyone(422), form=NOMINATION, example=Example(
        "owner", lambda o, s: nomination(o, s, "draft"), outcome=200)),
    ("stories.autosave_draft", "POST"): Route("story", signed_in(
        by(403, draft=422, changes_requested=409), by(404, published=403), 403), STORY,
        form=NOMINATION, example=Example("owner", lambda o, s: nomination(o, s, "draft"), "draft", outcome=200)),
    # Curators may edit (so reach the transition) all but drafts and archived stories; only
    # the author submits: the transition refuses them (409).
    ("stories.submit", "POST"): Route("story", signed_in(
        by(403, draft=MOVED, changes_requested=MOVED), by(404, published=403), by(409, draft=403, archived=403)), STORY,
        example=Example("owner", variant="draft")),
    # The writer's own ways out: withdraw a story waiting for review (back to a draft), delete a
    # draft (with no fields, the confirmation page; confirm=yes deletes). Anyone else who may
    # see the story is not its writer (403); the writer is refused other statuses (409).
    ("stories.withdraw", "POST"): Route("story", signed_in(
        by(409, submitted=MOVED), by(404, published=403), 403), STORY,
        example=Example("owner", variant="submitted")),
    ("stories.delete_draft", "POST"): Route("story", signed_in(
        by(409, draft=200), by(404, published=403), 403), STORY, form=("confirm",),
        example=Example("owner", lambda o, s: {"confirm": "yes"}, "draft")),
    ("stories.show", "GET"): Route("story", signed_in(200, UNPUBLISHED_404, 200), STORY),
    ("stories.revisions_list", "GET"): Route("story", signed_in(200, 404, 200), STORY),
    # The break room (storyboard/breakroom/): a story's print version and its QR code follow the
    # story page's rule (404 for someone else's unpublished story), then print only published
    # stories: those who may read an unpublished one are told why not (409).
    ("breakroom.print_story", "GET"): Route("story", signed_in(
        by(409, published=200), UNPUBLISHED_404, by(409, published=200)), STORY),
    ("breakroom.story_code", "GET"): Route("story", signed_in(
        by(409, published=200), UNPUBLISHED_404, by(409, published=200)), STORY),
    ("stories.compare", "GET"): Route("story", signed_in(200, 404, 200), STORY, query={"a": "1", "b": "2"}),
    # A story's photos (storyboard/photos/). Changing them follows stories.edit (the writer while
    # it is a draft or sent back, curators but not on drafts or archived stories); curators also
    # open the page and remove a photo on any story (a redaction). With no fields, an upload has
    # no file and an alt text edit no text (400), a move no direction (400). The files follow
    # the story page's rule.
    ("photos.manage", "GET"): Route("story", signed_in(
        by(403, draft=200, changes_requested=200), by(404, published=403), 200), STORY),
    ("photos.add", "POST"): Route("story", signed_in(
        by(403, draft=400, changes_requested=400), by(404, published=403), by(400, draft=403, archived=403)), STORY,
        form=PHOTO_FORM, example=Example("owner", lambda o, s: {"photo": upload(), "alt_text": "The mended bike"},
                                         "draft")),
    ("photos.describe", "POST"): Route("photo", signed_in(
        by(403, draft=400, changes_requested=400), by(404, published=403), by(400, draft=403, archived=403)), STORY,
        form=("alt_text",), example=Example("owner", lambda o, s: {"alt_text": "Maya at the counter"}, "draft")),
    ("photos.move", "POST"): Route("photo", signed_in(
        by(403, draft=400, changes_requested=400), by(404, published=403), by(400, draft=403, archived=403)), STORY,
        form=("direction",), example=Example("owner", lambda o, s: {"direction": "up"}, "draft")),
    ("photos.remove", "POST"): Route("photo", signed_in(
        by(403, draft=MOVED, changes_requested=MOVED), by(404, published=403), MOVED), STORY,
        example=Example("curator", variant="archived")),
    ("photos.image", "GET"): Route("photo", signed_in(200, UNPUBLISHED_404, 200), STORY),
    ("photos.thumbnail", "GET"): Route("photo", signed_in(200, UNPUBLISHED_404, 200), STORY),
    # Responding to a published story.
    ("stories.applaud", "POST"): Route("story", signed_in(
        by(409, published=MOVED), by(404, published=MOVED), by(409, published=MOVED)), STORY,
        example=Example("other", variant="published")),
    ("stories.take_back_applause", "POST"): Route("applauded", signed_in(MOVED, by(404, published=MOVED), MOVED), STORY,
                                                  example=Example("other", variant="published")),
    ("stories.thank", "POST"): Route("story", signed_in(400, by(404, published=400), 400), STORY, form=("body_md",),
                                     example=Example("other", lambda o, s: {"body_md": "Thank you!"}, "published")),
    ("digest.story_consent", "POST"): Route("story_about", signed_in(
        by(404, published=MOVED), by(404, published=403), 403), ABOUT,
        example=Example("owner", lambda o, s: {"keep_out": "yes"}, "published")),
    # Curators: the queue and the story panel.
    ("curation.queue", "GET"): Route("none", curators(200), query=QUEUE),
    ("curation.publish", "POST"): Route("story", curators(by(409, submitted=MOVED, archived=MOVED)), STORY,
                                        query=QUEUE, example=Example("curator", variant="submitted")),
    ("curation.reject", "POST"): Route("story", curators(400), STORY, query=QUEUE, example=Example(
        "curator", lambda o, s: {"note": "Not this time."}, "submitted")),
    ("curation.request_changes", "POST"): Route("story", curators(400), STORY, query=QUEUE, example=Example(
        "curator", lambda o, s: {"note": "Say when it happened."}, "submitted")),
    # The queue's other tabs, the old drafts policy (admins change it) and bulk moves. With no
    # fields a bulk move has nothing ticked (400); the policy form says neither show nor hide (400).
    ("curation.changes_requested", "GET"): Route("none", curators(200), query=QUEUE),
    ("curation.old_drafts", "GET"): Route("none", curators(200), query=QUEUE),
    ("curation.rejected", "GET"): Route("none", curators(200), query=QUEUE),
    ("curation.archived", "GET"): Route("none", curators(200), query=QUEUE),
    ("curation.draft_titles", "POST"): Route("none", admins(400), query=QUEUE, form=("show",), example=Example(
        "admin", lambda o, s: {"show": "yes"})),
    ("curation.bulk", "POST"): Route("story", curators(400), STORY, query=QUEUE, form=("story", "action", "reason"),
                                     example=Example("curator", lambda o, s: {
                                         "story": str(o.story.id), "action": "reject", "reason": "Not this time."},
                                         "submitted")),
    ("curation.move", "POST"): Route("story", curators(400), STORY, example=Example(
        "curator", lambda o, s: {"to": "archived", "note": "Old news."}, "published")),
    ("curation.pin", "POST"): Route("story", curators(MOVED), STORY, example=Example(
        "curator", lambda o, s: {"pinned": "yes"}, "published")),
    ("curation.canon", "POST"): Route("story", curators(MOVED), STORY, example=Example(
        "curator", lambda o, s: {"in_canon": "yes", "lesson": "Ask before you promise."}, "published")),
    ("curation.flags", "POST"): Route("story", curators(400), STORY, example=Example(
        "curator", lambda o, s: {"flag": "legacy", "value": "yes"}, "published")),
    ("curation.merge", "POST"): Route("story", curators(400), STORY, example=Example(
        "curator", lambda o, s: {"into": str(o.survivor.id)}, "submitted")),
    ("curation.redact", "POST"): Route("story", curators(400), STORY, example=Example(
        "curator", lambda o, s: {"text": "rebuilt", "confirm": "y"}, "submitted")),
    # Curators: canon collections and the new hires' reading.
    ("canon.new_collection", "GET"): Route("none", curators(200)),
    ("canon.new_collection", "POST"): Route("none", curators(400), form=("name", "introduction", "onboarding"),
                                            example=Example("curator", lambda o, s: {"name": "Backstage heroes"})),
    ("canon.edit_collection", "GET"): Route("collection", curators(200)),
    # As with values: with no fields at all, the form keeps the collection's name; nothing changes.
    ("canon.edit_collection", "POST"): Route("collection", curators(MOVED), form=("name", "introduction", "onboarding"),
                                             example=Example("curator", lambda o, s: {"name": "Start here, renamed"})),
    ("canon.delete_collection", "POST"): Route("collection", curators(MOVED), example=Example("curator")),
    ("canon.move_collection", "POST"): Route("collection", curators(MOVED), example=Example("curator")),
    ("canon.add_story", "POST"): Route("collection", curators(400), form=("story", "scenario"), example=Example(
        "curator", lambda o, s: {"story": str(o.survivor.id), "scenario": "What now?"})),
    ("canon.set_scenario", "POST"): Route("collection", curators(MOVED), form=("scenario",), example=Example(
        "curator", lambda o, s: {"scenario": "A parcel is lost. What would you do?"})),
    ("canon.change_entry", "POST"): Route("collection", curators(MOVED), example=Example("curator")),
    ("canon.progress", "GET"): Route("none", curators(200)),
    ("digest.next_issue", "GET"): Route("none", curators(200)),
    ("digest.save_introduction", "POST"): Route("none", curators(409), form=("introduction", "issue_key"),
                                                example=Example("curator", lambda o, s: {
                                                    **coming_issue(o, s), "introduction": "Welcome, *everyone*."})),
    # "collection": its canon stories are due, so the coming issue has something to send.
    ("digest.send_test", "POST"): Route("collection", curators(409), form=("issue_key",), example=Example(
        "curator", coming_issue)),
    ("digest.change_next_issue", "POST"): Route("story", curators(409), STORY, example=Example(
        "curator", coming_issue, "published")),
    # Values: curators and admins.
    ("admin.values", "GET"): Route("none", curators(200)),
    ("admin.create_value", "POST"): Route("none", curators(400), form=("name", "description"), example=Example(
        "curator", lambda o, s: {"name": "Candour", "description": "Says what is true."})),
    ("admin.edit_value", "GET"): Route("value", curators(200), VALUES),
    # With no fields at all, the form keeps the value's name and description: nothing changes.
    ("admin.edit_value", "POST"): Route("value", curators(MOVED), VALUES, form=("name", "description"), example=Example(
        "curator", lambda o, s: {"name": "Renamed value", "description": "New words."}, "active")),
    ("admin.move_value_up", "POST"): Route("value", curators(MOVED), VALUES, example=CURATOR_ACTIVE),
    ("admin.move_value_down", "POST"): Route("value", curators(MOVED), VALUES, example=CURATOR_ACTIVE),
    ("admin.retire_value", "POST"): Route("value", curators(by(409, active=MOVED)), VALUES, example=CURATOR_ACTIVE),
    ("admin.restore_value", "POST"): Route("value", curators(by(409, retired=MOVED)), VALUES,
                                           example=Example("curator", variant="retired")),
    # Recognition equity: curators, and managers for their own reports (tests/insights): the
    # owner sees it only in the variant where they manage an active report, never as a former manager.
    ("insights.equity", "GET"): Route("none", signed_in(by(403, manager=200), 403, 200), ("", *MANAGER_STATES), query={
        "show": "people", "within": "90", "department": "Support", "location": "Leeds", "manager": None, **PAGE}),
    # Insights for HR: curators and admins. Staff get 403, even the owner, who wrote the friction
    # stories and owns the friction item in the URL ("friction" objects).
    ("insights.dashboard", "GET"): Route("friction", curators(200), query=INSIGHTS),
    ("insights.chart", "GET"): Route("friction", curators(200), query=INSIGHTS),
    ("insights.table_csv", "GET"): Route("friction", curators(200), query=INSIGHTS),
    # With no fields there is no department to classify (400).
    ("insights.classify", "POST"): Route("none", curators(400), query=INSIGHTS, form=("department", "kind"),
                                         example=Example("curator", lambda o, s: {
                                             "department": "Support", "kind": "front_line"})),
    ("insights.exports", "GET"): Route("none", curators(200), query=INSIGHTS),
    ("insights.stories_csv", "GET"): Route("friction", curators(200), query={**INSIGHTS, "scope": "all"}),
    ("insights.people_csv", "GET"): Route("friction", curators(200), query=INSIGHTS),
    ("insights.friction", "GET"): Route("friction", curators(200), query={
        **INSIGHTS, "show": "filed", "items_page": "1", **PAGE}),
    ("insights.friction_csv", "GET"): Route("friction", curators(200), query=INSIGHTS),
    # Filing: only a published story's friction (404 once archived); with no title, 400.
    ("insights.friction_new_item", "POST"): Route(
        "friction", curators(by(400, archived=404)), FRICTION_STATES, query=REPORT, form=("title",),
        example=Example("curator", lambda o, s: {"title": "The refund rule"}, "unfiled")),
    # With nothing ticked, 400.
    ("insights.friction_file", "POST"): Route(
        "friction", curators(400), ("unfiled",), query=REPORT, form=("story", "item"), example=Example(
            "curator", lambda o, s: {"story": str(o.story.id), "item": str(o.friction_item.id)}, "unfiled")),
    # A filed story comes out, even archived; one not filed cannot (409).
    ("insights.friction_unfile", "POST"): Route(
        "friction", curators(by(MOVED, unfiled=409)), FRICTION_STATES, query={**REPORT, "back": "item"},
        example=Example("curator", variant="filed")),
    ("insights.friction_item", "GET"): Route("friction", curators(200), query=PAGE),
    # With no fields the item has no title (400); the example marks it changed, telling the owner.
    ("insights.friction_item", "POST"): Route(
        "friction", curators(400), form=("title", "owner", "status", "note"), example=Example(
            "curator", lambda o, s: {"title": "The refund rule, again", "owner": o.owner.email,
                                     "status": "changed", "note": "Two people can sign now."})),
    # People and the audit log: admins.
    ("people.invite", "GET"): Route("none", admins(200)),
    ("people.invite", "POST"): Route(
        "none", admins(400), form=("job_title", "department", "location", "start_date"), example=Example(
            "admin", lambda o, s: {"email": "new.person@example.com", "name": "New Person", "role": "staff"})),
    ("admin.people", "GET"): Route("none", admins(200), query={
        "q": "Owen", "role": "staff", "status": "active", **PAGE}),
    ("admin.person", "GET"): Route("person", admins(200)),
    ("admin.change_role", "POST"): Route("person", admins(400), example=Example(
        "admin", lambda o, s: {"role": "curator"})),
    ("admin.deactivate", "POST"): Route("person", admins(MOVED), example=Example("admin")),
    ("admin.reactivate", "POST"): Route("person", admins(409), example=Example("admin", variant="inactive")),
    ("admin.resend_invitation", "POST"): Route("person", admins(MOVED), example=Example("admin")),
    ("privacy.export", "POST"): Route("person", admins(200), example=Example("admin", outcome=200)),
    ("privacy.erase_form", "GET"): Route("person", admins(200)),
    ("privacy.erase", "POST"): Route("person", admins(400), example=Example(
        "admin", lambda o, s: {"stories": "keep", "confirm": o.owner.email})),
    ("admin.digest_schedule", "GET"): Route("none", admins(200)),
    ("admin.save_digest_schedule", "POST"): Route("none", admins(400), form=("day", "time", "timezone"),
                                                  example=Example("admin", lambda o, s: {
                                                      "day": "thursday", "time": "09:30", "timezone": "Europe/Paris"})),
    ("admin.reset_digest_schedule", "POST"): Route("none", admins(400), form=("setting",), example=Example(
        "admin", stored_day)),
    ("admin.audit", "GET"): Route("none", admins(200), query={
        "action": "story.publish", "actor": "ada@example.com", "entity_type": "story", "entity_id": "1",
        "since": "2024-01-01", "until": "2030-12-31", **PAGE}),
}

# The integrations keep their rows in their own modules (one per integration), merged here.
# They import this module, so they are imported last, and only from here.
from tests.security import routes_api, routes_chat, routes_feeds, routes_scim, routes_sso  # noqa: E402

for _part in (routes_api, routes_chat, routes_feeds, routes_scim, routes_sso):
    assert not set(_part.ROUTES) & set(ROUTES), f"{_part.__name__} repeats routes"
    ROUTES.update(_part.ROUTES)

# Every state-changing route that takes no CSRF token, and why: written out here, so that a
# route exempted by mistake fails tests/security/test_csrf_matrix.py.
CSRF_EXEMPT = {key: route.csrf_exempt for key, route in ROUTES.items() if route.csrf_exempt}
