"""Shared fixtures: the real data folder, and a fresh home for each test's store and index."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


def data_dir() -> Path:
    """``EUPROJECTS_DATA``, defaulting to ``../shared/data`` beside the repository."""
    configured = os.environ.get("EUPROJECTS_DATA")
    return Path(configured).resolve() if configured else (ROOT.parent / "shared" / "data").resolve()


@pytest.fixture(scope="session")
def data() -> Path:
    folder = data_dir()
    if not folder.is_dir():
        pytest.fail(f"the real data folder {folder} is missing; set EUPROJECTS_DATA")
    return folder


@pytest.fixture(scope="session")
def seeds() -> Path:
    return data_dir().parent / "seeds"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
