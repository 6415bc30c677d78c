"""The OpenAPI document is generated from the routes: every /api/v1 operation is in it, with
the bearer scheme; spectree's own UI pages (scripts from a CDN, which the CSP forbids) are not
served, and the document needs a token like the rest of the API."""
from __future__ import annotations

import re

from tests.api.conftest import bearer


def test_the_document_describes_every_operation(app, client, ctx, make_person, make_token):
    _, secret = make_token(make_person())
    assert client.get("/api/v1/openapi.json").status_code == 401
    response = client.get("/api/v1/openapi.json", headers=bearer(secret))
    assert response.status_code == 200 and response.mimetype == "application/json"
    document = response.get_json()
    assert document["openapi"] == "3.1.0" and document["info"]["title"] == "Storyboard API"
    assert document["components"]["securitySchemes"] == {"bearer": {
        "type": "http", "scheme": "bearer", "bearerFormat": "sb_pat_...",
        "description": "A personal access token, read or write."}}
    assert document["security"] == [{"bearer": []}]

    described = {(method.upper(), path) for path, operations in document["paths"].items() for method in operations}
    served = {(method, re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule))
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/")
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert described == served - {("GET", "/api/v1/openapi.json")}
    assert len(described) == 10
    nominate = document["paths"]["/api/v1/nominations"]["post"]
    assert nominate["operationId"] == "createNomination"
    assert {"201", "400", "403", "415"} <= set(nominate["responses"])
    assert nominate["requestBody"]["content"]["application/json"]["schema"]["$ref"] == "#/components/schemas/Nomination"
    title = document["components"]["schemas"]["Nomination"]["properties"]["title"]
    assert title["maxLength"] == 200  # documented; the form says so in its own words


def test_no_documentation_ui_is_served(app):
    rules = [rule.rule for rule in app.url_map.iter_rules()]
    assert not [rule for rule in rules if re.search(r"apidoc|swagger|redoc|scalar|rapidoc|elements", rule)]
