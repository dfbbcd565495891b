"""An organisation's details as several sources give them, merged into one record.

Sources describe one body differently (a name here, an address there); each new mention fills
what was missing and never overwrites what was known, so the result does not depend on which
project is rebuilt first.
"""

from __future__ import annotations

import msgspec

from euprojects.model import Organisation


def merge_organisation(known: Organisation, new: Organisation) -> Organisation:
    """An organisation seen again in another project: fill what was missing, keep what was known."""
    changes: dict[str, object] = {}
    for name in Organisation.__struct_fields__:
        if name in ("id", "identifiers"):
            continue
        if getattr(known, name) is None and getattr(new, name) is not None:
            changes[name] = getattr(new, name)
    identifiers = {**new.identifiers, **known.identifiers}
    if identifiers != known.identifiers:
        changes["identifiers"] = identifiers
    return msgspec.structs.replace(known, **changes) if changes else known
