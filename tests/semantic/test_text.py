"""What is embedded of a project: what it is about, never the label made up for an untitled one."""

from __future__ import annotations

from pathlib import Path

from euprojects.semantic.text import MAX_TOKENS, SUMMARY_WORDS, project_text
from euprojects.store import Store


def test_a_project_known_only_by_its_label_is_not_embedded(corpus: tuple[Store, Path]) -> None:
    """A project that only an organisation file names has a label built from its programme, lead
    partner and years; tens of thousands alike crowded the vector index and buried the projects
    a query meant. Such a project has nothing to embed."""
    store, _ = corpus
    untitled = [p for p in store.iter_projects() if p.unlisted is None and not p.title and not p.summary]
    assert sum(1 for p in untitled if p.label) > 10
    assert {project_text(p) for p in untitled} == {""}


def test_the_text_is_the_acronym_title_and_start_of_the_summary(corpus: tuple[Store, Path]) -> None:
    store, _ = corpus
    project = store.project("erc:stg-suliwa-20080801")
    assert project is not None and project.acronym and project.title and project.summary
    text = project_text(project)
    assert text.startswith(f"{project.acronym}: {project.title}")
    summary = project.summary.split()
    assert " ".join(summary[:20]) in text
    assert len(summary) > SUMMARY_WORDS and " ".join(summary[SUMMARY_WORDS : SUMMARY_WORDS + 5]) not in text
    assert MAX_TOKENS >= SUMMARY_WORDS
