"""The route table's rows for the JSON API v1 (see tests/security/routes.py).

/api/v1 takes a bearer token and nothing else: the matrix sends none, so everyone gets 401,
signed in or not (the session cookie never authenticates the API). The kind "api_holder" gives
the owner a write token (its secret in `objects.extra["api_token"]`, its id in
`objects.extra["api_token_id"]`) and a published story of theirs, so examples can send
`Authorization: Bearer ...`. The OpenAPI document needs a token too: Storyboard's only public
pages are sign-in and its kin. The token page (/settings/tokens) is an ordinary signed-in page.
"""
from __future__ import annotations

from storyboard.api import tokens
from tests.security.routes import MOVED, Example, Route, everyone, public, signed_in, yesterday
from tests.security.scene import EXTRA_KINDS, PATH_VALUES, Objects, Scene
from tests.security.state import IGNORED_COLUMNS


def api_token_holder(scene: Scene, objects: Objects, variant: str) -> None:
    """The owner holds a write token and has a published story (for <story_id>)."""
    token, secret = tokens.create(objects.owner, "Matrix", "write", None)
    objects.extra["api_token"], objects.extra["api_token_id"] = secret, token.id
    objects.story = scene.make_story(nominator=objects.owner, nominees=[scene.nina], values=[scene.value])
    # Plain ids: the example's body is made outside an app context.
    objects.extra["nominee_id"], objects.extra["value_id"] = scene.nina.id, scene.value.id


def bearer(objects: Objects, scene: Scene) -> dict:
    return {"Authorization": f"Bearer {objects.extra['api_token']}"}


def nomination(objects: Objects, scene: Scene) -> dict:
    return {"nominees": [objects.extra["nominee_id"]], "values": [objects.extra["value_id"]],
            "title": "Found the lost parcel", "body_md": "She traced it **by hand**.", "impact_kind": "customer",
            "impact": "It arrived on time.",
            "happened_on": yesterday(), "submit": True}


EXTRA_KINDS["api_holder"] = api_token_holder
PATH_VALUES["api_token_id"] = lambda objects: objects.extra["api_token_id"]
# A request with a token notes when it was last used (at most once a minute), as a session's
# request notes when it was last seen: bookkeeping, not a change a GET must not make.
IGNORED_COLUMNS.add(("api_tokens", "last_used_at"))

PAGE = {"cursor": None, "limit": "2"}
TOKEN_ONLY = public(401)
# What the token gets (the markup and fuzz runs send it; the matrix sends no token).
READ = Example("owner", headers=bearer, outcome=200, reads_only=True)

ROUTES: dict[tuple[str, str], Route] = {
    ("api.token_list", "GET"): Route("api_holder", everyone(200)),
    ("api.create_token", "POST"): Route("api_holder", everyone(400), form=("name", "scope", "expires"), example=Example(
        "owner", lambda o, s: {"name": "Team dashboard", "scope": "read", "expires": "30"}, outcome=200)),
    # Someone else's token is not found.
    ("api.revoke_token", "POST"): Route("api_holder", signed_in(MOVED, 404), example=Example("owner")),
    ("api.v1.openapi", "GET"): Route("api_holder", TOKEN_ONLY, example=READ),
    ("api.v1.list_stories", "GET"): Route("api_holder", TOKEN_ONLY, example=READ, query=PAGE),
    ("api.v1.get_story", "GET"): Route("api_holder", TOKEN_ONLY, example=READ),
    ("api.v1.list_people", "GET"): Route("api_holder", TOKEN_ONLY, example=READ,
                                         query={**PAGE, "q": "Owen", "department": "Support"}),
    ("api.v1.get_person", "GET"): Route("api_holder", TOKEN_ONLY, example=READ),
    ("api.v1.list_values", "GET"): Route("api_holder", TOKEN_ONLY, example=READ),
    ("api.v1.list_canon_stories", "GET"): Route("api_holder", TOKEN_ONLY, example=READ, query=PAGE),
    ("api.v1.list_canon_collections", "GET"): Route("api_holder", TOKEN_ONLY, example=READ),
    ("api.v1.list_digest_issues", "GET"): Route("api_holder", TOKEN_ONLY, example=READ, query=PAGE),
    ("api.v1.get_digest_issue", "GET"): Route("api_holder", TOKEN_ONLY, example=READ),
    ("api.v1.create_nomination", "POST"): Route(
        "api_holder", TOKEN_ONLY, csrf_exempt="a bearer token",
        example=Example("owner", json=nomination, headers=bearer, outcome=201)),
}
