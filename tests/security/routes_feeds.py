"""The route table's rows for the Atom feeds (see tests/security/routes.py).

The feeds are opened by the token in their URL and by nothing else: the kind "feed" makes the
owner a token (and names the scene's value), so everyone holding the URL gets 200, signed in or
not, deactivated session or not; the session is never read. The page that makes the token is
an ordinary signed-in page with one-button POSTs.
"""
from __future__ import annotations

from storyboard.feeds import tokens
from tests.security.routes import MOVED, Example, Route, everyone, public
from tests.security.scene import EXTRA_KINDS, Objects, Scene
from tests.security.state import IGNORED_COLUMNS


def feed_holder(scene: Scene, objects: Objects, variant: str) -> None:
    """The owner holds a feed token (in the URL's <token>); <slug> is the scene's value."""
    objects.token = tokens.issue(objects.owner)
    objects.value = scene.value


EXTRA_KINDS["feed"] = feed_holder
# A feed fetch notes when the token was last used, as a session's request notes when it was
# last seen: a bookkeeping write, not a change a GET must not make.
IGNORED_COLUMNS.add(("feed_tokens", "last_used_at"))

ROUTES: dict[tuple[str, str], Route] = {
    ("feeds.stories", "GET"): Route("feed", public(200)),
    ("feeds.value", "GET"): Route("feed", public(200)),
    ("feeds.person", "GET"): Route("feed", public(200)),
    ("feeds.manage", "GET"): Route("feed", everyone(200)),
    # Makes (or replaces) the signed-in person's token and shows its URLs on the answer.
    ("feeds.rotate", "POST"): Route("feed", everyone(200), example=Example("owner", outcome=200)),
    ("feeds.revoke", "POST"): Route("feed", everyone(MOVED), example=Example("owner")),
}
