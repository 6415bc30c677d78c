"""Icons come from one SVG sprite in static/, never from an emoji font a computer may not have,
and every page has a favicon."""
import re

import pytest

# Emoji and pictographs that show as a missing-glyph box without an emoji font.
EMOJI = re.compile("[\U0001F300-\U0001FAFF\u2600-\u27BF\u2B50\u2B55]")
ICON_USE = re.compile(r'<use href="(/static/icons/icons\.[0-9a-f]{12}\.svg)#([\w-]+)"')  # named by its content


@pytest.fixture
def pages(ctx, make_person, make_story, login):
    curator = make_person(role="curator", name="Priya Shah")
    nominee = make_person(name="Dana Olsen")
    story = make_story(nominator=curator, nominees=[nominee])
    waiting = make_story(nominator=curator, nominees=[nominee], status="submitted", title="Waiting")
    login(curator)
    return [
        "/", f"/stories/{story.id}", f"/stories/{waiting.id}", "/mine", "/digest/next", "/queue/",
        f"/people/{nominee.id}", "/people/", "/values", "/canon/", "/notifications", "/preferences",
    ]


def test_no_page_relies_on_an_emoji_font(client, pages):
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.get_data(as_text=True)
        assert not EMOJI.findall(html), f"{path} shows {EMOJI.findall(html)}"


def test_every_icon_a_page_uses_is_in_the_sprite(client, pages):
    used = set()
    for path in pages:
        used |= set(ICON_USE.findall(client.get(path).get_data(as_text=True)))
    names = {name for _, name in used}
    assert {"applause", "eye", "bell", "search", "menu"} <= names
    with client.get("/static/icons/icons.svg") as sprite:
        assert sprite.status_code == 200
        assert sprite.mimetype == "image/svg+xml"
        symbols = set(re.findall(r'<symbol id="([\w-]+)"', sprite.get_data(as_text=True)))
    assert names <= symbols, f"missing from the sprite: {names - symbols}"


def test_the_applause_count_on_a_card_is_an_icon_with_words_for_screen_readers(client, pages):
    html = client.get("/").get_data(as_text=True)
    count = re.search(r'<span class="applause-count">(.*?)</span>\s*<span class="reader-count">', html, re.S).group(1)
    assert 'aria-hidden="true"' in count and "#applause" in count
    assert '<span class="visually-hidden"> applause</span>' in count


@pytest.mark.parametrize("signed_in", [True, False], ids=["signed-in", "signed-out"])
def test_every_page_names_a_favicon_that_exists(app, client, make_person, login, signed_in):
    with app.app_context():
        if signed_in:
            login(make_person())
    for path in (["/", "/people/"] if signed_in else ["/auth/login"]):
        response = client.get(path)
        assert response.status_code == 200, path
        found = re.search(r'<link rel="icon" href="([^"]+)" type="image/svg\+xml">', response.get_data(as_text=True))
        assert found, f"{path} names no favicon"
        href = found.group(1)
        with client.get(href) as icon:
            assert icon.status_code == 200 and icon.mimetype == "image/svg+xml", path
    # Browsers and feed readers still ask for /favicon.ico on their own.
    with client.get("/favicon.ico", follow_redirects=True) as response:
        assert response.status_code == 200 and response.mimetype == "image/svg+xml"


def test_a_profile_without_stories_says_what_to_do_next(client, ctx, make_person, login):
    login(make_person())
    dana = make_person(name="Dana Olsen")
    html = client.get(f"/people/{dana.id}").get_data(as_text=True)
    assert "No stories about Dana Olsen yet." in html
    assert f'<a class="button button-primary" href="/nominate?nominee={dana.id}">Nominate Dana Olsen</a>' in html


def test_an_empty_feed_invites_the_first_nomination(client, ctx, make_person, login):
    login(make_person())
    html = client.get("/").get_data(as_text=True)
    assert "No stories have been published yet." in html
    assert '<a class="button button-primary" href="/nominate">Nominate a colleague</a>' in html
