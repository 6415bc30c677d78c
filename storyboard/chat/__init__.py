"""Chat: outgoing webhooks (Slack, Teams) and the incoming Slack slash command."""
