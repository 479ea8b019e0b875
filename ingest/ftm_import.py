"""Import FollowTheMoney entities (JSON lines) through the normal ingest pipeline.

Each entity becomes a row of a documented input file (docs/formats.md), so validation,
quarantine and reconciliation are the pipeline's own; rows carry the JSON line they came
from and provenance ``source = ftm:<dataset or file name>``.

=============================================  ===========================================
FollowTheMoney                                 input rows
=============================================  ===========================================
``Company``, ``Organization``, ``LegalEntity``  ``businesses``: ``registrationNumber`` +
                                               ``jurisdiction`` key it (a USCC alone for
                                               ``cn``), name, status, incorporationDate,
                                               address (or its ``addressEntity``), phone,
                                               e-mail
``Person``                                     ``people``: ``passportNumber`` or
                                               ``idNumber`` hashed on arrival (never kept in
                                               clear), else the entity id; name, address,
                                               phone, e-mail
``Address``                                    the ``address`` text of who refers to it
``Ownership``                                  ``shareholdings`` (percentage / 100; none =
                                               share unknown)
``Directorship``                               ``roles`` (legal representative, director,
                                               supervisor, manager by ``role``)
``Representation``                             ``roles`` (registration_agent)
``Control`` (declared)                         ``roles`` (actual_controller)
``Sanction``                                   ``listings`` (programId as list type)
=============================================  ===========================================

What cannot be mapped is quarantined with the file, line, field and reason (in
``ftm.quarantine.csv``, id numbers never written): another schema, a company without a
registration number and jurisdiction, a link to an entity neither in the file nor a
CreditGraph id, a role or sanction CreditGraph derives itself (computed control, a
``credgraph:`` restriction, a ``violation:``).
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd
from stdnum.cn import ric, uscc

from graph.store import GraphStore
from ingest.ftm_export import uid_of_ftm_id
from ingest.mappings import MAPPINGS
from ingest.pipeline import LINE, FileReport, IngestReport, StoreSink, reason_kind, run_frames

__all__ = ["FtmRows", "ftm_rows", "ingest_ftm"]

_COMPANIES = ("Company", "Organization", "LegalEntity")
_ROLE_WORDS = (
    ("legal representative", "legal_representative"),
    ("法定代表人", "legal_representative"),
    ("supervisor", "supervisor"),
    ("director", "director"),
    ("manager", "manager"),
    ("secretary", "manager"),
)
_STATUSES = ("active", "revoked", "cancelled", "abnormal")


@dataclass
class FtmRows:
    """Input rows made from an FtM file, and the lines that could not be mapped."""

    rows: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: (line, field, reason, schema, entity id) of every line not mapped.
    refused: list[tuple[int, str, str, str, str]] = field(default_factory=list)
    read: int = 0

    def add(self, kind: str, line: int, **values: str | None) -> None:
        row = {k: (v or "") for k, v in values.items()}
        row[LINE] = str(line)
        self.rows.setdefault(kind, []).append(row)


def _first(props: dict[str, list[Any]], *names: str) -> str | None:
    for name in names:
        for value in props.get(name) or []:
            if isinstance(value, str) and value.strip():
                return value.strip()
    return None


class _Refused(Exception):
    def __init__(self, field_name: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field_name
        self.reason = reason


def _entities(path: Path) -> Iterator[tuple[int, dict[str, Any] | None, str]]:
    with path.open(encoding="utf-8-sig") as handle:
        for line_no, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except ValueError as exc:
                yield line_no, None, f"not JSON: {exc}"
                continue
            if not isinstance(data, dict) or not isinstance(data.get("properties", {}), dict):
                yield line_no, None, "not an FtM entity (an object with schema and properties)"
                continue
            yield line_no, data, ""


def _business_id(props: dict[str, list[Any]], entity_id: str) -> str:
    number = _first(props, "registrationNumber", "leiCode", "ogrnCode", "innCode")
    jurisdiction = _first(props, "jurisdiction", "country")
    if number and uscc.is_valid(number):
        return number
    if entity_id.startswith("biz.") or entity_id.startswith("cg-b32-"):
        uid = uid_of_ftm_id(entity_id)
        if uid.startswith("biz:"):
            return uid.removeprefix("biz:")
    if not number:
        raise _Refused("registrationNumber", "a company without a registration number")
    if not jurisdiction:
        raise _Refused("jurisdiction", "a company without a jurisdiction")
    return f"{jurisdiction.upper()}:{number}"


def ftm_rows(path: Path) -> FtmRows:
    """Map an FtM JSON-lines file onto input rows (two passes: entities, then links)."""
    out = FtmRows()
    addresses: dict[str, str] = {}
    parties: dict[str, tuple[str, str]] = {}  # entity id -> (kind, id as input files cite it)
    links: list[tuple[int, dict[str, Any]]] = []
    for line, data, problem in _entities(path):
        out.read += 1
        if data is None:
            out.refused.append((line, "-", problem, "", ""))
            continue
        schema, entity_id = str(data.get("schema", "")), str(data.get("id", ""))
        props: dict[str, list[Any]] = data.get("properties") or {}
        try:
            if schema == "Address":
                addresses[entity_id] = _first(props, "full", "street") or ""
                links.append((line, data))  # counted when its referrers are mapped
            elif schema in _COMPANIES or schema == "Person":
                if schema == "Person":
                    parties[entity_id] = ("person", _person_id(props, entity_id)[0])
                else:
                    parties[entity_id] = ("business", _business_id(props, entity_id))
                links.append((line, data))
            elif schema in ("Ownership", "Directorship", "Representation", "Control", "Sanction"):
                links.append((line, data))
            else:
                out.refused.append(
                    (line, "schema", f"schema {schema!r} is not mapped", schema, entity_id)
                )
        except _Refused as exc:
            out.refused.append((line, exc.field, exc.reason, schema, entity_id))
    for line, data in links:
        schema, entity_id = str(data.get("schema", "")), str(data.get("id", ""))
        props = data.get("properties") or {}
        try:
            _map(out, line, schema, entity_id, props, addresses, parties)
        except _Refused as exc:
            out.refused.append((line, exc.field, exc.reason, schema, entity_id))
    return out


def _person_id(props: dict[str, list[Any]], entity_id: str) -> tuple[str, str]:
    passport = _first(props, "passportNumber")
    if passport:
        return passport, "passport"
    number = _first(props, "idNumber", "nationalId")
    if number:
        return number, "ric" if ric.is_valid(number) else "other"
    return f"ftm:{entity_id}", "other"


def _party(
    parties: dict[str, tuple[str, str]], props: dict[str, list[Any]], name: str
) -> tuple[str, str]:
    ref = _first(props, name)
    if ref is None:
        raise _Refused(name, "a value is required")
    if ref in parties:
        return parties[ref]
    uid = uid_of_ftm_id(ref)
    if uid.startswith("biz:"):
        return "business", uid.removeprefix("biz:")
    raise _Refused(name, f"refers to an entity that is not in the file ({ref})")


def _period(props: dict[str, list[Any]]) -> dict[str, str | None]:
    start, end = _first(props, "startDate"), _first(props, "endDate")
    return {"since": start[:10] if start else None, "until": end[:10] if end else None}


def _map(
    out: FtmRows,
    line: int,
    schema: str,
    entity_id: str,
    props: dict[str, list[Any]],
    addresses: dict[str, str],
    parties: dict[str, tuple[str, str]],
) -> None:
    address = _first(props, "address") or next(
        (addresses[a] for a in props.get("addressEntity") or [] if addresses.get(a)), None
    )
    if schema == "Address":
        return
    if schema in _COMPANIES:
        status = (_first(props, "status") or "").lower()
        established = _first(props, "incorporationDate")
        out.add(
            "businesses",
            line,
            business_id=parties[entity_id][1],
            name=_first(props, "name"),
            status=status if status in _STATUSES else None,
            established=established[:10] if established else None,
            address=address,
            phone=_first(props, "phone"),
            email=_first(props, "email"),
        )
    elif schema == "Person":
        person_id, id_type = _person_id(props, entity_id)
        out.add(
            "people",
            line,
            person_id=person_id,
            id_type=id_type,
            name=_first(props, "name"),
            address=address,
            phone=_first(props, "phone"),
            email=_first(props, "email"),
        )
    elif schema == "Ownership":
        owner_kind, owner = _party(parties, props, "owner")
        asset_kind, asset = _party(parties, props, "asset")
        if asset_kind != "business":
            raise _Refused("asset", "an ownership of something other than a company")
        percentage = _first(props, "percentage")
        share = None
        if percentage:
            try:
                share = f"{float(percentage.rstrip('%')) / 100:.10g}"
            except ValueError as exc:
                raise _Refused("percentage", f"{percentage!r} is not a number") from exc
        out.add(
            "shareholdings",
            line,
            holder_type=owner_kind,
            holder_id=owner,
            business_id=asset,
            share=share,
            **_period(props),
        )
    elif schema in ("Directorship", "Representation", "Control"):
        ends = {
            "Directorship": ("director", "organization"),
            "Representation": ("agent", "client"),
            "Control": ("controller", "controlled"),
        }[schema]
        if schema == "Control" and (_first(props, "controlType") or "") == "computed":
            raise _Refused("controlType", "computed control is recomputed, not imported")
        role = {"Representation": "registration_agent", "Control": "actual_controller"}.get(
            schema
        ) or _role(_first(props, "role") or "director")
        holder_kind, holder = _party(parties, props, ends[0])
        org_kind, org = _party(parties, props, ends[1])
        if org_kind != "business":
            raise _Refused(ends[1], f"a {role} of something other than a company")
        out.add(
            "roles",
            line,
            holder_type=holder_kind,
            holder_id=holder,
            business_id=org,
            role=role,
            **_period(props),
        )
    elif schema == "Sanction":
        _sanction(out, line, entity_id, props, parties)


def _role(text: str) -> str:
    lowered = text.lower()
    for word, role in _ROLE_WORDS:
        if word in lowered:
            return role
    raise _Refused("role", f"role {text!r} has no CreditGraph equivalent")


def _sanction(
    out: FtmRows,
    line: int,
    entity_id: str,
    props: dict[str, list[Any]],
    parties: dict[str, tuple[str, str]],
) -> None:
    program = _first(props, "programId", "program")
    if program and program.startswith(("credgraph:", "violation:")):
        raise _Refused("programId", f"{program.split(':')[0]} entries are derived, not imported")
    kind, subject = _party(parties, props, "entity")
    decided = _first(props, "listingDate", "startDate")
    end = _first(props, "endDate")
    removed = (_first(props, "status") or "") == "removed"
    out.add(
        "listings",
        line,
        listing_id=_first(props, "recordId") or entity_id,
        subject_type=kind,
        subject_id=subject,
        list_type=program,
        authority=_first(props, "authority"),
        decided=decided[:10] if decided else None,
        expires=None if removed or not end else end[:10],
        removed=end[:10] if removed and end else None,
        removal_reason=_first(props, "reason") if removed else None,
        legal_basis=_first(props, "provisions"),
    )


def ingest_ftm(
    store: GraphStore,
    path: Path,
    *,
    id_hash_key: str,
    quarantine_dir: Path,
    dataset: str | None = None,
    now: datetime | None = None,
) -> IngestReport:
    """Load an FtM JSON-lines file into ``store`` (see the module docstring).

    The report's first file, ``ftm``, reconciles the file's entities (mapped to rows or
    refused); the others are the pipeline's reports of those rows.
    """
    mapped = ftm_rows(path)
    source = f"ftm:{dataset or path.stem}"
    columns = {m.name: m.columns for m in MAPPINGS}
    frames = {
        kind: pd.DataFrame(rows, columns=[c for c in columns[kind] if c in rows[0]] + [LINE])
        for kind, rows in mapped.rows.items()
    }
    ftm_report = FileReport("ftm", str(path), read=mapped.read)
    ftm_report.quarantined = len(mapped.refused)
    ftm_report.loaded = mapped.read - ftm_report.quarantined
    report = IngestReport(run_id="", directory=str(path), files=[ftm_report])
    run_frames(
        StoreSink(store),
        frames,
        source=source,
        id_hash_key=id_hash_key,
        quarantine_dir=quarantine_dir,
        now=now or datetime.now(UTC),
        report=report,
    )
    if mapped.refused:
        target = quarantine_dir / report.run_id / "ftm.quarantine.csv"
        target.parent.mkdir(parents=True, exist_ok=True)
        with target.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(["_row", "_field", "_reason", "schema", "id", "file"])
            for line, name, reason, schema, entity_id in mapped.refused:
                writer.writerow([line, name, reason, schema, entity_id, path.name])
                kind = reason_kind(name, reason)
                ftm_report.reasons[kind] = ftm_report.reasons.get(kind, 0) + 1
        ftm_report.quarantine_file = str(target)
    return report
