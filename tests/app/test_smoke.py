def test_health_says_database_answered(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "database": "ok"}


def test_feed_shows_published_story(client, ctx, make_story, as_role):
    make_story(title="Drove the spare part to the customer")
    as_role("staff")
    response = client.get("/")
    assert response.status_code == 200
    assert b"Drove the spare part to the customer" in response.data
