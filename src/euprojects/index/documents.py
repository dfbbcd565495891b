"""A project as an index document."""

from __future__ import annotations

import datetime as dt

import tantivy

from euprojects.index.schema import SOURCE_LANGUAGE, STEMMERS
from euprojects.model import Project
from euprojects.normalise.money import to_eur
from euprojects.normalise.places import fold


def _day(value: dt.date | None) -> int | None:
    return value.year * 10000 + value.month * 100 + value.day if value else None


def nuts_prefixes(codes: list[str]) -> list[str]:
    """Every level of each NUTS code (``EL24`` → EL, EL2, EL24) so a prefix filter is a term match."""
    return sorted({code[:n] for code in codes for n in range(2, len(code) + 1)})


def results_text(project: Project) -> str:
    parts = [project.results or ""]
    parts += [" ".join(filter(None, (link.title, link.description))) for link in project.links]
    return "\n".join(p for p in parts if p)


def to_document(project: Project) -> tantivy.Document:
    orgs = [p.organisation for p in project.participations]
    org_names = "\n".join(o.name for o in orgs if o.name)
    status = project.effective_status()
    fields: dict[str, object] = {
        "id": project.id,
        "title": project.title or "",
        "acronym": project.acronym or "",
        "summary": project.summary or "",
        "results": results_text(project),
        "orgs": org_names,
        "themes": "\n".join(project.themes),
        "source": project.source,
        "country": project.countries,
        "org": [o.id for o in orgs],
        "org_type": sorted({o.type for o in orgs if o.type}),
        "nuts": nuts_prefixes(project.nuts + [o.nuts for o in orgs if o.nuts]),
        "title_sort": fold(project.title or project.acronym or "")[:64],
        "partner_count": project.partner_count or 0,
        "has_website": int(bool(project.website)),
        "has_partners": int(bool(project.participations)),
    }
    fields["plain"] = "\n".join(str(fields[k]) for k in ("title", "acronym", "summary", "results", "orgs", "themes"))
    language = SOURCE_LANGUAGE.get(project.source, "en")
    if language in STEMMERS:
        fields[f"text_{language}"] = f"{project.title or ''}\n{project.summary or ''}\n{project.results or ''}"
    optional = {
        "programme": project.programme,
        "period": project.period,
        "fund": project.fund,
        "status": status.value if status else None,
        "lead_country": project.lead.organisation.country if project.lead else None,
        "start_year": project.start_date.year if project.start_date else None,
        "end_year": project.end_date.year if project.end_date else None,
        "start_date": _day(project.start_date),
        "end_date": _day(project.end_date),
        "eu_contribution": to_eur(project.eu_contribution),
        "total_cost": to_eur(project.total_cost),
    }
    fields.update({k: v for k, v in optional.items() if v is not None})
    return tantivy.Document(**fields)
