"""structlog on stderr: JSON when not a terminal, a trace_id bound for the whole run."""

from __future__ import annotations

import logging
import sys
import uuid

import structlog


def configure_logging(verbose: bool = False) -> None:
    """Configure structlog once per run; stdout stays free for the report."""
    renderer: structlog.typing.Processor = (
        structlog.dev.ConsoleRenderer()
        if sys.stderr.isatty()
        else structlog.processors.JSONRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso"),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.INFO if verbose else logging.WARNING
        ),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=False,
    )
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(trace_id=uuid.uuid4().hex[:16])
