"""Semantic search: sentence embeddings of every project, a vector index beside the Tantivy
index, keyword/semantic/hybrid search modes, similar projects and partner search.

Optional (``pip install 'euprojects[semantic]'``): without it the searcher is the keyword
searcher and :func:`encoder.available` is false.
"""

from __future__ import annotations

from euprojects.semantic.encoder import NOT_INSTALLED, available
from euprojects.semantic.modes import HYBRID, KEYWORD, MODES, SEMANTIC

__all__ = ["HYBRID", "KEYWORD", "MODES", "NOT_INSTALLED", "SEMANTIC", "available"]
