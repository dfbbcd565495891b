"""The PostgreSQL server the tests use, and a fresh schema in it for each store.

The server is ``EUPROJECTS_TEST_POSTGRES_URL`` (default: database ``test`` on 127.0.0.1:5432 as
``root``, then as ``postgres``). Without one the PostgreSQL tests are skipped, except under
CI (``CI=true``), where a missing server fails them. Each store gets a schema of its own, named
for this test session, dropped at the end: tests never see each other's data.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import NoReturn
from urllib.parse import quote

import pytest

CANDIDATES = ("postgresql://root@127.0.0.1:5432/test", "postgresql://postgres@127.0.0.1:5432/test")
SESSION = uuid.uuid4().hex[:8]


def server_url() -> str:
    """The URL of a reachable test server; skips (fails under CI) when there is none."""
    try:
        import psycopg
    except ImportError:
        _unavailable("psycopg is not installed (the `postgres` extra)")
    configured = os.environ.get("EUPROJECTS_TEST_POSTGRES_URL")
    errors = []
    for url in [configured] if configured else CANDIDATES:
        try:
            with psycopg.connect(url, connect_timeout=5):
                return url
        except psycopg.Error as error:
            errors.append(f"{url}: {str(error).strip()}")
    _unavailable("no PostgreSQL server: " + "; ".join(errors))


def _unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(reason, pytrace=False)
    pytest.skip(reason)


def with_schema(url: str, schema: str) -> str:
    """``url`` with its connections' search path set to ``schema``."""
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-csearch_path={schema}')}"


@contextmanager
def fresh_schema(server: str, name: str = "") -> Iterator[str]:
    """A store URL on a new, empty schema, dropped with everything in it afterwards."""
    import psycopg

    schema = f"t{SESSION}_{name or uuid.uuid4().hex[:8]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    try:
        yield with_schema(server, schema)
    finally:
        with psycopg.connect(server, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")
