"""What the codes in the data mean to a reader: sources, statuses, funds, roles, organisation
types. One table each, read by the search fields, the pages, the CLI and the exports."""

from __future__ import annotations

SOURCES = {
    "keep": "keep.eu (Interreg)",
    "cordis": "CORDIS (EU research)",
    "erc": "European Research Council",
    "interreg": "Interreg programme lists",
    "kohesio": "Kohesio (cohesion-policy projects and beneficiaries)",
    "os-dk": "Denmark: list of operations",
    "os-el": "Greece: list of operations",
    "os-hr": "Croatia: list of operations",
    "os-fi": "Finland: list of operations",
    "os-pl": "Poland: list of operations",
    "os-at": "Austria: list of operations",
}
STATUSES = {"planned": "Planned", "ongoing": "Ongoing", "finished": "Finished", "cancelled": "Cancelled"}
ROLES = {
    "lead": "Lead partner",
    "partner": "Partner",
    "associated": "Associated partner",
    "third_party": "Third party",
}
FUNDS = {
    "ERDF": "European Regional Development Fund",
    "ESF": "European Social Fund",
    "CF": "Cohesion Fund",
    "YEI": "Youth Employment Initiative",
    "FP1": "First Framework Programme",
    "FP2": "Second Framework Programme",
    "FP3": "Third Framework Programme",
    "FP7": "Seventh Framework Programme",
    "H2020": "Horizon 2020",
    "HORIZON": "Horizon Europe",
}
ORGANISATION_TYPES = {
    "HES": "Higher or secondary education",
    "REC": "Research organisation",
    "PRC": "Private company",
    "PUB": "Public body",
    "OTH": "Other",
}
