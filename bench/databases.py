"""Throw-away PostgreSQL databases for the benchmarks: created before, dropped after.

A module of its own, importing nothing of Django or the project, so that
peer_invitations.py (which runs in another virtualenv, beside an app that is also called
`invitations`) can use it without common.py putting the project on the import path.
"""

from urllib.parse import urlsplit, urlunsplit

import psycopg


def _maintenance(url: str):
    """A connection to the server's `postgres` database, and the bench database's name."""
    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urlunsplit(parts._replace(path="/postgres"))
    return psycopg.connect(admin, autocommit=True), name


def recreate_database(url: str) -> None:
    conn, name = _maintenance(url)
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def drop_database(url: str) -> None:
    conn, name = _maintenance(url)
    with conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
