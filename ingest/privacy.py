"""Personal id numbers out of everything ingest writes besides the graph (quarantine files).

The graph keeps a person's id number only as a keyed hash and a masked display form
(``graph.identity``). A quarantined row is written back out for a person to fix, so its
id numbers are masked the same way: the columns that hold a person's id (always, or when
the row's type column says ``person``), and any value anywhere that looks like a resident
id number (a row refused for a bad type column may hold one in an unexpected place).
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["PERSON_ID_COLUMNS", "mask_id", "mask_personal_ids"]

#: Per file kind: the columns that hold a person's id, and the type column that says so
#: (None: the column always holds one).
PERSON_ID_COLUMNS: dict[str, tuple[tuple[str, str | None], ...]] = {
    "people": (("person_id", None),),
    "roles": (("person_id", None),),
    "shareholdings": (("holder_id", "holder_type"),),
    "stores": (("operator_id", "operator_type"),),
    "brands": (("owner_id", "owner_type"),),
    "listings": (("subject_id", "subject_type"),),
    "violations": (("subject_id", "subject_type"),),
}

#: Resident id numbers (18 characters, 15 in the first generation), alone or inside text.
_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def mask_id(value: str) -> str:
    """An id number masked as the graph displays it: the first and last 4 (1 when short)."""
    text = value.strip()
    if not text:
        return value
    keep = 4 if len(text) > 8 else 1
    if len(text) <= 2 * keep:
        return "*" * len(text)
    return text[:keep] + "*" * (len(text) - 2 * keep) + text[-keep:]


def mask_personal_ids(kind: str, row: Mapping[str, str]) -> dict[str, str]:
    """``row`` with every personal id number masked."""
    out = {k: ("" if v is None else str(v)) for k, v in row.items()}
    for column, type_column in PERSON_ID_COLUMNS.get(kind, ()):
        if column in out and (
            type_column is None or out.get(type_column, "").strip() not in ("business", "store")
        ):
            out[column] = mask_id(out[column])
    for column, value in out.items():
        out[column] = _RESIDENT_ID.sub(lambda m: mask_id(m.group(1)), value)
    return out
