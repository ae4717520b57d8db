"""Slack adapter: slack-bolt app, member directory, rich-text conversion."""
