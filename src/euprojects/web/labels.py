"""Human labels for facet names and codes shown on the pages."""

from __future__ import annotations

from euprojects.normalise.places import country_name
from euprojects.web.format import FUND_LABELS, STATUS_LABELS

FACETS = {
    "source": "Source",
    "programme": "Programme",
    "period": "Period",
    "fund": "Fund",
    "country": "Partner country",
    "lead_country": "Lead partner country",
    "status": "Status",
    "start_year": "Start year",
    "org_type": "Organisation type",
    "nuts": "Region (NUTS)",
    "org": "Organisation",
    "start_year_range": "Start year",
    "has_website": "Has a website",
    "has_partners": "Lists partners",
    "eu_contribution": "EU contribution (EUR)",
    "budget": "Budget (EUR)",
    "end_year": "End year",
    "id": "Project",
}
SOURCES = {
    "keep": "keep.eu (Interreg)",
    "cordis": "CORDIS (EU research)",
    "erc": "European Research Council",
    "os-dk": "Denmark: list of operations",
    "os-el": "Greece: list of operations",
    "os-hr": "Croatia: list of operations",
    "os-fi": "Finland: list of operations",
    "os-pl": "Poland: list of operations",
    "os-at": "Austria: list of operations",
    "interreg": "Interreg programme lists",
    "kohesio": "Kohesio (cohesion-policy beneficiaries)",
}
ORGANISATION_TYPES = {
    "HES": "Higher or secondary education",
    "REC": "Research organisation",
    "PRC": "Private company",
    "PUB": "Public body",
    "OTH": "Other",
}


def facet_label(name: str) -> str:
    return FACETS.get(name, name.replace("_", " ").capitalize())


def value_label(name: str, value: str) -> str:
    if name in ("country", "lead_country"):
        return country_name(value) or value
    if name == "source":
        return SOURCES.get(value, value)
    if name == "status":
        return STATUS_LABELS.get(value, value)
    if name == "fund":
        return FUND_LABELS.get(value, value)
    if name == "org_type":
        return ORGANISATION_TYPES.get(value, value)
    return value
