"""The `euprojects` command: thin commands over the library, one-line errors, tables or JSON."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any, TypeVar

import click
import msgspec

from euprojects import ingest as ingest_pipeline
from euprojects import limits, tables, views
from euprojects import settings as settings_module
from euprojects.fields import DEFAULT_FACETS, FIELDS, SORTS
from euprojects.index import build as index_build
from euprojects.ingest.summary import by_data_set
from euprojects.model import Money, Project
from euprojects.normalise.money import format_eur_style
from euprojects.normalise.places import country_code
from euprojects.orgs import partners as partner_search
from euprojects.orgs.overrides import OverridesError
from euprojects.search import IndexMissing, QueryError, Searcher, SearchRequest, SearchResult
from euprojects.semantic.search import SemanticSearcher
from euprojects.sources import SourceError, formats, plan
from euprojects.stats import report as stats_report
from euprojects.stats.compute import DIMENSIONS, StatisticsEngine
from euprojects.store import Store, open_store
from euprojects.store.base import Stats
from euprojects.store.copy import CopyError, copy_store, safe
from euprojects.store.locking import StoreBusy

F = TypeVar("F", bound=Callable[..., Any])


class Context:
    """Settings and the store, opened on first use so `--help` needs neither."""

    def __init__(self) -> None:
        self._settings: settings_module.Settings | None = None
        self._store: Store | None = None

    @property
    def settings(self) -> settings_module.Settings:
        if self._settings is None:
            try:
                self._settings = settings_module.load()
            except ValueError as err:
                raise click.ClickException(str(err)) from None
        return self._settings

    @property
    def store(self) -> Store:
        if self._store is None:
            try:
                self._store = open_store(self.settings.database_url)
            except (ValueError, OSError) as err:
                raise click.ClickException(f"cannot open the store: {err}") from None
        return self._store


pass_context = click.make_pass_decorator(Context, ensure=True)


def json_option(function: F) -> F:
    """The shared ``--json`` flag: machine-readable output instead of a table."""
    return click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")(function)


def emit_json(value: object) -> None:
    click.echo(msgspec.json.format(msgspec.json.encode(value), indent=2))


@click.group()
@click.version_option(package_name="euprojects")
@click.option(
    "--env-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Read settings from this file instead of $EUPROJECTS_HOME/.env (the same as EUPROJECTS_ENV_FILE).",
)
def main(env_file: Path | None) -> None:
    """Search portal and open-data API for European cooperation projects."""
    if env_file is not None:
        # Through the environment so that the server's worker processes, which build the app
        # from the environment, read the same file.
        os.environ[settings_module.PREFIX + "ENV_FILE"] = str(env_file.resolve())


# --- ingest -----------------------------------------------------------------------------------
class ProgressLine:
    """One self-overwriting status line on a terminal: file i of n, rows read so far."""

    def __init__(self, total: int) -> None:
        self.total, self.seen, self.enabled = total, set[str](), sys.stderr.isatty()

    def show(self, name: str, rows: int) -> None:
        """Files may be read several at a time: the bar counts the files begun."""
        self.seen.add(name)
        if not self.enabled:
            return
        done = int(20 * (len(self.seen) - 1) / max(self.total, 1))
        bar = "#" * done + "-" * (20 - done)
        click.echo(f"\r[{bar}] {len(self.seen)}/{self.total} {name[:40]:<40} {rows:>9,} rows", nl=False, err=True)

    def clear(self) -> None:
        if self.enabled:
            click.echo("\r" + " " * 100 + "\r", nl=False, err=True)


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "format_name", help="Read every file with this format instead of detecting it.")
@click.option("--no-index", is_flag=True, help="Do not update the search index afterwards.")
@click.option("--no-embed", is_flag=True, help="Do not embed new and changed projects for semantic search afterwards.")
@click.option("--wait", is_flag=True, help="Wait for another ingest or index rebuild to end instead of stopping.")
@click.option(
    "--allow-removals",
    is_flag=True,
    help="Let a file that ended early or lost more than 5 % of its records remove the records it no longer holds.",
)
@click.option("--reread", is_flag=True, help="Read every file again, even those unchanged since they were last read.")
@click.option("--verbose", "-v", is_flag=True, help="A line per file instead of a line per data set.")
@json_option
@pass_context
def ingest(
    ctx: Context,
    paths: tuple[Path, ...],
    format_name: str | None,
    no_index: bool,
    no_embed: bool,
    wait: bool,
    allow_removals: bool,
    reread: bool,
    verbose: bool,
    as_json: bool,
) -> None:
    """Read data files (or every file in a directory) into the store and update the index."""
    try:
        planned = plan(list(paths), format_name)
    except SourceError as err:
        raise click.ClickException(str(err)) from None
    progress = ProgressLine(sum(1 for p in planned if p.format))
    listed_before = ctx.store.stats().projects
    try:
        result = ingest_pipeline.run(
            ctx.store,
            list(paths),
            batch_size=ctx.settings.batch_size,
            progress=progress.show,
            planned=planned,
            index_dir=None if no_index else ctx.settings.index_dir,
            wait=wait,
            on_wait=lambda message: click.echo(message + " …", err=True),
            allow_removals=allow_removals,
            reread=reread,
            home=ctx.settings.home,
        )
    except (StoreBusy, OverridesError, ConnectionError) as err:
        raise click.ClickException(str(err)) from None
    progress.clear()
    if as_json:
        emit_json(
            {
                "files": result.files,
                "projects_rebuilt": result.projects_rebuilt,
                "index": result.index,
                "waited": result.waited,
                "organisations": result.organisations,
            }
        )
    else:
        _print_ingest(result, verbose)
        _print_projects(ctx.store.stats(), listed_before)
    if not (no_index or no_embed or result.failed):
        update_vectors(ctx.store, ctx.settings.index_dir, as_json)
    if result.failed:
        sys.exit(1)


def _print_ingest(result: ingest_pipeline.IngestResult, verbose: bool) -> None:
    if verbose:
        _print_files(result.files)
    else:
        _print_data_sets(result.files)
    _print_problems(result.files, verbose)
    if result.waited:
        click.echo(
            f"waited {result.waited.seconds:.1f} s for the ingest or index rebuild running {result.waited.holder}"
        )
    click.echo(f"files read and projects rebuilt in {result.files_seconds:.1f} s")
    if result.organisations is not None and result.organisations.resolved:
        resolved = result.organisations
        click.echo(
            f"organisations resolved: {resolved.resolved:,} mention(s) compared, {resolved.organisations:,}"
            f" organisation(s), in {resolved.seconds:.1f} s"
        )
    if result.index is not None and result.index.mode != "current":
        report = result.index
        click.echo(f"search index {report.mode}: {report.documents:,} project(s) in {report.seconds:.1f} s")
    click.echo(f"done in {result.seconds:.1f} s")


def _print_data_sets(files: list[ingest_pipeline.FileReport]) -> None:
    lines = by_data_set(files)
    rows = [(d.data_set, d.files, d.read, d.rows, d.rejected, d.new, d.changed, d.removed) for d in lines if d.read]
    headers = ("data set", "files", "read", "rows", "rejected", "new", "changed", "removed")
    if rows:
        click.echo(tables.render(headers, rows, max_width=44))
    unchanged = sum(d.unchanged_files for d in lines)
    if unchanged:
        click.echo(f"{unchanged:,} file(s) unchanged since they were last read, not read again (--reread reads them)")


def _print_projects(stats: Stats, listed_before: int) -> None:
    change = stats.projects - listed_before
    delta = f" ({change:+,})" if change else ""
    click.echo(f"projects: {stats.projects:,} listed{delta}, {stats.unlisted:,} kept but not listed")


def _print_files(files: list[ingest_pipeline.FileReport]) -> None:
    read = [f for f in files if f.format and not f.error and not f.skipped]
    rows = [
        (f.file, f.format, f.read, f.duplicates, f.rejected, f.records, f.new, f.updated, f.unchanged, f.removed)
        for f in read
    ]
    # Rows are what the file holds; records are what the store keeps (a project's adjacent rows
    # make one record), so new + updated + unchanged = records.
    headers = ("file", "format", "rows", "duplicates", "rejected", "records", "new", "updated", "unchanged", "removed")
    if rows:
        click.echo(tables.render(headers, rows, max_width=44))
    skipped = [f for f in files if f.skipped]
    if skipped:
        click.echo(f"skipped {len(skipped)} file(s): " + "; ".join(f"{f.file} ({f.skipped})" for f in skipped))


def _print_problems(files: list[ingest_pipeline.FileReport], verbose: bool) -> None:
    for f in files:
        _print_rejects(f, verbose)
        if f.stopped:
            click.echo(f"warning: {f.path}: {f.stopped}", err=True)
        if f.error:
            click.echo(f"error: {f.path}: {f.error}", err=True)
        if f.withheld:
            click.echo(f"error: {f.path}: {_withheld(f)}", err=True)


def _print_rejects(f: ingest_pipeline.FileReport, verbose: bool) -> None:
    """Every example with ``--verbose``; else one line a file: the first reason, and how many more."""
    if not verbose and f.examples:
        more = f" and {f.rejected - 1:,} more" if f.rejected > 1 else ""
        click.echo(f"rejected: {f.path}, {f.examples[0]}{more} (euprojects rejects --file {f.file})", err=True)
        return
    for example in f.examples:
        click.echo(f"rejected: {f.path}, {example}", err=True)
    if f.rejected > len(f.examples):
        left = f.rejected - len(f.examples)
        click.echo(f"rejected: {f.path}: {left:,} more (euprojects rejects --file {f.file})", err=True)


def _withheld(report: ingest_pipeline.FileReport) -> str:
    held = report.new + report.updated + report.unchanged
    why = report.ended_early or f"it holds {held:,} records where the store has {held + report.withheld:,} from it"
    return (
        f"nothing was removed: {why}, so it may be a truncated copy. If the records are really gone from it, "
        f"run again with --allow-removals to remove the {report.withheld:,} it no longer holds."
    )


@main.command("formats")
@json_option
def formats_command(as_json: bool) -> None:
    """List the file formats `ingest` understands."""
    known = formats()
    if as_json:
        emit_json([{"name": f.name, "description": f.description, "priority": f.priority} for f in known])
        return
    click.echo(
        tables.render(("format", "priority", "description"), [(f.name, f.priority, f.description) for f in known], 90)
    )


# --- reading ----------------------------------------------------------------------------------
@main.command()
@click.argument("record_id")
@json_option
@pass_context
def show(ctx: Context, record_id: str, as_json: bool) -> None:
    """Show one project (with its partners, flags and sources) or one organisation; an id a project
    was also known by (a CORDIS record number, an ERC id joined to its grant) shows that project."""
    canonical = ctx.store.resolve(record_id)
    project = ctx.store.project(canonical) if canonical else None
    if project is not None:
        if canonical != record_id:
            click.echo(f"{record_id} is an id of {canonical}", err=True)
        if as_json:
            emit_json(views.project_record(project))
        else:
            click.echo(_describe(project))
        return
    organisation = views.organisation_record(ctx.store, record_id)
    if organisation is None:
        raise click.ClickException(
            f"no project or organisation {record_id!r} (ids look like cordis:101000001, erc:stg-…, pic:999993953)"
        )
    if as_json:
        emit_json(organisation)
    else:
        click.echo(_describe_organisation(organisation))


def _describe_organisation(record: views.OrganisationRecord) -> str:
    org = record.organisation
    pairs: list[tuple[str, object]] = [
        ("id", org.id),
        ("name", org.name or views.unnamed(org.id)),
        ("country", org.country),
        ("city", org.city),
        ("type", org.type),
        *((key, value) for key, value in org.identifiers.items()),
        ("projects", len(record.projects)),
        ("EU contribution", _eur_total(record.total_eu_contribution_eur) if record.total_eu_contribution_eur else None),
    ]
    parts = [tables.key_values([(k, v) for k, v in pairs if v not in (None, "")])]
    if record.projects:
        rows: list[tuple[object, ...]] = [(p.project_id, p.acronym, p.role, p.start_date) for p in record.projects]
        parts.append("\n" + tables.render(("project", "acronym", "role", "start"), rows))
    if record.funding:
        rows = [(f.source, f.region, f.projects, _eur(f.eu_contribution)) for f in record.funding]
        parts.append("\n" + tables.render(("beneficiary list", "region", "operations", "EU contribution"), rows))
    return "\n".join(parts)


def _describe(project: Project) -> str:
    status = project.effective_status()
    pairs: list[tuple[str, object]] = [
        ("id", project.id),
        ("acronym", project.acronym),
        ("title", project.title),
        ("programme", project.programme),
        ("period", project.period),
        ("fund", project.fund),
        ("start", project.start_date),
        ("end", project.end_date),
        ("status", f"{status.value if status else ''} ({project.status_source or 'derived from dates'})"),
        ("EU contribution", _eur(project.eu_contribution)),
        ("total cost", _eur(project.total_cost)),
        ("co-financing rate", f"{project.cofinancing_rate} %" if project.cofinancing_rate is not None else None),
        ("partners", project.partner_count),
        ("website", project.website),
    ]
    parts = [tables.key_values([(k, v) for k, v in pairs if v not in (None, "")])]
    if project.summary:
        parts.append("\n" + project.summary)
    if project.results:
        parts.append("\nResults: " + project.results)
    if project.participations:
        rows = [
            (
                p.role.value,
                views.organisation_name(p.organisation.id, p.organisation.name),
                p.organisation.country,
                _eur(p.eu_contribution),
            )
            for p in project.participations
        ]
        parts.append("\n" + tables.render(("role", "organisation", "country", "EU contribution"), rows))
    for flag in project.flags:
        parts.append(f"note: {flag.message}")
    for source in project.provenance:
        parts.append(f"source: {source.format} {source.file} line {source.line} ({source.records} record(s))")
    return "\n".join(parts)


def _eur(money: Money | None) -> str | None:
    return format_eur_style(money.amount, money.currency) if money else None


@main.command()
@click.option(
    "--by", "by", multiple=True, type=click.Choice(list(DIMENSIONS)), help="Break the figures down; repeatable."
)
@click.option("--query", default="", help="Statistics of the projects this search finds (with --by).")
@click.option("--filter", "filters", multiple=True, metavar="NAME=VALUE", help="Restrict as search does (with --by).")
@json_option
@pass_context
def stats(ctx: Context, by: tuple[str, ...], query: str, filters: tuple[str, ...], as_json: bool) -> None:
    """Counts of projects, participations, organisations and rejects; with --by, the projects, EU
    contribution, participations and organisations of all the data or of a search, broken down."""
    if by or query or filters:
        _print_statistics(ctx, by or ("country",), query, _filters(filters), as_json)
        return
    numbers = ctx.store.stats()
    index = index_build.status(ctx.store, ctx.settings.index_dir)
    if as_json:
        emit_json({**msgspec.to_builtins(numbers), "index": index})
        return
    click.echo(
        tables.key_values(
            [
                ("projects", f"{numbers.projects:,} listed, {numbers.unlisted:,} kept but not listed"),
                ("participations", f"{numbers.participations:,}"),
                ("organisations", f"{numbers.organisations:,}"),
                ("source records", f"{numbers.fragments:,}"),
                ("rejected rows", f"{numbers.rejects:,}"),
                ("last ingest", numbers.last_ingest),
                ("search index", _index_line(index)),
            ]
        )
    )
    quality = [
        (source, q.listed, q.with_title, q.with_dates, q.with_eu_contribution, q.with_partners, q.merged_twins)
        for source, q in numbers.quality.items()
    ]
    headers = ("source", "projects", "with title", "with dates", "with EU amount", "with partners", "merged twins")
    click.echo("\n" + tables.render(headers, quality))
    click.echo("\n" + tables.render(("fund", "projects"), list(numbers.by_fund.items())))
    if numbers.beneficiaries:
        rows = [
            (source, t.rows, t.organisations, t.projects, _eur_total(t.eu_contribution_eur))
            for source, t in numbers.beneficiaries.items()
        ]
        click.echo(
            "\n" + tables.render(("beneficiary list", "rows", "organisations", "operations", "EU contribution"), rows)
        )


def _print_statistics(
    ctx: Context, by: tuple[str, ...], query: str, filters: dict[str, list[str]], as_json: bool
) -> None:
    try:
        found = StatisticsEngine(Searcher(ctx.settings.index_dir, ctx.store), 0).compute(query, filters)
    except (IndexMissing, QueryError) as err:
        raise click.ClickException(str(err)) from None
    if as_json:
        emit_json(found)
        return
    click.echo(stats_report.render(found, by))


def _index_line(index: index_build.IndexStatus) -> str:
    if index.state == "current":
        return "current"
    behind = f"behind the store by {index.pending:,} change(s)" if index.state == "behind" else "missing"
    return f"{behind}: {index.remedy}"


def _eur_total(amount: float) -> str:
    return format_eur_style(Decimal(str(amount)), "EUR")


@main.command()
@click.option("--file", "file_name", help="Only rejects of this file (its name, as in the report).")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 100_000))
@click.option("--offset", default=0, type=click.IntRange(0))
@json_option
@pass_context
def rejects(ctx: Context, file_name: str | None, limit: int, offset: int, as_json: bool) -> None:
    """Rows that could not be used, with where they were and why."""
    entries = ctx.store.rejects(limit=limit, offset=offset, file=file_name)
    total = ctx.store.count_rejects(file_name)
    if as_json:
        emit_json({"total": total, "rejects": entries})
        return
    rows = [(e.file, e.line, e.reason) for e in entries]
    click.echo(tables.render(("file", "line", "reason"), rows, max_width=100))
    click.echo(f"{len(entries)} of {total:,} reject(s)")


@main.command()
@click.option("--wait", is_flag=True, help="Wait for a running ingest to end instead of stopping.")
@pass_context
def reindex(ctx: Context, wait: bool) -> None:
    """Rebuild the search index from the store."""
    try:
        report = ingest_pipeline.reindex(ctx.store, ctx.settings.index_dir, wait=wait)
    except StoreBusy as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"indexed {report.documents:,} project(s) in {report.seconds:.1f} s into {ctx.settings.index_dir}")


@main.command()
@click.option("--host", help="Address to listen on (default: EUPROJECTS_HOST, 127.0.0.1).")
@click.option("--port", type=int, help="Port (default: EUPROJECTS_PORT, 8000).")
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True, help="Worker processes.")
@click.option("--no-embed", is_flag=True, help="Do not embed new projects for semantic search in the background.")
@pass_context
def serve(ctx: Context, host: str | None, port: int | None, workers: int, no_embed: bool) -> None:
    """Serve the portal and the API."""
    from euprojects.index import open_index
    from euprojects.web.server import serve as run_server

    host, port = host or ctx.settings.host, port or ctx.settings.port
    ctx.store.migrate()
    caught_up = ingest_pipeline.catch_up(ctx.store, ctx.settings.index_dir)
    if caught_up is not None and caught_up.mode != "current":
        click.echo(f"index {caught_up.mode}: {caught_up.documents:,} document(s) brought in step with the store")
    if open_index(ctx.settings.index_dir) is None:
        click.echo("note: there is no search index yet; `euprojects ingest PATH` builds it", err=True)
    click.echo(f"euprojects portal on http://{host}:{port}/  (API docs: http://{host}:{port}/docs)")
    if not no_embed:
        embed_in_background()
    run_server(ctx.settings, host, port, workers)


@main.command()
@pass_context
def sync(ctx: Context) -> None:
    """Bring this node's search index in step with the store's change log now (the portal does it
    every EUPROJECTS_SYNC_SECONDS); build it when this node has none."""
    from euprojects.index.sync import sync as sync_index

    report = sync_index(ctx.store, ctx.settings.index_dir)
    if report.mode == "current":
        click.echo(f"the index is current (change {report.seq:,})")
    else:
        click.echo(
            f"index {report.mode}: {report.documents:,} change(s) in {report.seconds:.1f} s, now at {report.seq:,}"
        )


@main.command()
@pass_context
def migrate(ctx: Context) -> None:
    """Apply pending store migrations (SQLite or PostgreSQL, as EUPROJECTS_DATABASE_URL names)."""
    store = _open(ctx.settings.database_url, migrate=False)
    applied = store.migrate()
    store.close()
    click.echo("applied: " + ", ".join(applied) if applied else "the store is up to date")


@main.command("copy")
@click.argument("source_url")
@click.argument("destination_url")
def copy_command(source_url: str, destination_url: str) -> None:
    """Copy a whole store to another (SQLite or PostgreSQL, either way), verified table by table.

    The destination is migrated first and must hold no records; the source is left as it was."""
    source, destination = _open(source_url), _open(destination_url)
    try:
        copied = copy_store(source, destination, lambda table, rows: click.echo(f"{table}: {rows:,} row(s)", err=True))
    except CopyError as err:
        raise click.ClickException(str(err)) from None
    finally:
        source.close()
        destination.close()
    rows = [(c.table, f"{c.rows:,}", c.checksum) for c in copied]
    click.echo(tables.render(("table", "rows", "checksum"), rows))
    click.echo(f"copied and verified {len(copied)} tables from {safe(source_url)} to {safe(destination_url)}")


def _open(url: str, migrate: bool = True) -> Store:
    """A store by URL, or a one-line error naming it."""
    try:
        return open_store(url, migrate=migrate)
    except (ValueError, OSError) as err:
        raise click.ClickException(f"cannot open the store {safe(url)}: {err}") from None


@main.command()
@click.argument("query", default="")
@click.option(
    "--filter",
    "filters",
    multiple=True,
    metavar="NAME=VALUE",
    help=f"Restrict, e.g. country=FI; repeatable. Filters: {', '.join(FIELDS)}.",
)
@click.option("--facet", "facets", multiple=True, metavar="NAME", help="Count values of a facet; repeatable.")
@click.option(
    "--sort", type=click.Choice(list(SORTS)), help="Order of hits (- = descending); default relevance for a query."
)
@click.option("--limit", default=10, show_default=True, type=click.IntRange(0, limits.MAX_LIMIT))
@click.option("--page", default=1, show_default=True, type=click.IntRange(1))
@click.option("--cursor", help="Continue after the page that printed this cursor.")
@click.option(
    "--mode",
    type=click.Choice(["keyword", "semantic", "hybrid"]),
    help="By words, by meaning, or both fused (default: hybrid when semantic search is ready, else keyword).",
)
@json_option
@pass_context
def search(
    ctx: Context,
    query: str,
    filters: tuple[str, ...],
    facets: tuple[str, ...],
    sort: str | None,
    limit: int,
    page: int,
    cursor: str | None,
    mode: str | None,
    as_json: bool,
) -> None:
    """Search projects: all words must match; "phrases", OR, -word, prefix*, title:, org:, country:, start:2014.."""
    request = SearchRequest(
        query=query,
        filters=_filters(filters),
        facets=facets or DEFAULT_FACETS,
        sort=sort,
        limit=limit,
        page=page,
        cursor=cursor,
        mode=mode,
    )
    try:
        result = SemanticSearcher(ctx.settings.index_dir, ctx.store).search(request)
    except (IndexMissing, QueryError) as err:
        raise click.ClickException(str(err)) from None
    if as_json:
        emit_json(result)
        return
    _print_search(result)


@main.command()
@click.argument("query")
@click.option("--country", multiple=True, help="Organisation's country (code or name); repeatable.")
@click.option("--nuts", multiple=True, help="Organisation's NUTS region or a parent of it; repeatable.")
@click.option("--type", "org_type", multiple=True, help="Organisation type, e.g. HES, REC, PRC; repeatable.")
@click.option("--has-led", "led", is_flag=True, help="Only organisations that led or coordinated a project.")
@click.option("--programme", multiple=True, help="Only organisations with a project in this programme; repeatable.")
@click.option("--period", multiple=True, help="Only organisations with a project in this period; repeatable.")
@click.option("--limit", default=10, show_default=True, type=click.IntRange(1, partner_search.MAX_LIMIT))
@json_option
@pass_context
def partners(
    ctx: Context,
    query: str,
    country: tuple[str, ...],
    nuts: tuple[str, ...],
    org_type: tuple[str, ...],
    led: bool,
    programme: tuple[str, ...],
    period: tuple[str, ...],
    limit: int,
    as_json: bool,
) -> None:
    """Find partners: organisations ranked by their projects on a topic (relevance, recency, role)."""
    codes = tuple(_country_code(c) for c in country)
    request = partner_search.PartnerQuery(
        query=query, country=codes, nuts=tuple(n.upper() for n in nuts), org_type=org_type,
        has_led=led, programme=programme, period=period, limit=limit,
    )  # fmt: skip
    try:
        result = partner_search.find_partners(Searcher(ctx.settings.index_dir, ctx.store), ctx.store, request)
    except (IndexMissing, QueryError) as err:
        raise click.ClickException(str(err)) from None
    if as_json:
        emit_json(result)
        return
    rows = [(h.id, h.name, h.country, h.projects, h.led, f"{h.score:.2f}") for h in result.hits]
    click.echo(tables.render(("organisation", "name", "country", "projects", "led", "score"), rows))
    click.echo(
        f"{len(result.hits)} of {result.total:,} organisation(s), ranked over the {result.projects_considered:,}"
        f" most relevant of {result.projects_matched:,} matching projects"
    )


def _country_code(value: str) -> str:
    code = country_code(value)
    if code is None:
        raise click.BadParameter(f"{value!r} is not a country code or name", param_hint="--country")
    return code


def _filters(pairs: tuple[str, ...]) -> dict[str, list[str]]:
    chosen: dict[str, list[str]] = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep:
            raise click.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--filter")
        chosen.setdefault(name.strip(), []).append(value.strip())
    return chosen


def _print_search(result: SearchResult) -> None:
    if result.relaxed:
        click.echo("No project matches all the words; showing projects that match some of them.")
    rows = [
        (h.id, h.acronym, h.title, h.start_date, h.score if result.sort == "relevance" else "") for h in result.hits
    ]
    click.echo(tables.render(("id", "acronym", "title", "start", "score"), rows))
    click.echo(f"{len(result.hits)} of {result.total:,} project(s)")
    if result.suggestion:
        click.echo(f"Did you mean: {result.suggestion}")
    for name, values in result.facets.items():
        shown = ", ".join(f"{v.value} ({v.count:,})" for v in values[:8])
        click.echo(f"{name}: {shown}")
    if result.next_cursor:
        click.echo(f"next page: --cursor {result.next_cursor}")


def _add_commands() -> None:
    """Commands kept in their own packages (imported here: they use this module's context)."""
    from euprojects.fetch.command import fetch_command
    from euprojects.orgs import commands as orgs_commands

    main.add_command(fetch_command)
    main.add_command(orgs_commands.orgs)


_add_commands()

from euprojects.semantic.cli import embed_command, embed_in_background, update_vectors  # noqa: E402

main.add_command(embed_command)
