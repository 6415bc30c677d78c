"""OpenID Connect: the providers in OIDC_PROVIDERS, and the two legs of the code flow.

Authlib's Flask client does the protocol: discovery, the authorization redirect with `state`,
a `nonce` and a PKCE (S256) challenge kept in the session, the code exchange, and the ID
token's signature against the provider's keys (JWKS). Storyboard adds what Authlib leaves to
the application: the discovered issuer must be the configured one, and the ID token must name
this client in `aud` (Authlib alone checks only `azp`), with `iss`, `sub` and `exp` present.
Every way the flow can fail becomes one `SignInFailed` with a message for the sign-in page.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import current_app
from joserfc.errors import ExpiredTokenError, JoseError

from storyboard.urls import external_url

PROVIDER_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,39}")
DISCOVERY_PATH = "/.well-known/openid-configuration"
EXTENSION_KEY = "storyboard.oidc"


class SignInFailed(Exception):
    """Single sign-on did not sign anyone in: the message for the sign-in page, and a 4xx."""

    def __init__(self, message: str, status: int = 401):
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class Provider:
    """One entry of OIDC_PROVIDERS, checked."""

    name: str
    label: str
    metadata_url: str
    issuer: str | None
    client_id: str
    client_secret: str
    allowed_domains: tuple[str, ...] = ()
    trust_email: bool = False
    scope: str = "openid email profile"


def _provider(entry: dict) -> Provider:
    name = entry.get("name", "")
    if not isinstance(name, str) or not PROVIDER_NAME.fullmatch(name):
        raise ValueError(f"OIDC_PROVIDERS: the name {name!r} must be lower-case letters, digits and dashes")
    issuer = entry.get("issuer")
    metadata_url = entry.get("metadata_url") or (issuer and issuer.rstrip("/") + DISCOVERY_PATH)
    if not metadata_url or not entry.get("client_id") or not entry.get("client_secret"):
        raise ValueError(f"OIDC_PROVIDERS[{name}]: give an issuer (or metadata_url), client_id and client_secret")
    return Provider(
        name=name, label=entry.get("label") or name, metadata_url=metadata_url, issuer=issuer,
        client_id=entry["client_id"], client_secret=entry["client_secret"],
        allowed_domains=tuple(domain.lower().lstrip("@") for domain in entry.get("allowed_domains", ())),
        trust_email=bool(entry.get("trust_email", False)),
        scope=entry.get("scope") or Provider.scope,
    )


def providers() -> list[Provider]:
    """The configured providers, in the order their buttons show."""
    found = [_provider(entry) for entry in current_app.config.get("OIDC_PROVIDERS") or ()]
    names = [provider.name for provider in found]
    if len(set(names)) != len(names):
        raise ValueError(f"OIDC_PROVIDERS: each provider needs a name of its own, not {names}")
    return found


def find(name: str) -> Provider | None:
    return next((provider for provider in providers() if provider.name == name), None)


def _client(provider: Provider):
    """Authlib's client for `provider`, one registry per app (tests build many apps), made on
    first use so that a provider that is down does not stop the app from starting."""
    app = current_app._get_current_object()
    oauth = app.extensions.get(EXTENSION_KEY)
    if oauth is None:
        oauth = app.extensions[EXTENSION_KEY] = OAuth(app)
    client = oauth.create_client(provider.name)
    if client is None:
        # overwrite=True: settings such as COMPANY_CLIENT_ID, which Authlib would read for a
        # provider named "company", never replace what OIDC_PROVIDERS says.
        oauth.register(
            provider.name, overwrite=True, client_id=provider.client_id, client_secret=provider.client_secret,
            server_metadata_url=provider.metadata_url,
            client_kwargs={"scope": provider.scope, "code_challenge_method": "S256",
                           "default_timeout": app.config["OIDC_TIMEOUT"]},
        )
        client = oauth.create_client(provider.name)
    return client


def callback_url(provider: Provider) -> str:
    """The redirect URI to register at the provider: on EXTERNAL_URL, so it is the same
    whichever address the request came in on."""
    return external_url("auth.sso_callback", provider=provider.name)


def authorization_redirect(provider: Provider):
    """The redirect to the provider; `state`, `nonce` and the PKCE verifier go in the session."""
    client = _client(provider)
    try:
        _check_issuer(provider, client.load_server_metadata())
        return client.authorize_redirect(callback_url(provider))
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as error:
        current_app.logger.warning("Single sign-on with %s could not start: %s", provider.name, error)
        raise SignInFailed(_unreachable(provider)) from error


def _check_issuer(provider: Provider, metadata: dict) -> None:
    """OpenID Connect Discovery 4.3: the document must name the issuer it was fetched for."""
    if provider.issuer and metadata.get("issuer") != provider.issuer:
        raise ValueError(f"discovery names issuer {metadata.get('issuer')!r}, not {provider.issuer!r}")


def _unreachable(provider: Provider) -> str:
    return f"{provider.label} could not be reached, so nobody was signed in. Try again in a few minutes."


def finish(provider: Provider) -> dict:
    """Exchange the callback's code and return the ID token's verified claims."""
    client = _client(provider)
    try:
        metadata = client.load_server_metadata()
        _check_issuer(provider, metadata)
        issuer = provider.issuer or metadata["issuer"]
        token = client.authorize_access_token(
            leeway=current_app.config["OIDC_LEEWAY"],
            claims_options={"iss": {"essential": True, "value": issuer},
                            "aud": {"essential": True, "value": provider.client_id},
                            "sub": {"essential": True}, "exp": {"essential": True}},
        )
    except MismatchingStateError as error:
        raise SignInFailed("That sign-in had expired or was started in another browser. "
                           "Start again with the button below.", 400) from error
    except OAuthError as error:
        raise SignInFailed(_provider_said(provider, error.error)) from error
    except ExpiredTokenError as error:
        raise SignInFailed(f"The answer from {provider.label} had expired. Start again.") from error
    except JoseError as error:
        current_app.logger.warning("ID token from %s refused: %s", provider.name, error)
        raise SignInFailed(
            f"The answer from {provider.label} could not be verified, so nobody was signed in.") from error
    except (requests.RequestException, ValueError, KeyError, RuntimeError) as error:
        current_app.logger.warning("Single sign-on with %s failed: %s", provider.name, error)
        raise SignInFailed(_unreachable(provider)) from error
    claims = token.get("userinfo")
    if not claims:
        raise SignInFailed(f"{provider.label} sent no ID token, so nobody was signed in.")
    return dict(claims)


def _provider_said(provider: Provider, error: str | None) -> str:
    if error == "access_denied":
        return f"Signing in with {provider.label} was cancelled or refused. Nobody was signed in."
    if error == "invalid_grant":
        return f"{provider.label} refused that sign-in (it was used already or is too old). Start again."
    return f"{provider.label} did not sign you in ({error or 'no reason given'}). Start again."
