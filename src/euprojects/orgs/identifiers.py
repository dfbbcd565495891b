"""Identifiers an organisation mention carries, as keys that are equal when they name one body.

A PIC names one registration; a Croatian VAT number is ``HR`` + the OIB and a Norwegian one is
``NO`` + the organisation number + ``MVA``, so those meet the national registers' own keys. VAT
numbers are written with and without their country prefix and with spaces or dots.
"""

from __future__ import annotations

import re

from euprojects.model import Organisation

_NOT_ALNUM = re.compile(r"[^0-9A-Z]")
# Kinds of identifier that name exactly one body: two mentions with different values of one of
# these are never one organisation, whatever their names say.
EXCLUSIVE = ("pic", "hr-oib", "no-orgnr", "vat")
_PLACEHOLDERS = frozenset({"", "NA", "NOTAPPLICABLE", "NONE", "NULL", "0", "MISSING"})


def vat_key(value: str, country: str | None) -> str | None:
    """A VAT number as ``CC`` + its digits and letters; None for a placeholder."""
    text = _NOT_ALNUM.sub("", value.upper())
    if text in _PLACEHOLDERS or len(text) < 5:
        return None
    if text[:2].isalpha():
        return text
    prefix = {"GR": "EL", "GB": "GB"}.get(country or "", country or "")
    return prefix + text if prefix else text


def keys(org: Organisation) -> dict[str, str]:
    """The identifiers of a mention by kind (``pic``, ``vat``, ``hr-oib``, ``no-orgnr``)."""
    found: dict[str, str] = {}
    kind, _, value = org.id.partition(":")
    if kind in ("pic", "hr-oib", "no-orgnr"):
        found[kind] = value
    for kind, value in org.identifiers.items():
        if kind == "vat":
            vat = vat_key(value, org.country)
            if vat:
                found["vat"] = vat
                found.update(_national_from_vat(vat))
        elif kind in ("pic", "hr-oib", "no-orgnr") and value.strip():
            found[kind] = value.strip()
    return found


def _national_from_vat(vat: str) -> dict[str, str]:
    if vat.startswith("HR") and len(vat) == 13 and vat[2:].isdigit():
        return {"hr-oib": vat[2:]}
    if vat.startswith("NO") and vat[2:11].isdigit():
        return {"no-orgnr": vat[2:11]}
    return {}
