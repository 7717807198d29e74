#!/usr/bin/env python3
"""Patroni post_bootstrap: create the application role and database, and the exporter's monitor
role, once, on the first leader.

Patroni passes a superuser connection string as the only argument. The passwords are read from
the files the entrypoint prepared, and sent as quoted literals, never put on a command line.
"""

import sys
from pathlib import Path

import psycopg2
from psycopg2 import sql

APP_USER = "app"
APP_DATABASE = "app"
# The PostgreSQL exporter's role: logs in, reads statistics through pg_monitor, nothing more.
# Keep in step with paws_stack.monitorrole (MONITOR_ROLE, MONITOR_ATTRIBUTES,
# MONITOR_MEMBER_OF), which converges clusters bootstrapped before it.
MONITOR_USER = "monitor"
MONITOR_OPTIONS = "LOGIN INHERIT NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS"
MONITOR_MEMBER_OF = "pg_monitor"

password = Path("/run/paws/pg_app_password").read_text(encoding="utf-8").strip()
monitor_password = Path("/run/paws/pg_monitor_password").read_text(encoding="utf-8").strip()
connection = psycopg2.connect(sys.argv[1])
connection.autocommit = True
with connection.cursor() as cursor:
    cursor.execute(
        sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(
            sql.Identifier(APP_USER), sql.Literal(password)
        )
    )
    cursor.execute(
        sql.SQL("CREATE DATABASE {} OWNER {}").format(
            sql.Identifier(APP_DATABASE), sql.Identifier(APP_USER)
        )
    )
    # The application's writes are logged with their text, which carries the request's trace
    # id (a sqlcommenter comment): the leader's own log shows the trace (docs/observability.md).
    # Per role, so the server-wide settings stay those of staging, and other clients are quiet;
    # writes only ('mod'), so a read-heavy app does not flood the log.
    cursor.execute(
        sql.SQL("ALTER ROLE {} SET log_statement = 'mod'").format(sql.Identifier(APP_USER))
    )
    cursor.execute(
        sql.SQL("CREATE ROLE {} " + MONITOR_OPTIONS + " PASSWORD {} IN ROLE {}").format(
            sql.Identifier(MONITOR_USER),
            sql.Literal(monitor_password),
            sql.Identifier(MONITOR_MEMBER_OF),
        )
    )
connection.close()
