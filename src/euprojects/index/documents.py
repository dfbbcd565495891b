"""A project as an index document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import msgspec
import tantivy

from euprojects.fields import FIELDS
from euprojects.index.lemmas import LEMMATISED, lemmatise
from euprojects.index.schema import SOURCE_LANGUAGE, STEMMERS
from euprojects.model import Project
from euprojects.normalise.money import to_eur
from euprojects.normalise.places import fold
from euprojects.stats.document import stats_fields

NUMBER_BITS = 24  # room for 16 million projects
VALUE_LIMIT = 2**38  # whole euros or days: both fit with room to spare
_EPOCH = dt.date(1900, 1, 1)
_LAST = "\U0010ffff"
_json = msgspec.json.Encoder()


def _day(value: dt.date | None) -> int | None:
    return value.year * 10000 + value.month * 100 + value.day if value else None


def sort_keys(name: str, value: float | None, number: int) -> dict[str, int]:
    """Ascending and descending keys of one sort value, unique per project, missing values last."""
    if value is None:
        return {f"sort_{name}_a": ((VALUE_LIMIT - 1) << NUMBER_BITS) | number, f"sort_{name}_d": -(1 << 62) + number}
    whole = max(0, min(int(value), VALUE_LIMIT - 2))
    key = (whole << NUMBER_BITS) | number
    return {f"sort_{name}_a": key, f"sort_{name}_d": key}


def results_text(project: Project) -> str:
    parts = [project.results or ""]
    parts += [" ".join(filter(None, (link.title, link.description))) for link in project.links]
    return "\n".join(p for p in parts if p)


def _days(value: dt.date | None) -> int | None:
    return (value - _EPOCH).days if value else None


def to_document(project: Project, number: int, aliases: Sequence[str] = ()) -> tantivy.Document:
    """The index document of a project; ``number`` is its stable number from the store and
    ``aliases`` the other ids it is known by."""
    return tantivy.Document(**document_fields(project, number, aliases))


def document_json(project: Project, number: int, aliases: Sequence[str] = ()) -> str:
    """The same document as JSON, which worker processes can build and the writer adds."""
    return _json.encode(document_fields(project, number, aliases)).decode()


def ids(project: Project, aliases: Sequence[str]) -> list[str]:
    """Every id the project is known by, with and without its source (``cordis:826352`` and
    ``826352``, ``cordis:rcn-221856`` and ``221856``), and its partners' PICs, lower-cased."""
    found: set[str] = set()
    for known in (project.id, *aliases):
        rest = known.lower().partition(":")[2]
        found.update((known.lower(), rest, rest.removeprefix("rcn-")))
    found.update(pic for p in project.participations if (pic := p.organisation.identifiers.get("pic")))
    return sorted(found - {""})


def language_text(project: Project) -> dict[str, str]:
    """The project's own-language field: its texts as written where Tantivy stems the language,
    lemmatised where it cannot (Polish, Croatian); nothing for English, stemmed everywhere."""
    language = SOURCE_LANGUAGE.get(project.source, "en")
    text = f"{project.title or ''}\n{project.summary or ''}\n{project.results or ''}"
    if language in STEMMERS:
        return {f"text_{language}": text}
    if language in LEMMATISED:
        return {f"text_{language}": lemmatise(text, language)}
    return {}


def document_fields(project: Project, number: int, aliases: Sequence[str] = ()) -> dict[str, object]:
    """The index fields of a project, by field name."""
    orgs = [p.organisation for p in project.participations]
    title_key = fold(project.title or project.acronym or "")[:64]
    fields: dict[str, object] = {
        "id": project.id,
        "title": project.title or "",
        "acronym": project.acronym or "",
        "summary": project.summary or "",
        "results": results_text(project),
        "orgs": "\n".join(o.name for o in orgs if o.name),
        "themes": "\n".join(project.themes),
        "programme_text": project.programme or "",
        "ids": ids(project, aliases),
        "title_sort_a": f"{title_key or _LAST}\x00{project.id}",
        "title_sort_d": f"{title_key}\x00{project.id}",
        "partner_count": project.partner_count or 0,
    }
    fields["plain"] = "\n".join(str(fields[k]) for k in ("title", "acronym", "summary", "results", "orgs", "themes"))
    fields.update(language_text(project))
    fields.update(stats_fields(project))
    for declared in FIELDS.values():
        value = declared.value(project)
        if value is not None and value != []:
            fields[declared.index] = value
    eu, budget = to_eur(project.eu_contribution), to_eur(project.total_cost)
    optional = {"start_date": _day(project.start_date), "end_date": _day(project.end_date)}
    fields.update({k: v for k, v in optional.items() if v is not None})
    fields.update(sort_keys("start_date", _days(project.start_date), number))
    fields.update(sort_keys("end_date", _days(project.end_date), number))
    fields.update(sort_keys("eu_contribution", eu, number))
    fields.update(sort_keys("budget", budget, number))
    return fields
