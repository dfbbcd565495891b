"""What is embedded of a project: what it is about, never the label made up for an untitled one."""

from __future__ import annotations

from pathlib import Path

from euprojects import ingest
from euprojects.semantic.text import MAX_TOKENS, SUMMARY_WORDS, project_text
from euprojects.store import Store, open_store


def test_a_project_known_only_by_its_label_is_not_embedded(data: Path, tmp_path: Path) -> None:
    """The first Framework Programmes' projects are named only by their participants' rows: the
    portal calls each by a label built from its programme, lead partner and years. Tens of
    thousands alike crowded the vector index and buried the projects a query meant; such a
    project has nothing to embed."""
    store = open_store(f"sqlite:///{tmp_path / 'store.db'}")
    try:
        ingest.run(store, [data / "cordis-fp1-fp3-organizations" / "organizations-fp1-1984-1987.csv"])
        untitled = [p for p in store.iter_projects() if p.unlisted is None and not p.title and not p.summary]
        labelled = [p for p in untitled if p.label]
        assert len(labelled) > 100
        assert "project led by" in labelled[0].label  # type: ignore[operator]
        assert {project_text(p) for p in untitled} == {""}
    finally:
        store.close()


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
