"""Single sign-on settings as an operator writes them: mistakes named, common spellings read."""
from __future__ import annotations

import re

import pytest

from storyboard.auth import oidc, sso

GOOD = {"name": "company", "label": "Company account", "issuer": "https://id.example.com",
        "client_id": "storyboard", "client_secret": "s"}


def test_a_provider_is_read_with_its_discovery_address_and_domains(app, ctx):
    app.config.update(OIDC_PROVIDERS=[
        {**GOOD, "issuer": "https://id.example.com/", "allowed_domains": ["@Example.com"]}])
    [provider] = oidc.providers()
    assert provider.metadata_url == "https://id.example.com/.well-known/openid-configuration"
    assert provider.allowed_domains == ("example.com",)
    assert provider.scope == "openid email profile"
    assert oidc.callback_url(provider) == "https://storyboard.example.com/auth/sso/company/callback"


@pytest.mark.parametrize(("entries", "message"), [
    ([{**GOOD, "name": "Company Account"}], "the name 'Company Account' must be lower-case letters, digits and dashes"),
    ([{**GOOD, "client_secret": ""}], "OIDC_PROVIDERS[company]: give an issuer (or metadata_url), client_id and"),
    ([{**GOOD, "issuer": None}], "OIDC_PROVIDERS[company]: give an issuer (or metadata_url)"),
    ([GOOD, GOOD], "each provider needs a name of its own"),
])
def test_a_mistake_in_the_providers_is_named(app, ctx, entries, message):
    app.config.update(OIDC_PROVIDERS=entries)
    with pytest.raises(ValueError, match=re.escape(message)):
        oidc.providers()


@pytest.mark.parametrize(("setting", "everyone"), [
    ("everyone", True), ("break_glass", False), ("break-glass", False), (" Break_Glass ", False),
])
def test_passwords_are_off_however_break_glass_is_spelt(app, ctx, setting, everyone):
    app.config.update(PASSWORD_SIGN_IN=setting)
    assert sso.passwords_for_everyone() is everyone


def test_break_glass_admins_from_a_comma_separated_variable(app, ctx, make_person):
    app.config.update(PASSWORD_SIGN_IN="break_glass", BREAK_GLASS_EMAILS="root@example.com, Ops@example.com")
    root = make_person(email="root@example.com", role="admin")
    ops = make_person(email="ops@example.com", role="staff")  # listed, but not an admin
    other = make_person(email="other@example.com", role="admin")  # an admin, not listed
    assert [sso.may_use_password(person) for person in (root, ops, other)] == [True, False, False]
    root.active = False
    assert not sso.may_use_password(root)


def test_an_invitation_says_where_to_sign_in_when_passwords_are_off(app, ctx, make_person):
    from storyboard.people.invitations import build_invitation

    newcomer = make_person(email="new.starter@example.com", name="New Starter")
    with_password = build_invitation(newcomer).get_content()
    assert "Choose your password here" in with_password and "/auth/set-password/" in with_password

    app.config.update(PASSWORD_SIGN_IN="break_glass", BREAK_GLASS_EMAILS=[])
    text = build_invitation(newcomer).get_content()
    assert "Sign in with your company account here:" in text
    assert "https://storyboard.example.com/auth/login" in text
    assert "password" not in text.lower() and "/auth/set-password/" not in text
