"""Every curation route against every kind of visitor: only curators and admins get through."""
import pytest

from storyboard.models import StoryStatus

CURATOR_BLUEPRINTS = ("curation", "curation_actions")
CURATOR_ENDPOINTS = ("history.redact",)  # the rest of `history` is open to nominators too
VISITORS = ["anonymous", "staff", "curator", "admin", "deactivated"]


def curation_routes(app):
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] in CURATOR_BLUEPRINTS or rule.endpoint in CURATOR_ENDPOINTS:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                routes.append((method, rule.rule, rule.endpoint))
    return routes


def test_the_matrix_covers_the_known_routes(app):
    endpoints = {endpoint for _, _, endpoint in curation_routes(app)}
    assert {"curation.queue", "curation.publish", "curation.reject", "curation_actions.move",
            "curation_actions.canon", "history.redact"} <= endpoints


@pytest.mark.parametrize("visitor", VISITORS)
def test_only_curators_and_admins_get_through(app, client, ctx, make_person, make_story, login, visitor):
    story = make_story(status=StoryStatus.SUBMITTED)
    if visitor == "deactivated":
        login(make_person(role="curator", active=False))
    elif visitor != "anonymous":
        login(make_person(role=visitor))
    for method, rule, _endpoint in curation_routes(app):
        url = rule.replace("<int:story_id>", str(story.id))
        form = {"note": "n", "to": "published", "lesson": "l", "text": "Stayed late"}
        response = client.open(url, method=method, data=form)
        where = f"{visitor} {method} {url}"
        if visitor in ("anonymous", "deactivated"):
            assert response.status_code == 302, where
            assert "/auth/login" in response.headers["Location"], where
        elif visitor == "staff":
            assert response.status_code == 403, where
        else:
            assert response.status_code not in (302, 401, 403) or "/auth/login" not in response.headers.get(
                "Location", ""
            ), where
            assert response.status_code != 403, where
            assert response.status_code < 500, where
