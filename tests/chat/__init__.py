"""Chat: outgoing webhooks against a real receiver, and the Slack slash command over HTTP."""
