"""python-scim's conformance checker (scim2-tester) run against /scim/v2 over real HTTP.

The checker fills every writable attribute the server publishes with random values. Two of
Storyboard's are not free text: `userName` is the person's email (they sign in with it) and a
manager must be someone already here. The checker takes a field's `examples` when it has them,
so its description of the server gets those two from here; the rest comes from /Schemas.
"""
from __future__ import annotations

import os
import uuid
from typing import Annotated

import pytest
from pydantic import Field
from scim2_models import CaseExact, Required, ResourceType, ScimProvider, Uniqueness

from storyboard.scim import schema
from tests.scim.conftest import user_payload

try:
    import scim2_tester
except ImportError:  # a test dependency (pyproject's "test" extra): CI must have it
    if os.environ.get("CI"):
        raise
    pytest.skip("scim2-tester is not installed (pip install -e '.[test]')", allow_module_level=True)


class FreshEmails(list):
    """Examples from which every draw is a new email address (the checker uses random.choice)."""

    def __getitem__(self, index):
        return f"{uuid.uuid4().hex}@example.com"


def described_server(manager_id: str) -> ScimProvider:
    class TestedManager(schema.Manager):
        value: Annotated[str | None, Required.true, CaseExact.true] = Field(None, examples=[manager_id])

    class TestedEnterprise(schema.EnterpriseUser):
        manager: TestedManager | None = None

    class TestedUser(schema.User):
        user_name: Annotated[str | None, Uniqueness.server, Required.true] = Field(
            None, examples=FreshEmails([""]))

    return ScimProvider(models=[TestedUser, TestedEnterprise],
                        resource_types=[ResourceType.from_resource(TestedUser[TestedEnterprise])])


@pytest.mark.slow
def test_scim2_tester_finds_nothing_wrong(hr):
    from scim2_client import BaseSyncSCIMClient

    class RequestsClient(BaseSyncSCIMClient):
        """scim2-client over `requests` (its own engine needs httpx2, which Storyboard lacks)."""

        def request(self, method, url, **kwargs):
            return hr.request(method, hr.base + url, **kwargs)

    boss = hr.post(hr.base + "/Users", json=user_payload("boss@example.com", "Bea Boss")).json()
    results = scim2_tester.check_server(RequestsClient(provider=described_server(boss["id"])))
    for result in results:
        print(result.status.name, result.title, result.reason or "")
    failed = [f"{r.title}: {r.reason}" for r in results if r.status.name not in ("SUCCESS", "SKIPPED")]
    assert not failed, "\n".join(failed)
    assert len([r for r in results if r.status.name == "SUCCESS"]) > 30
