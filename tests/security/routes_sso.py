"""The route table's rows for single sign-on (OpenID Connect) (see tests/security/routes.py).

The matrix's app configures no provider (OIDC_PROVIDERS = []), so both routes answer as they
do for a provider name that is not configured (an old bookmark): anonymous visitors are sent
to the sign-in page with a message, which lists the ways that are set up; signed-in people
(who need no sign-in) to the feed. Nothing is started and nobody signed in. Both are GETs by
design: the start only sends the browser to the provider, and the callback is a GET by
protocol, its `state` (bound to the browser's session) standing where a CSRF token would.
With a provider configured, tests/sso/ covers who gets what against a real provider process:
anonymous visitors are sent to the provider (302), signed-in people back to the feed (302),
and a failed callback shows the sign-in page with 400, 401 or 403.
"""
from __future__ import annotations

from tests.security.routes import MOVED, Route, public
from tests.security.scene import PATH_VALUES

PATH_VALUES["provider"] = lambda objects: "company"

ROUTES: dict[tuple[str, str], Route] = {
    ("auth.sso_start", "GET"): Route("none", public(MOVED), query={"next": "/mine"}),
    ("auth.sso_callback", "GET"): Route("none", public(MOVED), query={
        "code": None, "state": None, "error": None, "error_description": None}),
}
