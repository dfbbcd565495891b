"""A local publisher serving packages built at test time from the real data, and settings that
point `fetch` at it."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from euprojects.settings import Settings
from euprojects.store import Store, open_store
from tests.conftest import data_dir
from tests.fetch.publisher import Publisher

FP7_ZIP = "cordis-fp7projects-csv.zip"


def fp7_rows() -> list[list[str]]:
    text = (data_dir() / "cordis-fp7-samples" / "fp7_test_projects.csv").read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))


def fp7_table(rows: list[list[str]]) -> bytes:
    """The rows as CORDIS writes its tables: UTF-8 with a BOM, ``;``, every field quoted."""
    out = io.StringIO(newline="")
    csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n").writerows(rows)
    return b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")


def package(tables: dict[str, bytes]) -> bytes:
    """A CORDIS package: the tables zipped under the names CORDIS gives them."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in tables.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def fp7_package(rows: list[list[str]] | None = None) -> bytes:
    return package({"project.csv": fp7_table(rows or fp7_rows())})


@pytest.fixture
def publisher() -> Iterator[Publisher]:
    server = Publisher().start()
    yield server
    server.stop()


def settings_for(home: Path, url: str, **changes: object) -> Settings:
    values: dict[str, object] = {
        "home": home,
        "database_url": f"sqlite:///{home / 'euprojects.db'}",
        "index_dir": home / "index",
        "data": data_dir(),
        "batch_size": 2000,
        "host": "127.0.0.1",
        "port": 8000,
        "cordis_url": url,
        "keep_url": url,
        "kohesio_url": url,
        "fetch_timeout": 5,
        "fetch_retries": 3,
    }
    values.update(changes)
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture
def home(tmp_path: Path) -> Path:
    return tmp_path / "home"


@pytest.fixture
def store(home: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{home / 'euprojects.db'}")
    yield opened
    opened.close()
