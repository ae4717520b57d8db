"""Teamweather's errors. They are turned into messages only at the edges (CLI, bot handlers)."""

from __future__ import annotations


class TeamweatherError(Exception):
    """Base class: the message is meant for the person running Teamweather."""


class ConfigError(TeamweatherError):
    """A setting is missing or malformed; the message names the key and where it is read."""


class NotAllowed(TeamweatherError):
    """The person asked for something their role does not permit."""


class PlatformUnavailable(TeamweatherError):
    """Slack or Teams could not be reached for something Teamweather cannot run without."""


class ModelError(TeamweatherError):
    """A model's files are missing, altered or unreadable."""


class StorageBusy(TeamweatherError):
    """The database could not take a write in time (locked, full, or failing); retry later."""
