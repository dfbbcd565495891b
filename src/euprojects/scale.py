"""A seeded generator that scales the real corpus up to benchmark sizes (100k, 1M projects).

The generator first reads a *profile* of a store that holds the real, ingested data: every
real project becomes a compact template (source, programme, period, fund, status, dates,
money, NUTS, themes and its consortium as a list of partner countries and roles), and real
organisations, titles, summary sentences and acronyms go into pools. Each synthetic project
then copies the structure of one template drawn at random, so the joint distribution of
source, programme, period, fund and partner-country mix is the real one, and varies it:

* partners are other real organisations of the same country, drawn in proportion to how often
  they take part in real projects, so organisation facets and ``org:`` queries see realistic
  popularity;
* EU contribution and budget are the template's times a log-normal factor (median 1), dates
  move by up to half a year keeping the duration;
* the title splices two real titles of the same language, the summary is real sentences drawn
  from real summaries of that language, as many as a real summary has — so term statistics
  stay those of real text. Every synthetic project has a title; it has a summary whenever real
  projects of its language publish any (the real CORDIS files here lack most objectives only
  because many of them are participation lists).

Ids keep the real source (so the source facet is realistic) with a ``syn`` source id prefix
that no real id uses. Generation streams: memory is bounded by the size of the real profile,
not by the number of projects generated.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from pathlib import Path

import msgspec

from euprojects.index import rebuild
from euprojects.index.schema import SOURCE_LANGUAGE
from euprojects.model import Money, Organisation, Participation, Project, Provenance, Role, Status
from euprojects.store import Store

PREFIX = "syn"
BATCH = 2000
MONEY_SIGMA = 0.3  # spread of the log-normal factor applied to real amounts
DATE_SHIFT_DAYS = 180
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9À-ÖØ-ÞΑ-ΩА-Я\"'(])")
_WORD = re.compile(r"\S+")

Progress = Callable[[str, int], None]


class _Partner(msgspec.Struct, array_like=True, frozen=True):
    country: str | None
    role: Role
    role_raw: str | None
    eu: Decimal | None
    currency: str


class Template(msgspec.Struct, array_like=True, frozen=True):
    """What a real project lends a synthetic one: everything but its text and partner names."""

    source: str
    has_acronym: bool
    status: Status | None
    status_source: str | None
    programme: str | None
    programme_code: str | None
    period: str | None
    fund: str | None
    call: str | None
    topic: str | None
    topic_title: str | None
    funding_scheme: str | None
    themes: tuple[str, ...]
    start: int | None  # proleptic ordinal
    duration: int | None  # days
    eu: Money | None
    total: Money | None
    cofinancing_rate: Decimal | None
    has_website: bool
    declared_partner_count: int | None
    nuts: tuple[str, ...]
    partners: tuple[_Partner, ...]


class _Texts:
    """Real titles, summary sentences and summary lengths of one language."""

    def __init__(self) -> None:
        self.titles: list[list[str]] = []
        self.sentences: list[str] = []
        self.lengths: list[int] = []
        self.summaries = 0
        self.projects = 0


class Profile:
    """The real corpus, read once: templates and pools to draw synthetic projects from."""

    def __init__(self) -> None:
        self.templates: list[Template] = []
        self.texts: dict[str, _Texts] = {}
        self.acronyms: dict[str, list[str]] = {}
        self.organisations: dict[str, Organisation] = {}
        # Organisation ids of every real participation, by country: drawing from it favours
        # organisations as often as they really take part.
        self.partners_by_country: dict[str | None, list[str]] = {}
        self.real_ids: set[str] = set()

    @property
    def size(self) -> int:
        return len(self.templates)

    def language(self, source: str) -> str:
        return SOURCE_LANGUAGE.get(source, "en")

    def vocabulary_texts(self, language: str = "en") -> Iterator[str]:
        """Real text of a language (titles and summary sentences), e.g. to draw benchmark queries from."""
        texts = self.texts.get(language)
        if texts is None:
            return
        for words in texts.titles:
            yield " ".join(words)
        yield from texts.sentences


def read_profile(store: Store, batch: int = 1000) -> Profile:
    """Read every project of ``store`` (in id order, so the profile is deterministic)."""
    profile = Profile()
    for project in store.iter_projects(batch):
        _add(profile, project)
    for pool in profile.partners_by_country.values():
        pool.sort()
    for texts in profile.texts.values():
        texts.sentences.sort()
        texts.titles.sort()
        texts.lengths.sort()
    for acronyms in profile.acronyms.values():
        acronyms.sort()
    if not profile.templates:
        raise ValueError("the source store holds no projects to scale: ingest real data first")
    return profile


def _add(profile: Profile, project: Project) -> None:
    if project.source_id.startswith(PREFIX):
        raise ValueError(f"{project.id}: the source store already holds synthetic projects")
    profile.real_ids.add(project.id)
    texts = profile.texts.setdefault(profile.language(project.source), _Texts())
    texts.projects += 1
    if project.title:
        texts.titles.append(_WORD.findall(project.title))
    if project.summary:
        sentences = [s.strip() for s in _SENTENCE.split(project.summary) if s.strip()]
        texts.sentences.extend(sentences)
        texts.lengths.append(len(sentences))
        texts.summaries += 1
    if project.acronym:
        profile.acronyms.setdefault(project.source, []).append(project.acronym)
    partners = []
    for participation in project.participations:
        org = participation.organisation
        profile.organisations.setdefault(org.id, org)
        profile.partners_by_country.setdefault(org.country, []).append(org.id)
        money = participation.eu_contribution
        partners.append(
            _Partner(
                country=org.country,
                role=participation.role,
                role_raw=participation.role_raw,
                eu=money.amount if money else None,
                currency=money.currency if money else "EUR",
            )
        )
    start = project.start_date.toordinal() if project.start_date else None
    duration = (project.end_date - project.start_date).days if project.start_date and project.end_date else None
    profile.templates.append(
        Template(
            source=project.source,
            has_acronym=bool(project.acronym),
            status=project.status,
            status_source=project.status_source,
            programme=project.programme,
            programme_code=project.programme_code,
            period=project.period,
            fund=project.fund,
            call=project.call,
            topic=project.topic,
            topic_title=project.topic_title,
            funding_scheme=project.funding_scheme,
            themes=tuple(project.themes),
            start=start,
            duration=duration,
            eu=project.eu_contribution,
            total=project.total_cost,
            cofinancing_rate=project.cofinancing_rate,
            has_website=bool(project.website),
            declared_partner_count=project.declared_partner_count,
            nuts=tuple(project.nuts),
            partners=tuple(partners),
        )
    )


class Generator:
    """Synthetic projects from a profile; the same seed gives the same projects, in order."""

    def __init__(self, profile: Profile, seed: int) -> None:
        self.profile = profile
        self.seed = seed
        self.rng = random.Random(seed)
        self.provenance = [Provenance(format="synthetic", file=f"scale-seed-{seed}")]

    def projects(self, count: int, start: int = 0) -> Iterator[Project]:
        for number in range(start, start + count):
            yield self.project(number)

    def project(self, number: int) -> Project:
        rng = self.rng
        template = rng.choice(self.profile.templates)
        factor = Decimal(str(round(rng.lognormvariate(0.0, MONEY_SIGMA), 4)))
        source_id = f"{PREFIX}{number:07d}"
        language = self.profile.language(template.source)
        title = self._title(language)
        acronyms = self.profile.acronyms.get(template.source)
        start_date = end_date = None
        if template.start is not None:
            start_date = dt.date.fromordinal(template.start + rng.randint(-DATE_SHIFT_DAYS, DATE_SHIFT_DAYS))
            if template.duration is not None:
                end_date = start_date + dt.timedelta(days=template.duration)
        return Project(
            source=template.source,
            source_id=source_id,
            acronym=rng.choice(acronyms) if template.has_acronym and acronyms else None,
            title=title,
            summary=self._summary(language),
            start_date=start_date,
            end_date=end_date,
            status=template.status,
            status_source=template.status_source,
            programme=template.programme,
            programme_code=template.programme_code,
            period=template.period,
            fund=template.fund,
            call=template.call,
            topic=template.topic,
            topic_title=template.topic_title,
            funding_scheme=template.funding_scheme,
            themes=list(template.themes),
            total_cost=_scaled(template.total, factor),
            eu_contribution=_scaled(template.eu, factor),
            cofinancing_rate=template.cofinancing_rate,
            website=f"https://example.org/{template.source}/{source_id}" if template.has_website else None,
            declared_partner_count=template.declared_partner_count,
            nuts=list(template.nuts),
            participations=self._participations(template, factor),
            provenance=self.provenance,
        )

    def _title(self, language: str) -> str | None:
        texts = self.profile.texts.get(language)
        if texts is None or not texts.titles:
            texts = self.profile.texts.get("en")
            if texts is None or not texts.titles:
                return None
        rng = self.rng
        first, second = rng.choice(texts.titles), rng.choice(texts.titles)
        cut_first = rng.randint(1, max(1, len(first) * 2 // 3))
        cut_second = rng.randint(len(second) // 3, len(second))
        return " ".join(first[:cut_first] + second[cut_second:])

    def _summary(self, language: str) -> str | None:
        texts = self.profile.texts.get(language)
        if texts is None or not texts.sentences:
            return None
        rng = self.rng
        count = rng.choice(texts.lengths)
        return " ".join(rng.choice(texts.sentences) for _ in range(count))

    def _participations(self, template: Template, factor: Decimal) -> list[Participation]:
        rng = self.rng
        pools = self.profile.partners_by_country
        organisations = self.profile.organisations
        found: list[Participation] = []
        used: set[str] = set()
        for order, partner in enumerate(template.partners, 1):
            pool = pools[partner.country]
            org_id = rng.choice(pool)
            for _ in range(3):  # a consortium rarely lists one organisation twice
                if org_id not in used:
                    break
                org_id = rng.choice(pool)
            used.add(org_id)
            money = None
            if partner.eu is not None:
                money = Money(amount=(partner.eu * factor).quantize(Decimal("0.01")), currency=partner.currency)
            found.append(
                Participation(
                    organisation=organisations[org_id],
                    role=partner.role,
                    role_raw=partner.role_raw,
                    order=order,
                    eu_contribution=money,
                )
            )
        return found


def _scaled(money: Money | None, factor: Decimal) -> Money | None:
    if money is None:
        return None
    return Money(amount=(money.amount * factor).quantize(Decimal("0.01")), currency=money.currency)


def _batches(projects: Iterable[Project], size: int) -> Iterator[list[Project]]:
    batch: list[Project] = []
    for project in projects:
        batch.append(project)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def write(target: Store, projects: Iterable[Project], batch: int = BATCH, progress: Progress | None = None) -> int:
    """Save projects into ``target`` a batch at a time, through ``Store.save``; returns the count."""
    written = 0
    for part in _batches(projects, batch):
        target.save(part, deleted=[], done=[])
        written += len(part)
        if progress:
            progress("writing", written)
    return written


class ScaleReport(msgspec.Struct):
    projects: int
    real_projects: int
    seed: int
    profile_seconds: float
    write_seconds: float
    index_seconds: float | None = None


def scale(
    source: Store,
    target: Store,
    count: int,
    seed: int = 1,
    index_dir: Path | None = None,
    batch: int = BATCH,
    progress: Progress | None = None,
) -> ScaleReport:
    """Write ``count`` synthetic projects shaped like ``source``'s into ``target``, then index them."""
    started = time.perf_counter()
    profile = read_profile(source)
    profiled = time.perf_counter()
    generator = Generator(profile, seed)
    written = write(target, generator.projects(count), batch, progress)
    wrote = time.perf_counter()
    report = ScaleReport(
        projects=written,
        real_projects=profile.size,
        seed=seed,
        profile_seconds=round(profiled - started, 3),
        write_seconds=round(wrote - profiled, 3),
    )
    if index_dir is not None:
        rebuild(target, index_dir, progress)
        report.index_seconds = round(time.perf_counter() - wrote, 3)
    return report


__all__ = ["Generator", "Profile", "ScaleReport", "Template", "read_profile", "scale", "write"]
