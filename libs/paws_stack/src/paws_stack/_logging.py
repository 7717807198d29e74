"""Diagnostic logs: the library logs through stdlib logging (silent unless configured); the
CLI renders them with structlog on stderr, JSON off a terminal, with one trace_id per command.

Progress for people goes through console.TerminalProgress. Values logged are never secrets:
callers log names, argv and durations only.
"""

from __future__ import annotations

import logging
import sys
import uuid

import structlog

LEVELS = {"debug": logging.DEBUG, "info": logging.INFO, "warning": logging.WARNING}


def configure(level: str = "warning") -> None:
    """Route the `paws_stack` loggers to stderr through structlog and bind a fresh trace_id."""
    renderer: structlog.typing.Processor = (
        structlog.dev.ConsoleRenderer()
        if sys.stderr.isatty()
        else structlog.processors.JSONRenderer()
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.contextvars.merge_contextvars,
            structlog.stdlib.add_log_level,
            structlog.stdlib.add_logger_name,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
        ],
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    logger = logging.getLogger("paws_stack")
    logger.handlers = [handler]
    logger.setLevel(LEVELS.get(level, logging.WARNING))
    logger.propagate = False
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(trace_id=uuid.uuid4().hex[:16])
