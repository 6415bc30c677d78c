"""schemathesis against the OpenAPI document the app serves: every operation, with a read and a
write token, with valid and invalid inputs drawn from the schema, answers without a server
error, with a status the document lists and a body its schema describes."""
from __future__ import annotations

import time
from datetime import datetime

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.generation.modes import GenerationMode
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from storyboard.extensions import db, limiter
from storyboard.models import DigestIssue, DigestIssueStory, StoryStatus, Value
from tests.api.conftest import bearer

pytestmark = pytest.mark.slow

EXAMPLES = 12  # per operation, mode and token: about 500 requests per database
CHECKS = [not_a_server_error, status_code_conformance, response_schema_conformance]


@pytest.fixture
def company(ctx, make_person, make_story, make_token):
    """A few people and stories in several states, a canon story and a digest issue; a read and
    a write token."""
    boss = make_person(name="Bea Boss")
    people = [make_person(name=f"Person {number}", manager_id=boss.id) for number in range(3)]
    for status in StoryStatus:
        make_story(nominator=people[0], nominees=people[1:], status=status)
    classic = make_story(in_canon=True, canon_lesson="Ask first.", canonized_at=datetime(2026, 1, 5, 9))
    issue = DigestIssue(issue_key="2026-11-30", cut_at=datetime(2026, 11, 30, 7))
    db.session.add(issue)
    db.session.flush()
    db.session.add(DigestIssueStory(issue_id=issue.id, story_id=classic.id, section="canon", position=1))
    db.session.commit()
    tokens = {scope: make_token(people[0], scope=scope)[1] for scope in ("read", "write")}
    # Drawn data rarely names a row that exists: these cases do, so the successes are checked too.
    value = db.session.scalars(db.select(Value).order_by(Value.position)).first()
    found = {
        "/api/v1/stories/{story_id}": {"path_parameters": {"story_id": classic.id}},
        "/api/v1/people/{person_id}": {"path_parameters": {"person_id": people[1].id}},
        "/api/v1/digest/issues/{issue_key}": {"path_parameters": {"issue_key": "2026-11-30"}},
        "/api/v1/nominations": {"body": {"nominees": [people[1].id], "values": [value.id], "title": "Found it",
                                         "body_md": "She *ran*.", "impact": "On time.",
                                         "happened_on": "2026-11-02", "submit": True},
                                "media_type": "application/json"},
    }
    return tokens, found


def test_every_operation_keeps_to_the_document(app, company):
    tokens, found = company
    app.config["API_RATE_LIMIT"] = "100000 per minute"  # the limit has its own test
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=bearer(tokens["write"]))
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {f"{operation.method.upper()} {operation.path}" for operation in operations} == {
        "GET /api/v1/stories", "GET /api/v1/stories/{story_id}", "GET /api/v1/people",
        "GET /api/v1/people/{person_id}", "GET /api/v1/values", "GET /api/v1/canon/stories",
        "GET /api/v1/canon/collections", "GET /api/v1/digest/issues", "GET /api/v1/digest/issues/{issue_key}",
        "POST /api/v1/nominations", "GET /api/v1/openapi.json"} - {"GET /api/v1/openapi.json"}
    failures, calls, started = [], [], time.monotonic()
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            for scope, secret in tokens.items():
                drawn(app, operation, mode, f"{operation.method.upper()} {operation.path} [{mode.value}, {scope}]",
                      secret, failures, calls)
        for scope, secret in tokens.items():
            if operation.path in found:
                known = operation.Case(**found[operation.path])
                response = known.call_and_validate(headers=bearer(secret), checks=CHECKS)
                assert response.status_code == (201 if operation.method == "post" and scope == "write"
                                                else 403 if operation.method == "post" else 200), response.text
    print(f"schemathesis: {len(calls)} requests over {len(operations)} operations in "
          f"{time.monotonic() - started:.1f} s")
    assert not failures, "\n\n".join(dict.fromkeys(failures))


def drawn(app, operation, mode, label: str, secret: str, failures: list, calls: list) -> None:
    """EXAMPLES cases of `operation` drawn in `mode`, each sent with the token and checked."""

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        calls.append(label)
        with app.app_context():
            limiter.reset()
        try:
            case.call_and_validate(headers=bearer(secret), checks=CHECKS)
        except Exception as failure:  # noqa: BLE001  collected, then reported together
            failures.append(f"{label}: {str(failure)[:600]}")

    check()
