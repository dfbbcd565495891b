"""Statistics as text tables, for ``euprojects stats --by``."""

from __future__ import annotations

from collections.abc import Sequence

from euprojects import tables
from euprojects.stats.compute import DIMENSIONS, Statistics


def _cell(value: int | float | None, money: bool = False) -> str:
    if value is None:
        return ""
    return f"{value:,.2f}" if money else f"{value:,}"


def render(found: Statistics, dimensions: Sequence[str], limit: int = 20) -> str:
    """Totals, then each dimension's first ``limit`` rows."""
    totals = found.totals
    parts = [
        tables.key_values(
            [
                ("projects", f"{totals.projects:,}"),
                ("EU contribution (EUR)", _cell(totals.eu_contribution_eur, money=True)),
                ("projects with an EU amount", f"{totals.projects_with_eu_contribution:,}"),
                ("participations", f"{totals.participations:,}"),
                ("organisations", f"{totals.organisations:,}"),
            ]
        )
    ]
    if found.relaxed:
        parts.insert(0, "No project has all the words; counting projects with any of them, as the search does.")
    headers = ("projects", "EU contribution (EUR)", "participations", "organisations")
    for name in dimensions:
        rows = [
            (
                row.value,
                row.label if row.label != row.value else "",
                _cell(row.projects),
                _cell(row.eu_contribution_eur, money=True),
                _cell(row.participations),
                _cell(row.organisations),
            )
            for row in found.by[name][:limit]
        ]
        more = len(found.by[name]) - limit
        note = f"\n… and {more:,} more (--json gives all)" if more > 0 else ""
        parts.append(tables.render((DIMENSIONS[name].label, "", *headers), rows) + note)
    return "\n\n".join(parts)
