"""Data-quality observations computed on a merged project, shown on its page.

Each is a fact a careful reader of the source would notice; none changes a value.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from euprojects.model import Flag, Project, Status

_TOLERANCE = Decimal("1.005")


def quality_flags(project: Project, today: dt.date | None = None) -> list[Flag]:
    flags = []
    for check in (_partner_budgets_exceed_total, _end_before_start, _status_contradicts_dates):
        flag = check(project, today or dt.date.today())
        if flag is not None:
            flags.append(flag)
    return flags


def _partner_budgets_exceed_total(project: Project, today: dt.date) -> Flag | None:
    total = project.eu_contribution
    amounts = [p.eu_contribution for p in project.participations if p.eu_contribution is not None]
    if total is None or not amounts or any(a.currency != total.currency for a in amounts):
        return None
    partners = sum((a.amount for a in amounts), Decimal(0))
    if partners > total.amount * _TOLERANCE:
        return Flag(
            "partner_budgets_exceed_total",
            f"The partners' EU contributions add up to {partners:,.2f} {total.currency}, "
            f"more than the project's {total.amount:,.2f} {total.currency}.",
        )
    return None


def _end_before_start(project: Project, today: dt.date) -> Flag | None:
    if project.start_date and project.end_date and project.end_date < project.start_date:
        return Flag(
            "end_before_start", f"The end date {project.end_date} is before the start date {project.start_date}."
        )
    return None


def _status_contradicts_dates(project: Project, today: dt.date) -> Flag | None:
    if project.status in (Status.ONGOING, Status.PLANNED) and project.end_date and project.end_date < today:
        return Flag(
            "status_outdated",
            f"The source says {project.status_source or project.status.value}, but the project ended on "
            f"{project.end_date}; the status was probably not updated.",
        )
    return None
