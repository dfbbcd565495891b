"""A merged project's programme under its canonical code and label, and the years its framework
implies.

Every project passes here once its records are merged (``derive.finish``), so one programme has
one label in search, facets, pages and exports whichever source named it, and a programme code
and label that two records gave separately agree again. What a source published and this step
replaced stays in ``raw``; what it adds (a framework's name or years) says it was implied.
"""

from __future__ import annotations

from euprojects.model import Project
from euprojects.normalise import programmes

IMPLIED = "implied by the fund {fund}"
# A framework's own name is what loaders give a project when their table names no part; a part
# that another table names replaces it and it is not kept: the fund still says as much.
_FRAMEWORK_NAMES = frozenset(framework.label for framework in programmes.FRAMEWORKS.values())


def canonicalise(project: Project) -> None:
    """Name the project's programme by the table, in place; a programme it does not know stays
    as published."""
    found = programmes.resolve(project.programme_code, project.programme, project.fund)
    if found is not None:
        _rename(project, found)
    elif project.programme is None:
        _name_framework(project)
    _fill_period(project)


def _name_framework(project: Project) -> None:
    """The framework programme itself, for a research project no table placed in a part
    (as loaders do: the most specific programme known, else the framework's name)."""
    framework = programmes.FRAMEWORKS.get(project.fund or "")
    if framework is not None and project.fund is not None:
        project.raw = {"programme": IMPLIED.format(fund=project.fund), **project.raw}
        _rename(project, programmes.Canonical(project.fund, framework.label, project.fund))


def _rename(project: Project, found: programmes.Canonical) -> None:
    """Give the project the table's label and code, keeping in ``raw`` what they replace."""
    raw = dict(project.raw)
    replaced = project.programme
    if replaced is not None and replaced != found.label and replaced not in _FRAMEWORK_NAMES:
        raw.setdefault("programme", replaced)
    if found.code is not None:
        if project.programme_code is not None and project.programme_code != found.code:
            raw.setdefault("programme_code", project.programme_code)
        project.programme_code = found.code
    project.programme = found.label
    project.raw = raw


def _fill_period(project: Project) -> None:
    """A research framework's years, for a project whose tables give its fund but no period."""
    framework = programmes.FRAMEWORKS.get(project.fund or "")
    if project.period is None and framework is not None:
        project.period = framework.period
        project.raw = {**project.raw, "period": IMPLIED.format(fund=project.fund)}
