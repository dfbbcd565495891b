"""Every setting once: its name, default and help.

Values come from the environment (``EUPROJECTS_<NAME>``), then from a ``.env`` file in the
working directory, then from the default, the precedence Starlette's ``Config`` uses.
``docs/settings.md`` lists the same table; ``tests/test_docs.py`` keeps the two in step.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PREFIX = "EUPROJECTS_"


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting("HOME", "~/.local/share/euprojects", "Directory that holds all state: the SQLite file and the index."),
    Setting(
        "DATABASE_URL",
        "",
        "Store URL: sqlite:///path/to/file.db or postgresql://... "
        "Empty means sqlite:///$EUPROJECTS_HOME/euprojects.db.",
    ),
    Setting("INDEX_DIR", "", "Directory of the search index. Empty means $EUPROJECTS_HOME/index."),
    Setting("DATA", "../shared/data", "Folder of public data sets that `./scripts/start` ingests and the tests read."),
    Setting("BATCH_SIZE", "2000", "Records written per store transaction during ingest."),
    Setting("HOST", "127.0.0.1", "Address the portal listens on."),
    Setting(
        "SEARCH_CACHE",
        "1024",
        "Searches (and their facet counts, shared by every page and order of one search) the portal keeps"
        " per process until the index changes (0: none).",
    ),
    Setting("PORT", "8000", "Port the portal listens on."),
    Setting(
        "EXPORT_CONCURRENCY",
        "2",
        "Exports one process runs at once; a request beyond them gets HTTP 429 with Retry-After.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def _read_dotenv(path: Path) -> dict[str, str]:
    """Parse KEY=VALUE lines of a .env file; comments and blank lines are ignored."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        values[key.strip()] = value.strip().strip('"').strip("'")
    return values


@dataclass(frozen=True, slots=True)
class Settings:
    """Resolved settings. Build with :func:`load` or directly in tests."""

    home: Path
    database_url: str
    index_dir: Path
    data: Path
    batch_size: int
    host: str
    port: int
    search_cache: int = 1024
    export_concurrency: int = 2


def get(name: str, environ: Mapping[str, str] | None = None, dotenv: Path | None = None) -> str:
    """One raw setting value by precedence environment > .env > default."""
    setting = _BY_NAME[name]
    env = os.environ if environ is None else environ
    key = PREFIX + name
    if key in env:
        return env[key]
    file_values = _read_dotenv(dotenv or Path(".env"))
    return file_values.get(key, setting.default)


def load(environ: Mapping[str, str] | None = None, dotenv: Path | None = None) -> Settings:
    """Resolve all settings; relative paths are taken from the working directory."""

    def value(name: str) -> str:
        return get(name, environ, dotenv)

    home = Path(value("HOME")).expanduser().resolve()
    database_url = value("DATABASE_URL") or f"sqlite:///{home / 'euprojects.db'}"
    index_dir = Path(value("INDEX_DIR")).expanduser().resolve() if value("INDEX_DIR") else home / "index"
    return Settings(
        home=home,
        database_url=database_url,
        index_dir=index_dir,
        data=Path(value("DATA")).expanduser().resolve(),
        batch_size=_positive_int("BATCH_SIZE", value("BATCH_SIZE")),
        host=value("HOST"),
        port=_positive_int("PORT", value("PORT")),
        search_cache=_whole("SEARCH_CACHE", value("SEARCH_CACHE")),
        export_concurrency=_positive_int("EXPORT_CONCURRENCY", value("EXPORT_CONCURRENCY")),
    )


def _whole(name: str, raw: str) -> int:
    return 0 if raw.strip() == "0" else _positive_int(name, raw)


def _positive_int(name: str, raw: str) -> int:
    try:
        number = int(raw)
    except ValueError:
        raise ValueError(f"{PREFIX}{name} must be a whole number, not {raw!r}") from None
    if number <= 0:
        raise ValueError(f"{PREFIX}{name} must be positive, not {raw!r}")
    return number
