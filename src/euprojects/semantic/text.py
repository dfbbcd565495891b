"""What of a project is embedded, and the fingerprint that says whether it changed.

The text is the acronym, the title, the themes, the topic's title and the start of the summary:
the words a person would use to say what the project is about. Results and partner names are
left out: results repeat the summary in longer words and names carry no meaning the model knows.
A project with neither a title nor a summary is not embedded at all: the label the portal shows
for it instead ("Second Framework Programme (FP2) project led by …, 1987-1991") is built from its
programme, lead partner and years and says nothing of its subject, and the 49,525 such labels in
../shared/data, nearly alike, crowded the vector index (three quarters of it) and pushed
the projects a query meant out of the top ten. The model reads at most ``MAX_TOKENS`` word
pieces, so the summary is cut to about that many words before it is tokenised at all.
"""

from __future__ import annotations

import hashlib

from euprojects.model import Project

MAX_TOKENS = 128
# Raised when which projects are embedded changes (2: no more labels of untitled projects): a vector
# index of another version makes the next `euprojects embed` look at every project once.
TEXT_VERSION = 2
SUMMARY_WORDS = 110  # word pieces run ~1.3 per English word: 110 words fill 128 pieces with the title


def project_text(project: Project) -> str:
    """The text embedded for a project; empty when it says nothing of its subject (no title and
    no summary)."""
    if not project.title and not project.summary:
        return ""
    head = [part for part in (project.acronym, project.title) if part]
    about = [*project.themes[:6], project.topic_title] if project.themes or project.topic_title else []
    summary = " ".join((project.summary or "").split()[:SUMMARY_WORDS])
    parts = [": ".join(head), "; ".join(a for a in about if a), summary]
    return ". ".join(p for p in parts if p).strip()


def text_hash(model: str, text: str) -> str:
    """Changes when the text or the model changes: either needs a new vector."""
    return hashlib.blake2b(f"{model}\n{text}".encode(), digest_size=16).hexdigest()
