"""Fixtures for single sign-on: OpenID provider processes on loopback, and an app that trusts them."""
from __future__ import annotations

import pytest

from tests.sso.flow import start_provider, stop_provider


@pytest.fixture(scope="session")
def provider_process(tmp_path_factory):
    """The company's identity provider, one process for the whole run."""
    running = start_provider(("company",), tmp_path_factory.mktemp("oidc") / "provider.log")
    yield running
    stop_provider(running)


@pytest.fixture(scope="session")
def partner_process(tmp_path_factory):
    """A second, separate provider (another issuer and keys), started only where a test needs it."""
    running = start_provider(("partner",), tmp_path_factory.mktemp("oidc") / "partner.log")
    yield running
    stop_provider(running)


@pytest.fixture
def provider(provider_process):
    """The company's provider, reset to sign in Ada (ada@example.com, verified)."""
    provider_process.control(reset=True)
    return provider_process


@pytest.fixture
def sso_app(app, provider):
    """The app with the company's provider configured and passwords for everyone."""
    app.config.update(OIDC_PROVIDERS=[provider.settings()])
    return app
