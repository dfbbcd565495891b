"""Where settings come from: the environment, then one settings file found through the home (or
named explicitly), then the defaults; never a .env in the folder a command is started in."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from euprojects.cli import main
from euprojects.settings import SETTINGS, SettingsError, load

DEFAULT_PORT = int(next(s.default for s in SETTINGS if s.name == "PORT"))


@pytest.fixture
def home(tmp_path: Path) -> Path:
    folder = tmp_path / "home"
    folder.mkdir()
    return folder


@pytest.fixture
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> pytest.MonkeyPatch:
    """The process environment without this machine's EUPROJECTS_ settings (restored afterwards,
    also when ``--env-file`` sets one)."""
    for setting in SETTINGS:
        monkeypatch.delenv(f"EUPROJECTS_{setting.name}", raising=False)
    return monkeypatch


def test_a_dotenv_in_the_working_directory_is_not_read_but_one_in_the_home_is(
    tmp_path: Path, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started_in = tmp_path / "started-in"
    started_in.mkdir()
    (started_in / ".env").write_text("EUPROJECTS_PORT=9001\n", encoding="utf-8")
    monkeypatch.chdir(started_in)
    environ = {"EUPROJECTS_HOME": str(home)}
    settings = load(environ)
    assert settings.port == DEFAULT_PORT and settings.env_file is None

    (home / ".env").write_text("# the portal's own settings\nEUPROJECTS_PORT=9002\n", encoding="utf-8")
    settings = load(environ)
    assert settings.port == 9002 and settings.env_file == home / ".env"


def test_the_environment_wins_over_the_file(home: Path) -> None:
    (home / ".env").write_text("EUPROJECTS_PORT=9002\nEUPROJECTS_HOST=0.0.0.0\n", encoding="utf-8")
    settings = load({"EUPROJECTS_HOME": str(home), "EUPROJECTS_PORT": "9003"})
    assert settings.port == 9003 and settings.host == "0.0.0.0"


def test_a_named_file_is_read_instead_of_the_homes_and_may_set_the_home(tmp_path: Path, home: Path) -> None:
    (home / ".env").write_text("EUPROJECTS_PORT=9002\n", encoding="utf-8")
    named = tmp_path / "portal.env"
    named.write_text(f'export EUPROJECTS_HOME="{home}"\nEUPROJECTS_SEARCH_CACHE=0\nOTHER_TOOL=x\n', encoding="utf-8")
    for settings in (load({"EUPROJECTS_ENV_FILE": str(named)}), load({}, env_file=named)):
        assert settings.home == home and settings.search_cache == 0
        assert settings.port == DEFAULT_PORT and settings.env_file == named


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        ("EUPROJECTS_PORT=9002\nEUPROJECTS_PORT 9003\n", "line 2: expected NAME=value"),
        ("EUPROJECTS_PROT=9002\n", "line 1: EUPROJECTS_PROT is not a setting"),
        ("\nEUPROJECTS_HOME=/elsewhere\n", "line 2: EUPROJECTS_HOME cannot be set in the settings file inside"),
        ("EUPROJECTS_ENV_FILE=/elsewhere/.env\n", "line 1: EUPROJECTS_ENV_FILE can only be set in the environment"),
    ],
)
def test_a_wrong_line_in_the_file_is_an_error_naming_the_file_and_line(home: Path, lines: str, expected: str) -> None:
    (home / ".env").write_text(lines, encoding="utf-8")
    with pytest.raises(SettingsError) as error:
        load({"EUPROJECTS_HOME": str(home)})
    assert str(error.value).startswith(f"{home / '.env'}, {expected}")


def test_a_named_file_that_does_not_exist_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match=r"portal\.env does not exist"):
        load({"EUPROJECTS_ENV_FILE": str(tmp_path / "portal.env")})


def test_an_empty_home_is_an_error_not_the_working_directory() -> None:
    with pytest.raises(SettingsError, match="EUPROJECTS_HOME is empty"):
        load({"EUPROJECTS_HOME": ""})


def test_a_bad_number_names_the_setting(home: Path) -> None:
    (home / ".env").write_text("EUPROJECTS_BATCH_SIZE=many\n", encoding="utf-8")
    with pytest.raises(SettingsError, match="EUPROJECTS_BATCH_SIZE must be a whole number, not 'many'"):
        load({"EUPROJECTS_HOME": str(home)})


def test_the_env_file_option_decides_where_the_store_is(
    tmp_path: Path, home: Path, clean_environment: pytest.MonkeyPatch
) -> None:
    database = tmp_path / "chosen.db"
    named = tmp_path / "portal.env"
    named.write_text(f"EUPROJECTS_HOME={home}\nEUPROJECTS_DATABASE_URL=sqlite:///{database}\n", encoding="utf-8")
    clean_environment.chdir(tmp_path)
    result = CliRunner().invoke(main, ["--env-file", str(named), "migrate"])
    assert result.exit_code == 0, result.output
    assert database.is_file() and not (home / "euprojects.db").exists()


def test_the_cli_reports_a_bad_settings_file_in_one_line(home: Path, clean_environment: pytest.MonkeyPatch) -> None:
    (home / ".env").write_text("EUPROJECTS_PORT\n", encoding="utf-8")
    clean_environment.setenv("EUPROJECTS_HOME", str(home))
    result = CliRunner().invoke(main, ["migrate"])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.strip() == f"Error: {home / '.env'}, line 1: expected NAME=value, not 'EUPROJECTS_PORT'"


def test_the_env_file_option_wants_an_existing_file(tmp_path: Path, clean_environment: pytest.MonkeyPatch) -> None:
    result = CliRunner().invoke(main, ["--env-file", str(tmp_path / "missing.env"), "migrate"])
    assert result.exit_code == 2 and "missing.env" in result.output and "does not exist" in result.output
