"""A small OpenID provider for the single sign-on tests, built on Authlib's server side.

Run as its own process on loopback: `python tests/sso/provider.py --port N --clients JSON`,
where JSON lists {"client_id", "client_secret", "redirect_uris"}. It serves discovery
(/.well-known/openid-configuration), its keys (/jwks, an RS256 key made at start), /authorize
(the authorization code flow with OpenID Connect and PKCE required, approving at once the user
set through /control) and /token (each code works once, as the specification says).

/control (POST, JSON) is how a test makes it misbehave: {"user": {...claims...}} chooses who
is signed in; {"deny": true} answers the next authorization with access_denied;
{"next_claims": {...}} overrides claims of the next ID token (aud, exp, nonce, iss);
{"wrong_key": true} signs the next ID token with a key not in /jwks; {"reset": true} forgets
all of it.
"""
from __future__ import annotations

import argparse
import json
import secrets
import threading
import time

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import grants
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from flask import Flask, jsonify, request
from joserfc.jwk import RSAKey

KID = "test-key-1"


class Client:
    """A registered relying party (Storyboard)."""

    def __init__(self, client_id: str, client_secret: str, redirect_uris: list[str]):
        self.client_id, self.client_secret, self.redirect_uris = client_id, client_secret, redirect_uris

    def get_client_id(self):
        return self.client_id

    def get_default_redirect_uri(self):
        return self.redirect_uris[0]

    def get_allowed_scope(self, scope):
        return " ".join(word for word in (scope or "").split() if word in ("openid", "email", "profile"))

    def check_redirect_uri(self, redirect_uri):
        return redirect_uri in self.redirect_uris

    def check_client_secret(self, client_secret):
        return secrets.compare_digest(client_secret, self.client_secret)

    def check_endpoint_auth_method(self, method, endpoint):
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type):
        return response_type == "code"

    def check_grant_type(self, grant_type):
        return grant_type == "authorization_code"


class Code:
    """An authorization code, with what it was issued for."""

    def __init__(self, **fields):
        self.__dict__.update(fields)

    def get_redirect_uri(self):
        return self.redirect_uri

    def get_scope(self):
        return self.scope

    def get_nonce(self):
        return self.nonce

    def get_auth_time(self):
        return self.auth_time

    def get_acr(self):
        return None

    def get_amr(self):
        return None


class State:
    """What /control set, shared by the server's threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.codes: dict[str, Code] = {}
        self.reset()

    def reset(self):
        self.user = {"sub": "user-1", "email": "ada@example.com", "email_verified": True, "name": "Ada Lovelace"}
        self.deny = False
        self.next_claims: dict = {}
        self.wrong_key = False


def build_app(issuer: str, clients: list[dict]) -> Flask:
    app = Flask(__name__)
    state = State()
    key = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig", "alg": "RS256"})
    # Same kid, different key: the signature cannot verify against what /jwks publishes.
    stranger = RSAKey.generate_key(2048, parameters={"kid": KID, "use": "sig", "alg": "RS256"})
    registered = {entry["client_id"]: Client(**entry) for entry in clients}

    class AuthorizationCodeGrant(grants.AuthorizationCodeGrant):
        TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]

        def save_authorization_code(self, code, request):
            data = request.payload.data
            with state.lock:
                state.codes[code] = Code(
                    code=code, client_id=request.client.client_id, redirect_uri=request.payload.redirect_uri,
                    scope=request.payload.scope, user=dict(request.user), nonce=data.get("nonce"),
                    auth_time=int(time.time()), code_challenge=data.get("code_challenge"),
                    code_challenge_method=data.get("code_challenge_method"))

        def query_authorization_code(self, code, client):
            found = state.codes.get(code)
            return found if found is not None and found.client_id == client.client_id else None

        def delete_authorization_code(self, authorization_code):
            with state.lock:
                state.codes.pop(authorization_code.code, None)

        def authenticate_user(self, authorization_code):
            return authorization_code.user

    class OpenIDCodeWithKnobs(OpenIDCode):
        def exists_nonce(self, nonce, request):
            return any(code.nonce == nonce for code in state.codes.values())

        def resolve_client_private_key(self, client):
            with state.lock:
                wrong, state.wrong_key = state.wrong_key, False
            return stranger if wrong else key

        def get_client_claims(self, client):
            return {"iss": issuer, "aud": [client.get_client_id()], "exp": int(time.time()) + 600}

        def generate_user_info(self, user, scope):
            # Claims here win over the defaults (encode_id_token applies them last), so the
            # overrides set through /control reach the token as they are.
            with state.lock:
                overrides, state.next_claims = state.next_claims, {}
            return UserInfo({**user, **overrides})

    server = AuthorizationServer(app, query_client=registered.get, save_token=lambda token, request: None)
    server.register_grant(AuthorizationCodeGrant,
                          [OpenIDCodeWithKnobs(require_nonce=True), CodeChallenge(required=True)])

    @app.get("/.well-known/openid-configuration")
    def discovery():
        return jsonify({
            "issuer": issuer, "authorization_endpoint": f"{issuer}/authorize", "token_endpoint": f"{issuer}/token",
            "jwks_uri": f"{issuer}/jwks", "response_types_supported": ["code"], "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"], "code_challenge_methods_supported": ["S256"],
            "scopes_supported": ["openid", "email", "profile"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        })

    @app.get("/jwks")
    def jwks():
        return jsonify({"keys": [key.as_dict(private=False)]})

    @app.get("/authorize")
    def authorize():
        with state.lock:
            deny, state.deny = state.deny, False
            user = dict(state.user)
        return server.create_authorization_response(grant_user=None if deny else user)

    @app.post("/token")
    def token():
        return server.create_token_response()

    @app.post("/control")
    def control():
        knobs = request.get_json()
        with state.lock:
            if knobs.get("reset"):
                state.reset()
            state.user = knobs.get("user", state.user)
            state.deny = knobs.get("deny", state.deny)
            state.next_claims = knobs.get("next_claims", state.next_claims)
            state.wrong_key = knobs.get("wrong_key", state.wrong_key)
        return jsonify({"ok": True})

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--clients", required=True, help="JSON list of client_id, client_secret, redirect_uris")
    arguments = parser.parse_args()
    issuer = f"http://127.0.0.1:{arguments.port}"
    app = build_app(issuer, json.loads(arguments.clients))
    app.run(host="127.0.0.1", port=arguments.port, threaded=True)  # nosec B201 - debug is off


if __name__ == "__main__":
    main()
