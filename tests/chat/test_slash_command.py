"""The Slack slash command, served over real HTTP on loopback and posted to with `requests`
exactly as Slack posts it: a form-encoded body signed with the app's signing secret."""
from __future__ import annotations

import time
from urllib.parse import urlencode, urlsplit

import pytest
import requests
from slack_sdk.signature import SignatureVerifier
from sqlalchemy import func, select

from storyboard.extensions import db
from storyboard.models import SlackAccount, SlackRequestSeen, Story
from storyboard.stories import service as stories

pytestmark = pytest.mark.slow

SECRET = "e3b0c44298fc1c149afbf4c8996fb924"
TEAM = "T0001"


@pytest.fixture
def slack(app, served):
    """Post a slash command as Slack would: returns the `requests` response."""
    app.config["SLACK_SIGNING_SECRET"] = SECRET

    def post(text: str, user_id: str = "U0001", user_name: str = "nora", *, secret: str = SECRET,
             age: int = 0, body: str | None = None, headers: dict | None = None) -> requests.Response:
        body = body if body is not None else urlencode({
            "token": "gIkuvaNzQIHg97ATvDxqgjtO", "team_id": TEAM, "team_domain": "northwind",
            "channel_id": "C2147483705", "channel_name": "kudos", "user_id": user_id, "user_name": user_name,
            "command": "/storyboard", "text": text, "api_app_id": "A123456",
            "response_url": "https://hooks.slack.com/commands/1234/5678",
            "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        })
        timestamp = str(int(time.time()) - age)
        signature = SignatureVerifier(secret).generate_signature(timestamp=timestamp, body=body)
        sent = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": signature,
                "Content-Type": "application/x-www-form-urlencoded"} | (headers or {})
        return requests.post(f"{served}/chat/slack/commands", data=body.encode(), headers=sent, timeout=10)

    return post


@pytest.fixture
def nora(ctx, make_person):
    """A staff member whose Slack account (U0001) is linked."""
    person = make_person(name="Nora Nominator", email="nora@example.com")
    db.session.add(SlackAccount(team_id=TEAM, user_id="U0001", user_name="nora", person_id=person.id))
    db.session.commit()
    return person


def stories_count() -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).select_from(Story))


def test_a_signed_nomination_saves_a_draft_for_the_sender_to_finish(nora, make_person, slack, client, login):
    nina = make_person(name="Nina Patel", email="nina.patel@example.com")
    # Slack escapes what people type (&, <, >) before it posts the text.
    response = slack("nominate nina.patel@example.com stayed late &amp; traced the &lt;parcel&gt; by hand")
    assert response.status_code == 200
    answer = response.json()
    assert answer["response_type"] == "ephemeral"
    story = db.session.scalar(select(Story))
    assert (story.status, story.nominator_id, [person.id for person in story.nominees]) == ("draft", nora.id, [nina.id])
    assert story.body_md == "stayed late & traced the <parcel> by hand"  # as typed, Slack's escapes undone
    assert story.title == "stayed late & traced the <parcel> by hand"
    edit = f"https://storyboard.example.com/stories/{story.id}/edit"
    assert answer["text"] == (
        "Saved a draft about Nina Patel: “stayed late &amp; traced the &lt;parcel&gt; by hand”. "
        f"<{edit}|Finish it on Storyboard> (choose the values and the impact), then send it to HR.")
    # Only its writer may open it: like any draft.
    assert stories.can_edit(nora, story) and not stories.can_view(nina, story)
    login(nora)
    page = client.get(urlsplit(edit).path)
    assert page.status_code == 200
    assert "stayed late &amp; traced the &lt;parcel&gt; by hand</textarea>" in page.get_data(as_text=True)


def test_a_mention_a_quoted_name_and_a_plain_name_find_the_colleague(nora, make_person, slack):
    nina = make_person(name="Nina Patel")
    sam = make_person(name="Sam Okafor")
    db.session.add(SlackAccount(team_id=TEAM, user_id="U0NINA", user_name="nina", person_id=nina.id))
    db.session.commit()
    slack("nominate <@U0NINA|nina> fixed the printer")
    slack('nominate "Sam Okafor" fixed the fax')
    slack("nominate Sam Okafor fixed the scanner")
    drafts = db.session.scalars(select(Story).order_by(Story.id)).all()
    assert [(story.nominees[0].id, story.body_md) for story in drafts] == [
        (nina.id, "fixed the printer"), (sam.id, "fixed the fax"), (sam.id, "fixed the scanner")]


def test_an_ambiguous_name_lists_the_choices_and_saves_nothing(nora, make_person, slack):
    make_person(name="Sam Okafor", email="sam.o@example.com")
    make_person(name="Sam Smith", email="sam.s@example.com")
    answer = slack("nominate Sam did great").json()
    assert answer["text"] == ("More than one colleague matches “Sam”. Send the command again with the email address "
                              "of the one you mean:\n• Sam Okafor (sam.o@example.com)\n• Sam Smith (sam.s@example.com)")
    assert stories_count() == 0
    assert slack("nominate nobody@example.com did great").json()["text"] == (
        "No active colleague has the email address nobody@example.com.")
    assert slack("nominate nora@example.com me again").json()["text"].startswith("You cannot nominate only yourself")


def test_help_and_unknown_commands_explain_the_command(nora, slack):
    for text in ("", "help"):
        assert slack(text).json()["text"].startswith("*/storyboard nominate @person what they did*")
    assert slack("applaud everyone").json()["text"].startswith("I don't know “applaud”. */storyboard nominate")
    assert stories_count() == 0


def test_a_wrong_signature_an_old_timestamp_and_a_replay_are_refused(nora, make_person, slack):
    make_person(name="Nina Patel", email="nina.patel@example.com")
    wrong = slack("nominate nina.patel@example.com did great", secret="not-the-signing-secret")
    assert wrong.status_code == 401 and wrong.json() == {"error": "The request's signature is wrong."}
    old = slack("nominate nina.patel@example.com did great", age=6 * 60)
    assert old.status_code == 401 and old.json() == {"error": "The request is more than five minutes old."}
    unsigned = requests.post(wrong.url, data={"text": "nominate x"}, timeout=10)
    assert unsigned.status_code == 401
    assert stories_count() == 0

    body = urlencode({"team_id": TEAM, "user_id": "U0001", "user_name": "nora",
                      "text": "nominate nina.patel@example.com did great"})
    timestamp = str(int(time.time()))
    headers = {"X-Slack-Request-Timestamp": timestamp, "Content-Type": "application/x-www-form-urlencoded",
               "X-Slack-Signature": SignatureVerifier(SECRET).generate_signature(timestamp=timestamp, body=body)}
    first = requests.post(wrong.url, data=body.encode(), headers=headers, timeout=10)
    assert first.status_code == 200 and stories_count() == 1
    again = requests.post(wrong.url, data=body.encode(), headers=headers, timeout=10)
    assert again.status_code == 401 and again.json() == {"error": "This request was already received."}
    assert stories_count() == 1
    assert db.session.scalar(select(func.count()).select_from(SlackRequestSeen)) == 1


def test_a_session_cookie_is_no_signature(app, nora, client, login, served, slack):
    slack("help")  # sets the signing secret
    login(nora)
    cookie = client.get_cookie(app.config.get("SESSION_COOKIE_NAME", "session"))
    response = requests.post(f"{served}/chat/slack/commands", data={"text": "nominate x did y"},
                             cookies={cookie.key: cookie.value}, timeout=10)
    assert response.status_code == 401


def test_an_unlinked_sender_gets_a_link_that_links_them_once_signed_in(ctx, client, make_person, login, slack):
    person = make_person(name="Una Unlinked")
    make_person(name="Nina Patel", email="nina.patel@example.com")
    answer = slack("nominate nina.patel@example.com did great", user_id="U0UNA", user_name="una").json()
    assert answer["text"].startswith("First link your Slack account to Storyboard (once): <https://storyboard.example.com/chat/slack/link/")
    link = answer["text"].split("<", 1)[1].split("|", 1)[0]
    path = urlsplit(link).path
    assert stories_count() == 0

    assert client.get(path).status_code == 302  # sign in first
    login(person)
    page = client.get(path).get_data(as_text=True)
    assert "Link the Slack account <strong>una</strong> to your Storyboard account, Una Unlinked" in page
    assert db.session.scalar(select(SlackAccount)) is None  # a GET links nothing
    assert client.post(path).headers["Location"] == path
    account = db.session.scalar(select(SlackAccount))
    assert (account.team_id, account.user_id, account.person_id) == (TEAM, "U0UNA", person.id)
    assert "is linked to you, Una Unlinked" in client.get(path).get_data(as_text=True)

    assert slack("nominate nina.patel@example.com did great", user_id="U0UNA").status_code == 200
    assert db.session.scalar(select(Story.nominator_id)) == person.id
    assert client.get(path[:-3] + "xyz").status_code == 404  # a tampered link
