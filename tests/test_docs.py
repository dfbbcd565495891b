"""Docs that cannot drift: every setting and every command is documented."""

from __future__ import annotations

from euprojects.cli import main
from euprojects.settings import PREFIX, SETTINGS, load
from tests.conftest import ROOT


def test_every_setting_is_in_the_settings_doc() -> None:
    doc = (ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert f"`{PREFIX}{setting.name}`" in doc, setting.name


def test_every_command_has_help_and_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name, command in main.commands.items():  # type: ignore[attr-defined]
        assert command.help, name
        if name not in ("migrate",):
            assert f"euprojects {name}" in readme, name


def test_the_readme_starts_with_the_two_commands() -> None:
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    block = lines[lines.index("```sh") + 1 : lines.index("```")]
    assert [line.split()[0] for line in block] == ["./scripts/start", "./scripts/test"]
    assert (ROOT / ".ci" / "run").read_text(encoding="utf-8").count("./scripts/test") == 1


def test_environment_overrides_defaults(tmp_path) -> None:  # type: ignore[no-untyped-def]
    settings = load({"EUPROJECTS_HOME": str(tmp_path), "EUPROJECTS_BATCH_SIZE": "10"})
    assert settings.database_url == f"sqlite:///{tmp_path / 'euprojects.db'}"
    assert settings.index_dir == tmp_path / "index" and settings.batch_size == 10
    (tmp_path / ".env").write_text("EUPROJECTS_PORT=9000\n", encoding="utf-8")
    assert load({"EUPROJECTS_HOME": str(tmp_path)}).port == 9000


def test_every_search_field_and_sort_is_in_the_search_doc() -> None:
    from euprojects.fields import FIELDS, SCOPES, SORTS

    doc = (ROOT / "docs" / "search.md").read_text(encoding="utf-8")
    table = doc[doc.index("## Filters") : doc.index("## Facets")]
    for name in FIELDS:
        assert f"`{name}`" in table, name
    for scope in SCOPES:
        assert f"`{scope}:" in doc, scope
    for name in SORTS:
        assert f"`{name.lstrip('-')}`" in doc, name


def test_no_document_or_module_holds_a_merge_conflict() -> None:
    """A conflict left in a merge reads as garbage on the page that shows it."""
    markers = ("<<<<<<< ", ">>>>>>> ")
    paths = [*ROOT.glob("*.md"), *ROOT.glob("docs/*.md"), *ROOT.glob("bench/*.md"), *ROOT.glob("src/**/*.py")]
    paths += [*ROOT.glob("src/**/*.html"), *ROOT.glob("tests/**/*.py")]
    conflicted = [
        str(path.relative_to(ROOT))
        for path in paths
        if any(line.startswith(markers) for line in path.read_text(encoding="utf-8").splitlines())
    ]
    assert conflicted == []
