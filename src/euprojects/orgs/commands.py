"""``euprojects orgs``: resolve organisations again, and match a name against them."""

from __future__ import annotations

import click

from euprojects import tables
from euprojects.cli import Context, emit_json, json_option, pass_context
from euprojects.orgs.candidates import candidates_for
from euprojects.orgs.overrides import OverridesError
from euprojects.orgs.resolve import resolve
from euprojects.store.locking import StoreBusy


@click.group()
def orgs() -> None:
    """Organisations across sources: resolution and matching."""


@orgs.command("resolve")
@click.option("--rebuild", is_flag=True, help="Resolve every mention again, not only new and changed ones.")
@json_option
@pass_context
def resolve_command(ctx: Context, rebuild: bool, as_json: bool) -> None:
    """Link each organisation as the sources name it to one organisation per real body (every
    ingest does this for what it changed), applying $EUPROJECTS_HOME/organisations.toml."""
    try:
        with ctx.store.writer_lock():
            report = resolve(ctx.store, ctx.settings.home, rebuild=rebuild)
    except (StoreBusy, OverridesError) as err:
        raise click.ClickException(str(err)) from None
    if as_json:
        emit_json(report)
        return
    click.echo(
        f"{report.mentions:,} mentions, {report.resolved:,} resolved: {report.organisations:,} organisations"
        f" ({report.merged:,} mentions linked to another), {report.changed_projects:,} projects changed,"
        f" {report.seconds} s"
    )
    click.echo(tables.render(("method", "mentions"), sorted(report.methods.items())))


@orgs.command("match")
@click.argument("name")
@click.option("--country", help="Country of the organisation (ISO code or name).")
@click.option("--limit", default=5, show_default=True, type=click.IntRange(1, 50))
@json_option
@pass_context
def match_command(ctx: Context, name: str, country: str | None, limit: int, as_json: bool) -> None:
    """The organisations a name may be, best first; match is true only when confident enough to
    link without a person looking."""
    if not name.strip():
        raise click.BadParameter("give a name or an identifier", param_hint="NAME")
    store = ctx.store
    found = candidates_for(store, store.url, store.seq()).match(name, country, limit)
    if as_json:
        emit_json(
            {
                "candidates": [
                    {
                        "id": c.id,
                        "name": c.name,
                        "country": c.country,
                        "identifiers": c.identifiers,
                        "score": c.score,
                        "match": c.match,
                    }
                    for c in found
                ]
            }
        )
        return
    rows = [(c.id, c.name, c.country, c.score, "yes" if c.match else "") for c in found]
    click.echo(tables.render(("id", "name", "country", "score", "match"), rows))
