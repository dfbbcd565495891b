"""Every setting once: its name, default and help.

Values come from the environment (``EUPROJECTS_<NAME>``), then from one settings file, then from
the default, the precedence Starlette's ``Config`` uses. The file is ``$EUPROJECTS_HOME/.env``
unless ``EUPROJECTS_ENV_FILE`` (or ``euprojects --env-file``) names another; it is read once, and
never from the working directory, so the portal behaves the same wherever it is started.
``docs/settings.md`` lists the same table; ``tests/test_docs.py`` keeps the two in step.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

PREFIX = "EUPROJECTS_"
ENV_FILE_NAME = ".env"


@dataclass(frozen=True, slots=True)
class Setting:
    name: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "HOME",
        "~/.local/share/euprojects",
        "Directory that holds all state: the SQLite file, the index and the settings file `.env`.",
    ),
    Setting(
        "ENV_FILE",
        "",
        "Settings file to read instead of $EUPROJECTS_HOME/.env (also `euprojects --env-file PATH`)."
        " Only the environment can set it.",
    ),
    Setting(
        "DATABASE_URL",
        "",
        "Store URL: sqlite:///path/to/file.db or postgresql://user@host:5432/database (install the"
        " `postgres` extra). Empty means sqlite:///$EUPROJECTS_HOME/euprojects.db.",
    ),
    Setting(
        "DATABASE_READ_URL",
        "",
        "PostgreSQL only: a streaming replica the portal reads from (searches, pages, the API, its index"
        " sync); ingests and migrations use DATABASE_URL. Empty means DATABASE_URL.",
    ),
    Setting(
        "SYNC_SECONDS",
        "30",
        "How often a portal process applies the store's change log to its own search index (0: never;"
        " `euprojects sync` does it on demand). Each node of a PostgreSQL store keeps an index of its own.",
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
    Setting("CORDIS_URL", "https://cordis.europa.eu/data", "Base address of CORDIS' open-data packages (`fetch`)."),
    Setting("KEEP_URL", "https://keep.eu", "Base address of keep.eu's export and Open Data API (`fetch`)."),
    Setting("KEEP_API_KEY", "", "Key of keep.eu's Open Data API, given by Interact (`fetch keep-open-data`)."),
    Setting("KOHESIO_URL", "https://kohesio.ec.europa.eu", "Base address of Kohesio's per-country exports (`fetch`)."),
    Setting("FETCH_TIMEOUT", "60", "Seconds `fetch` waits for a publisher to connect or send more bytes."),
    Setting("FETCH_RETRIES", "4", "Attempts `fetch` makes per file (with growing pauses) before it gives up."),
)

_BY_NAME = {s.name: s for s in SETTINGS}


class SettingsError(ValueError):
    """A setting or the settings file is wrong; the message names the file and line or the setting."""


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
    env_file: Path | None = None  # the settings file that was read, if any
    export_concurrency: int = 2
    cordis_url: str = "https://cordis.europa.eu/data"
    keep_url: str = "https://keep.eu"
    keep_api_key: str = ""
    kohesio_url: str = "https://kohesio.ec.europa.eu"
    fetch_timeout: int = 60
    fetch_retries: int = 4
    database_read_url: str | None = None
    sync_seconds: int = 30


def load(environ: Mapping[str, str] | None = None, env_file: Path | None = None) -> Settings:
    """Resolve all settings from ``environ`` (default: the process environment), reading the
    settings file once: ``env_file`` if given, else ``EUPROJECTS_ENV_FILE``, else
    ``$EUPROJECTS_HOME/.env`` if it exists. Relative paths are taken from the working directory."""
    env = os.environ if environ is None else environ
    path, explicit = _settings_file(env, env_file)
    from_file = read_env_file(path, home_allowed=explicit) if path is not None else {}

    def value(name: str) -> str:
        key = PREFIX + name
        return env[key] if key in env else from_file.get(key, _BY_NAME[name].default)

    home = _home(value("HOME"))
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
        env_file=path,
        export_concurrency=_positive_int("EXPORT_CONCURRENCY", value("EXPORT_CONCURRENCY")),
        cordis_url=value("CORDIS_URL"),
        keep_url=value("KEEP_URL"),
        keep_api_key=value("KEEP_API_KEY"),
        kohesio_url=value("KOHESIO_URL"),
        fetch_timeout=_positive_int("FETCH_TIMEOUT", value("FETCH_TIMEOUT")),
        fetch_retries=_positive_int("FETCH_RETRIES", value("FETCH_RETRIES")),
        database_read_url=value("DATABASE_READ_URL") or None,
        sync_seconds=_whole("SYNC_SECONDS", value("SYNC_SECONDS")),
    )


def _settings_file(env: Mapping[str, str], given: Path | None) -> tuple[Path | None, bool]:
    """The settings file to read and whether it was named explicitly (a missing named file is an
    error; a missing ``$EUPROJECTS_HOME/.env`` just means there is none)."""
    named = given or (Path(env[PREFIX + "ENV_FILE"]) if env.get(PREFIX + "ENV_FILE") else None)
    if named is not None:
        named = named.expanduser().resolve()
        if not named.is_file():
            raise SettingsError(f"settings file {named} does not exist (from --env-file or {PREFIX}ENV_FILE)")
        return named, True
    beside = _home(env.get(PREFIX + "HOME", _BY_NAME["HOME"].default)) / ENV_FILE_NAME
    return (beside, False) if beside.is_file() else (None, False)


def read_env_file(path: Path, *, home_allowed: bool = True) -> dict[str, str]:
    """``EUPROJECTS_NAME=value`` lines of a settings file, checked: blank lines, ``#`` comments,
    other programs' variables and an ``export`` before a name are allowed; a line without ``=``
    or an unknown ``EUPROJECTS_`` name is an error naming the file and line.

    The file inside ``$EUPROJECTS_HOME`` may not move the home (``home_allowed=False``): the home
    was needed to find it."""
    values: dict[str, str] = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as err:
        raise SettingsError(f"cannot read the settings file {path}: {err}") from None
    for number, line in enumerate(lines, start=1):
        entry = _parse_line(line)
        if entry is None:
            continue
        if isinstance(entry, str):
            raise SettingsError(f"{path}, line {number}: {entry}")
        key, value = entry
        if key.startswith(PREFIX):
            problem = _check_key(key, home_allowed)
            if problem:
                raise SettingsError(f"{path}, line {number}: {problem}")
        values[key] = value
    return values


def _parse_line(line: str) -> tuple[str, str] | str | None:
    """``(key, value)``, None for a blank or comment line, or what is wrong with the line."""
    line = line.strip()
    if not line or line.startswith("#"):
        return None
    key, equals, value = line.removeprefix("export ").partition("=")
    key, value = key.strip(), value.strip()
    if not equals or not key:
        return f"expected NAME=value, not {line!r}"
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return key, value


def _check_key(key: str, home_allowed: bool) -> str | None:
    name = key.removeprefix(PREFIX)
    if name not in _BY_NAME:
        return f"{key} is not a setting (known: {', '.join(PREFIX + s.name for s in SETTINGS)})"
    if name == "ENV_FILE":
        return f"{key} can only be set in the environment or with --env-file"
    if name == "HOME" and not home_allowed:
        return f"{key} cannot be set in the settings file inside the home; set it in the environment"
    return None


def _home(raw: str) -> Path:
    """The home as an absolute path; empty is an error rather than the working directory."""
    if not raw.strip():
        raise SettingsError(f"{PREFIX}HOME is empty; set it to the folder that holds the portal's state")
    return Path(raw).expanduser().resolve()


def _whole(name: str, raw: str) -> int:
    return 0 if raw.strip() == "0" else _positive_int(name, raw)


def _positive_int(name: str, raw: str) -> int:
    try:
        number = int(raw)
    except ValueError:
        raise SettingsError(f"{PREFIX}{name} must be a whole number, not {raw!r}") from None
    if number <= 0:
        raise SettingsError(f"{PREFIX}{name} must be positive, not {raw!r}")
    return number
