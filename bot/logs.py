"""Logging set-up. Message text must never reach a log line."""

from __future__ import annotations

import logging

# Their DEBUG output includes request and response bodies (message text, member names).
LIBRARIES = ("apscheduler", "slack_bolt", "slack_sdk", "aiohttp", "botbuilder")


def quiet_libraries() -> None:
    """Keep third-party loggers at INFO or above, whatever the root level."""
    for name in LIBRARIES:
        logger = logging.getLogger(name)
        if logger.getEffectiveLevel() < logging.INFO:
            logger.setLevel(logging.INFO)
    # "Running job ... executed successfully" every five minutes says nothing; failures still show
    logging.getLogger("apscheduler.executors").setLevel(logging.WARNING)


def setup(level: str) -> None:
    """Our loggers at ``level``; libraries never below INFO."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    quiet_libraries()
