"""What people typed reaches Slack and Teams as text, never as markup (pure functions)."""
from __future__ import annotations

import pytest

from storyboard.chat.payloads import slack_escape, teams_escape


@pytest.mark.parametrize("typed, shown", [
    ("<!channel> look", "&lt;!channel&gt; look"),
    ("<https://evil.example|your bank>", "&lt;https://evil.example|your bank&gt;"),
    ("Fish & chips", "Fish &amp; chips"),
    ("&lt; already", "&amp;lt; already"),
    ("*bold* _it_ ~s~", "*bold* _it_ ~s~"),  # mrkdwn emphasis is harmless; only &, <, > control Slack
])
def test_slack_text_is_escaped(typed, shown):
    assert slack_escape(typed) == shown


@pytest.mark.parametrize("typed, shown", [
    ("**bold**", r"\*\*bold\*\*"),
    ("[click](https://evil.example)", r"\[click\]\(https://evil.example\)"),
    ("- not a list\n1. nor this", "\\- not a list\n1\\. nor this"),
    ("# no heading", r"\# no heading"),
    ("plain words, 3.5 stars", "plain words, 3.5 stars"),
])
def test_teams_text_is_escaped(typed, shown):
    assert teams_escape(typed) == shown


def test_a_bad_now_is_refused_with_an_example(runner):
    result = runner.invoke(args=["chat", "deliver", "--now", "yesterday"])
    assert result.exit_code == 2
    assert "use ISO 8601, for example 2026-11-23T07:00:00+00:00" in result.output
