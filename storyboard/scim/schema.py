"""What Storyboard's SCIM Users are, as scim2-models describes them.

Requests are read with the library's own `User[EnterpriseUser]`, so every attribute of the
standard User and enterprise schemas is understood (and one no schema defines is refused); the
ones Storyboard has no column for (nickName, phoneNumbers, ...) are accepted and dropped, since
Okta and Entra send them by default. Responses and /Schemas use the narrower `User`
below: exactly what Storyboard keeps, so a client never expects back what it cannot have.
"""
from __future__ import annotations

from typing import Annotated, Any

from scim2_models import (
    URN,
    AuthenticationScheme,
    Bulk,
    CaseExact,
    ChangePassword,
    ComplexAttribute,
    ETag,
    Extension,
    Filter,
    Mutability,
    Patch,
    Required,
    Resource,
    ResourceType,
    ScimProvider,
    ServiceProviderConfig,
    Sort,
    Uniqueness,
)
from scim2_models import EnterpriseUser as StandardEnterpriseUser
from scim2_models import User as StandardUser

CORE_USER = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE_USER = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
RequestUser = StandardUser[StandardEnterpriseUser]  # what clients send


class Name(ComplexAttribute):
    # Storyboard keeps one name (`displayName`); this is it, shown as a name.
    formatted: Annotated[str | None, Mutability.read_only] = None


class Manager(ComplexAttribute):
    # Only the id: the standard's `$ref` and `displayName` would be read-only values a client
    # never sent, so a client comparing what it wrote with what it reads would see a change.
    value: Annotated[str | None, Required.true, CaseExact.true] = None
    """The manager's `id` here (the HR system may send its own id, an `externalId`)."""


class EnterpriseUser(Extension):
    __schema__ = URN(ENTERPRISE_USER)

    department: str | None = None
    manager: Manager | None = None


class User(Resource[Any]):
    __schema__ = URN(CORE_USER)

    user_name: Annotated[str | None, Uniqueness.server, Required.true] = None
    """The person's work email address, with which they sign in."""

    # Storyboard keeps one name, so `name` is read-only here and `displayName` is required:
    # a person always has one. (Requests may still send `name`: see `service.fields_from`.)
    name: Annotated[Name | None, Mutability.read_only] = None
    display_name: Annotated[str | None, Required.true] = None
    title: str | None = None
    # Everyone is active or not: never absent.
    active: Annotated[bool | None, Required.true] = None


ResponseUser = User[EnterpriseUser]

MAX_RESULTS_DEFAULT = 200


def provider(max_results: int = MAX_RESULTS_DEFAULT) -> ScimProvider:
    """What /ServiceProviderConfig, /ResourceTypes and /Schemas publish."""
    config = ServiceProviderConfig(
        documentation_uri=None,
        patch=Patch(supported=True),
        bulk=Bulk(supported=False, max_operations=0, max_payload_size=0),
        filter=Filter(supported=True, max_results=max_results),
        change_password=ChangePassword(supported=False),
        sort=Sort(supported=False),
        etag=ETag(supported=False),
        authentication_schemes=[AuthenticationScheme(
            type="oauthbearertoken", name="Bearer token",
            description="The token set as SCIM_BEARER_TOKEN, sent as `Authorization: Bearer <token>`.",
            primary=True,
        )],
    )
    resource_type = ResourceType.from_resource(ResponseUser)
    return ScimProvider(models=[User, EnterpriseUser], resource_types=[resource_type],
                        config=config)
