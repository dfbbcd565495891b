"""Organisation names and identities.

An organisation's id is the strongest identifier its source gives: the EU Participant
Identification Code, then a national register number, then its folded name within its
country. A participant its row leaves unnamed (``N/A``) is an organisation of its own, named
by where it was published. Names are folded the same way for matching ("Université de Liège" and
"UNIVERSITE DE LIEGE" meet), never for display.
"""

from __future__ import annotations

import re

from euprojects.normalise.places import fold

_PIC = re.compile(r"\d{9}")


def normalise_name(name: str) -> str:
    """Folded name: case, accents and punctuation removed, spaces collapsed."""
    return fold(name)


def organisation_id(
    name: str | None,
    country: str | None = None,
    pic: str | None = None,
    national: tuple[str, str] | None = None,
) -> str:
    """The identity key of an organisation; see the module docstring for the order of preference.

    ``national`` is a (register, number) pair such as ``("hr-oib", "12345678901")``.
    """
    if pic and _PIC.fullmatch(pic.strip()):
        return f"pic:{pic.strip()}"
    if national and national[1].strip():
        return f"{national[0]}:{national[1].strip()}"
    if not name or not fold(name):
        raise ValueError("an organisation needs a name or an identifier")
    return f"name:{country or 'XX'}:{normalise_name(name)}"


def unnamed_id(project_id: str, line: int) -> str:
    """``unnamed:<project>:<line>``: unique to the row, since two unnamed participants are not
    known to be one body, and stable while the file stays as it is."""
    return f"unnamed:{project_id}:{line}"


def is_unnamed(org_id: str) -> bool:
    return org_id.startswith("unnamed:")
