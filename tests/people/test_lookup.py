"""The JSON lookup behind the nomination form's live search."""


def test_lookup_returns_matching_active_colleagues(client, ctx, as_role, make_person):
    as_role("staff")
    make_person(name="Ada Lovelace", job_title="Engineer", department="IT")
    make_person(name="Ada Leaver", active=False)
    response = client.get("/people/lookup?q=ada")
    assert response.status_code == 200
    assert [(p["name"], p["department"]) for p in response.get_json()] == [("Ada Lovelace", "IT")]


def test_lookup_needs_sign_in(client):
    assert client.get("/people/lookup?q=ada").status_code == 302
