"""The `euprojects fetch` command: a thin shell over :func:`euprojects.fetch.run.fetch`."""

from __future__ import annotations

import sys
from types import ModuleType
from typing import TYPE_CHECKING

import click
import msgspec

from euprojects import settings as settings_module
from euprojects import tables
from euprojects.fetch.catalogue import UnknownSource, resolve
from euprojects.ingest.summary import by_data_set
from euprojects.store import open_store
from euprojects.store.locking import StoreBusy

if TYPE_CHECKING:
    from euprojects.fetch.run import FetchResult


def _runner() -> ModuleType:
    """The fetch machinery, imported when a fetch runs: its HTTP client comes with the `fetch`
    extra, and every other command must work without it."""
    try:
        from euprojects.fetch import run
    except ImportError as err:
        raise click.ClickException(
            f"euprojects fetch needs the `fetch` extra ({err.name} is missing): pip install 'euprojects[fetch]'"
        ) from None
    return run


class Bar:
    """A download's progress on one self-overwriting line of the terminal (nothing when piped)."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()

    def show(self, name: str, done: int, total: int | None) -> None:
        if not self.enabled:
            return
        if total:
            filled = int(24 * done / total)
            line = f"[{'#' * filled}{'-' * (24 - filled)}] {name[:36]:<36} {done / 1e6:8.1f} / {total / 1e6:.1f} MB"
        else:
            line = f"{name[:36]:<36} {done / 1e6:8.1f} MB"
        click.echo("\r" + line, nl=False, err=True)

    def clear(self) -> None:
        if self.enabled:
            click.echo("\r" + " " * 90 + "\r", nl=False, err=True)


@click.command("fetch")
@click.argument("sources", nargs=-1)
@click.option("--list", "show_list", is_flag=True, help="List the sources fetch knows, with sizes and the last fetch.")
@click.option("--no-index", is_flag=True, help="Do not update the search index afterwards.")
@click.option("--reread", is_flag=True, help="Read every fetched file again, even those unchanged.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def fetch_command(sources: tuple[str, ...], show_list: bool, no_index: bool, reread: bool, as_json: bool) -> None:
    """Download sources from their publishers (CORDIS, keep.eu, Kohesio), then ingest them.

    SOURCES are names from `fetch --list`, or `cordis`, `keep`, `kohesio` for all of a publisher's.
    Only what changed since the last fetch is downloaded and read again.
    """
    try:
        settings = settings_module.load()
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    if show_list:
        _print_list(settings, as_json)
        return
    if not sources:
        raise click.UsageError("name at least one source (see euprojects fetch --list)")
    try:
        chosen = resolve(sources)
    except UnknownSource as err:
        raise click.ClickException(str(err)) from None
    run = _runner()
    store = open_store(settings.database_url)
    bar = Bar()
    try:
        result = run.fetch(settings, store, chosen, progress=bar.show, index=not no_index, reread=reread)
    except (run.FetchError, StoreBusy) as err:
        bar.clear()
        raise click.ClickException(f"{err}; the store was not changed") from None
    finally:
        store.close()
    bar.clear()
    if as_json:
        click.echo(msgspec.json.format(msgspec.json.encode(_summary(result)), indent=2))
    else:
        _print_result(result)
    if result.ingest is not None and result.ingest.failed:
        sys.exit(1)


def _summary(result: FetchResult) -> dict[str, object]:
    return {
        "sources": [
            {
                "source": r.source,
                "files": [
                    {
                        "file": o.path.name,
                        "status": o.status,
                        "received": o.received,
                        "resumed": o.resumed,
                        "attempts": o.attempts,
                    }
                    for o in r.files
                ],
            }
            for r in result.sources
        ],
        "ingest": result.ingest.files if result.ingest else None,
    }


def _print_result(result: FetchResult) -> None:
    for report in result.sources:
        for outcome in report.files:
            how = {"fetched": "downloaded", "unchanged": "unchanged at the publisher"}.get(
                outcome.status, "not published there (404), skipped"
            )
            extra = f", {outcome.received / 1e6:.1f} MB" if outcome.received else ""
            extra += ", resumed" if outcome.resumed else ""
            extra += f", {outcome.attempts} attempts" if outcome.attempts > 1 else ""
            click.echo(f"{report.source}: {outcome.path.name} {how}{extra}")
    if result.ingest is None:
        return
    lines = by_data_set(result.ingest.files)
    rows = [(d.data_set, d.files, d.read, d.rows, d.new, d.changed, d.removed) for d in lines if d.read]
    if rows:
        click.echo(tables.render(("source", "files", "read", "rows", "new", "changed", "withdrawn"), rows))
    unchanged = sum(d.unchanged_files for d in lines)
    if unchanged:
        click.echo(f"{unchanged:,} file(s) unchanged since they were last read")
    for f in result.ingest.files:
        if f.error:
            click.echo(f"error: {f.path}: {f.error}", err=True)
    click.echo(f"done in {result.ingest.seconds:.1f} s")


def _print_list(settings: settings_module.Settings, as_json: bool) -> None:
    rows = _runner().known(settings)
    if as_json:
        click.echo(msgspec.json.format(msgspec.json.encode(rows), indent=2))
        return
    table = [
        (k.name, k.description, f"{k.size / 1e6:.1f} MB" if k.size is not None else "", k.fetched or "never")
        for k in rows
    ]
    click.echo(tables.render(("source", "what", "size", "last fetched"), table, max_width=70))
