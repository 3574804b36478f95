"""Logging for the long-running commands: plain lines for people, or one JSON object
per line (`CROSSDOCK_LOG_FORMAT=json`) for a log pipeline, with the fields the code
adds (consumer, topic, message id, correlation id, outcome, ms) as keys."""

from __future__ import annotations

import logging
import sys

from pythonjsonlogger.json import JsonFormatter

_TEXT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def configure(*, fmt: str = "text", level: str = "INFO") -> None:
    """Send Crossdock's logs to stderr as `fmt` (text or json) from `level` up."""
    handler = logging.StreamHandler(sys.stderr)
    if fmt == "json":
        handler.setFormatter(
            JsonFormatter(
                "%(asctime)s %(levelname)s %(name)s %(message)s",
                rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            )
        )
    else:
        handler.setFormatter(logging.Formatter(_TEXT))
    root = logging.getLogger("crossdock")
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    root.propagate = False
