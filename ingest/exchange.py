"""Exchange packets between bureaus (跨区域数据共享): signed FollowTheMoney entities.

A packet is a directory of three files:

``entities.jsonl``
    FollowTheMoney entities (:mod:`ingest.ftm_export` ids and mapping): the listings and
    violations of a region decided in a period, the restrictions in force they caused, and
    their subjects (``Company``, ``Person``, ``UserAccount``).
``manifest.json``
    What the packet holds (:class:`Manifest`): issuing authority and region, period,
    counts per schema, the SHA-256 of ``entities.jsonl``, the signer's Ed25519 public key,
    and the fingerprint of the id-hash key people are keyed with.
``manifest.sig``
    The Ed25519 signature of ``manifest.json``'s exact bytes (hex).

An importer verifies the signature against the public keys it trusts, the digest and the
counts (:func:`verify_packet`), then loads the packet (:func:`import_packet`): subjects
unknown locally are created, listings and violations are written with their origin as
provenance (``source = exchange:<authority>``, ``run_id`` = packet id). A record that
exists locally with other values is a *conflict*: reported, never overwritten. Importing
the same packet again changes nothing. Restrictions in the packet are information only:
the importing bureau derives its own from the imported listings under its own rules.

People are keyed by a keyed hash of their id number; the two bureaus' people match only
when both use the same id-hash key (a national key). The manifest's fingerprint tells the
importer; with different keys the packet's people are reported as unmatched and kept apart.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict

from graph.errors import InvalidInput
from graph.model import Node, as_date
from graph.store import GraphStore
from ingest.ftm_export import ftm_entity, ftm_id, uid_of_ftm_id

__all__ = [
    "FORMAT",
    "CaseTransfer",
    "ImportReport",
    "Manifest",
    "export_packet",
    "import_packet",
    "key_fingerprint",
    "load_private_key",
    "new_private_key",
    "public_key_hex",
    "verify_packet",
]

FORMAT = "credgraph-exchange/1"
ENTITIES, MANIFEST, SIGNATURE = "entities.jsonl", "manifest.json", "manifest.sig"


class CaseTransfer(BaseModel):
    """A case sent to (``sent``) or answered by (``accepted``, ``returned``) an authority."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    case: str
    from_authority: str
    to_authority: str
    status: str
    evidence_sha256: list[str] = []
    reason: str | None = None


class Manifest(BaseModel):
    """What a packet holds and who issued it."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    format: str
    packet_id: str
    authority: str
    region: str
    period_from: date
    period_to: date
    created: datetime
    entities_sha256: str
    counts: dict[str, int]
    signer: str
    id_key_fingerprint: str
    transfers: list[CaseTransfer] = []


@dataclass
class ImportReport:
    """What an import did; ``conflicts`` name the uid and the fields that differ."""

    packet_id: str
    created: Counter[str] = field(default_factory=Counter)
    unchanged: Counter[str] = field(default_factory=Counter)
    conflicts: list[str] = field(default_factory=list)
    unmatched_people: int = 0
    listings: list[str] = field(default_factory=list)
    #: case transfers the packet carries for this bureau (sent to it, or answers to its own)
    transfers: list[CaseTransfer] = field(default_factory=list)


# -- keys ------------------------------------------------------------------------------------
def new_private_key(path: Path) -> Ed25519PrivateKey:
    """A new signing key written to ``path`` (PEM, mode 0600); refuses to overwrite."""
    if path.exists():
        raise InvalidInput(f"{path} exists; a signing key is never replaced", field="key")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_bytes(pem)
    return key


def load_private_key(path: Path) -> Ed25519PrivateKey:
    """The Ed25519 signing key in ``path`` (PEM)."""
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise InvalidInput(f"{path} is not an Ed25519 private key", field="key")
    return key


def public_key_hex(key: Ed25519PrivateKey) -> str:
    """The raw public key, hex: what an importer lists among the keys it trusts."""
    return (
        key.public_key()
        .public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
        .hex()
    )


def key_fingerprint(id_hash_key: str) -> str:
    """A fingerprint of the id-hash key (never the key): equal keys, equal fingerprints."""
    return hmac.new(id_hash_key.encode(), b"credgraph-exchange", hashlib.sha256).hexdigest()[:16]


# -- export ----------------------------------------------------------------------------------
def _in_region(node: Node, region: str) -> bool:
    return str(node.get("region") or "").startswith(region)


def _in_period(value: Any, start: date, end: date) -> bool:
    day = as_date(value)
    return day is not None and start <= day <= end


def _subject_entity(node: Node) -> dict[str, Any]:
    if node.label == "Business":
        values = {
            "name": node.get("name"),
            "registrationNumber": node.get("uscc") or node.get("registry_no"),
            "jurisdiction": node.get("jurisdiction") or ("cn" if node.get("uscc") else None),
            "status": node.get("status"),
            "address": node.get("address"),
        }
        return ftm_entity("Company", ftm_id(node.uid), values)
    if node.label == "Person":
        return ftm_entity("Person", ftm_id(node.uid), {"name": node.get("name")})
    values = {
        "name": node.get("name"),
        "service": node.get("platform"),
        "username": node.get("shop_id"),
    }
    return ftm_entity("UserAccount", ftm_id(node.uid), values)


def export_packet(
    store: GraphStore,
    out_dir: Path,
    key: Ed25519PrivateKey,
    *,
    authority: str,
    region: str | None,
    period_from: date,
    period_to: date,
    id_hash_key: str,
    now: datetime | None = None,
    transfers: Sequence[CaseTransfer] = (),
) -> Manifest:
    """Write a signed packet of ``region``'s listings and violations decided in the period,
    with the restrictions in force they caused and their subjects.

    ``transfers`` carry cases (violations) to other authorities, or answers to cases
    received: a transferred case's violation and subject are in the packet whatever its
    region and date. An answer packet may hold no entities at all.
    """
    if period_to < period_from:
        raise InvalidInput("the period ends before it starts", field="period_to")
    projection = store.project(
        [], node_props=("region", "decided"), node_labels=["Listing", "Violation"]
    )
    picked = [
        str(uid)
        for uid, label, reg, decided in zip(
            projection.uids.tolist(),
            projection.labels.tolist(),
            (projection.node_props["region"]).tolist(),
            (projection.node_props["decided"]).tolist(),
            strict=True,
        )
        if region is not None
        and label in ("Listing", "Violation")
        and str(reg or "").startswith(region)
        and _in_period(decided, period_from, period_to)
    ]
    sent_cases = {t.case for t in transfers if t.status == "sent"}
    missing = sorted(sent_cases - {n.uid for n in store.get_nodes(sorted(sent_cases))})
    if missing:
        raise InvalidInput(f"no case (violation) {missing[0]!r} to transfer", field="case")
    records = store.get_nodes(sorted(set(picked) | sent_cases))
    subject_of: dict[str, str] = {}
    for record in records:
        if record.label == "Listing":
            subject_of[record.uid] = str(record.get("subject_uid"))
    violations = [r for r in records if r.label == "Violation"]
    for edge in store.edges_of([v.uid for v in violations], ["PENALISED"], direction="in"):
        subject_of[edge.dst] = edge.src
    restrictions = _restrictions_of(store, [r.uid for r in records if r.label == "Listing"])
    subjects = store.get_nodes(sorted(set(subject_of.values())))
    entities: list[dict[str, Any]] = [_subject_entity(s) for s in subjects]
    for record in records:
        entities.append(_record_entity(record, subject_of.get(record.uid)))
    entities.extend(restrictions)
    entities.sort(key=lambda e: (e["schema"], e["id"]))
    out_dir.mkdir(parents=True, exist_ok=True)
    body = "".join(json.dumps(e, ensure_ascii=False, sort_keys=True) + "\n" for e in entities)
    (out_dir / ENTITIES).write_text(body, encoding="utf-8")
    digest = hashlib.sha256(body.encode()).hexdigest()
    created = (now or datetime.now(UTC)).replace(microsecond=0)
    counts = dict(sorted(Counter(str(e["schema"]) for e in entities).items()))
    moves = "|".join(f"{t.case}>{t.to_authority}:{t.status}" for t in transfers)
    packet_id = hashlib.sha256(
        f"{authority}|{region}|{period_from}|{period_to}|{digest}|{moves}".encode()
    ).hexdigest()[:32]
    manifest = Manifest(
        format=FORMAT,
        packet_id=packet_id,
        authority=authority,
        region=region or "",
        period_from=period_from,
        period_to=period_to,
        created=created,
        entities_sha256=digest,
        counts=counts,
        signer=public_key_hex(key),
        id_key_fingerprint=key_fingerprint(id_hash_key),
        transfers=list(transfers),
    )
    raw = json.dumps(manifest.model_dump(mode="json"), ensure_ascii=False, indent=2).encode()
    (out_dir / MANIFEST).write_bytes(raw)
    (out_dir / SIGNATURE).write_text(key.sign(raw).hex() + "\n", encoding="ascii")
    return manifest


def _record_entity(record: Node, subject: str | None) -> dict[str, Any]:
    if record.label == "Listing":
        return ftm_entity(
            "Sanction",
            ftm_id(record.uid),
            {
                "entity": subject,
                "authority": record.get("authority"),
                "program": record.get("list_type"),
                "programId": record.get("list_type"),
                "listingDate": record.get("decided"),
                "startDate": record.get("decided"),
                "endDate": record.get("removed") or record.get("expires"),
                "provisions": record.get("legal_basis"),
                "status": "removed" if record.get("removed") else "listed",
                "recordId": record.get("listing_id"),
                "country": "cn",
                "summary": _region_note(record),
            },
        )
    return ftm_entity(
        "Sanction",
        ftm_id(record.uid),
        {
            "entity": subject,
            "authority": record.get("authority"),
            "program": record.get("kind"),
            "programId": f"violation:{record.get('kind')}",
            "startDate": record.get("decided"),
            "provisions": record.get("legal_basis"),
            "recordId": record.get("violation_id"),
            "description": record.get("penalty"),
            "summary": _region_note(record),
            "reason": record.get("case_no"),
        },
    )


def _region_note(record: Node) -> str | None:
    region = record.get("region")
    return f"region:{region}" if region else None


def _region_of(entity: Mapping[str, Any]) -> str | None:
    note = _first(entity, "summary") or ""
    return note.removeprefix("region:") if note.startswith("region:") else None


def _restrictions_of(store: GraphStore, listings: Sequence[str]) -> list[dict[str, Any]]:
    if not listings:
        return []
    wanted = set(listings)
    projection = store.project(
        [],
        node_props=(
            "listing_uid",
            "subject_uid",
            "superseded_at",
            "measure_name_zh",
            "rule_id",
            "valid_from",
            "valid_to",
            "run_uid",
        ),
        node_labels=["Restriction"],
    )
    props = projection.node_props
    out = []
    for i, uid in enumerate(projection.uids.tolist()):
        if (
            props["listing_uid"][i] not in wanted
            or props["superseded_at"][i] is not None
            or props["run_uid"][i]  # a batched run not finished yet
        ):
            continue
        out.append(
            ftm_entity(
                "Sanction",
                ftm_id(str(uid)),
                {
                    "entity": props["subject_uid"][i],
                    "authority": "CreditGraph 联合惩戒",
                    "program": props["measure_name_zh"][i],
                    "programId": f"credgraph:{props['rule_id'][i]}",
                    "startDate": props["valid_from"][i],
                    "endDate": props["valid_to"][i],
                    "reason": f"derived from {props['listing_uid'][i]}",
                },
            )
        )
    return out


# -- verify ----------------------------------------------------------------------------------
def verify_packet(packet: Path, trusted: Iterable[str]) -> Manifest:
    """The packet's manifest once its signature, signer, digest and counts check out.

    Raises
    ------
    InvalidInput
        Naming the file and what failed: an unknown signer, a bad signature, a changed or
        incomplete ``entities.jsonl``.
    """
    return _verified(packet, trusted)[0]


def _verified(packet: Path, trusted: Iterable[str]) -> tuple[Manifest, list[dict[str, Any]]]:
    """``verify_packet``, with the entities of the very bytes verified, parsed once."""
    for name in (ENTITIES, MANIFEST, SIGNATURE):
        if not (packet / name).is_file():
            raise InvalidInput(f"the packet has no {name}", file=str(packet / name))
    raw = (packet / MANIFEST).read_bytes()
    try:
        manifest = Manifest.model_validate_json(raw)
    except ValueError as exc:
        raise InvalidInput(f"unreadable manifest: {exc}", file=MANIFEST) from None
    if manifest.format != FORMAT:
        raise InvalidInput(f"unknown packet format {manifest.format!r}", file=MANIFEST)
    if manifest.signer not in set(trusted):
        raise InvalidInput(
            f"the packet is signed by a key this bureau does not trust ({manifest.signer[:16]}…)",
            file=SIGNATURE,
        )
    try:
        signature = bytes.fromhex((packet / SIGNATURE).read_text(encoding="ascii").strip())
        Ed25519PublicKey.from_public_bytes(bytes.fromhex(manifest.signer)).verify(signature, raw)
    except (InvalidSignature, ValueError):
        raise InvalidInput("the manifest's signature does not verify", file=SIGNATURE) from None
    body = (packet / ENTITIES).read_bytes()
    if hashlib.sha256(body).hexdigest() != manifest.entities_sha256:
        raise InvalidInput("entities.jsonl is not the file the manifest signed", file=ENTITIES)
    entities = [json.loads(line) for line in body.decode().splitlines() if line]
    counts = Counter(e["schema"] for e in entities)
    if dict(counts) != manifest.counts:
        raise InvalidInput("entities.jsonl does not hold what the manifest counts", file=ENTITIES)
    return manifest, entities


# -- import ----------------------------------------------------------------------------------
_LABEL_OF_SCHEMA = {"Company": "Business", "Person": "Person", "UserAccount": "Store"}


def _first(entity: Mapping[str, Any], prop: str) -> str | None:
    values = entity.get("properties", {}).get(prop) or []
    return str(values[0]) if values else None


def import_packet(
    store: GraphStore,
    packet: Path,
    trusted: Iterable[str],
    *,
    id_hash_key: str,
    now: datetime | None = None,
    authority: str | None = None,
) -> ImportReport:
    """Verify and load a packet (see the module docstring); idempotent. The case transfers
    addressed to ``authority`` (this bureau) are returned in the report."""
    manifest, entities = _verified(packet, trusted)
    report = ImportReport(manifest.packet_id)
    report.transfers = [t for t in manifest.transfers if authority and t.to_authority == authority]
    same_people = manifest.id_key_fingerprint == key_fingerprint(id_hash_key)
    stamp = (now or datetime.now(UTC)).replace(tzinfo=None, microsecond=0)
    provenance = {
        "source": f"exchange:{manifest.authority}",
        "run_id": f"packet:{manifest.packet_id}",
        "first_seen": stamp,
        "last_seen": stamp,
    }
    subjects: dict[str, tuple[str, dict[str, Any]]] = {}
    for e in entities:
        label = _LABEL_OF_SCHEMA.get(e["schema"])
        if label is None:
            continue
        uid = uid_of_ftm_id(e["id"])
        if label == "Person" and not same_people:
            report.unmatched_people += 1
        row: dict[str, Any] = {"uid": uid, "name": _first(e, "name")}
        if label == "Business":
            number = _first(e, "registrationNumber")
            if uid.count(":") == 1:
                row["uscc"] = number
            else:
                row["jurisdiction"], row["registry_no"] = uid.split(":")[1], number
            row["status"] = _first(e, "status")
        elif label == "Store":
            row["platform"], row["shop_id"] = _first(e, "service"), _first(e, "username")
        subjects[uid] = (label, row)
    records: list[tuple[str, dict[str, Any], str]] = []
    for e in entities:
        if e["schema"] != "Sanction":
            continue
        uid = uid_of_ftm_id(e["id"])
        subject = uid_of_ftm_id(_first(e, "entity") or "")
        if uid.startswith("listing:"):
            row = {
                "uid": uid,
                "listing_id": _first(e, "recordId"),
                "list_type": _first(e, "programId"),
                "subject_uid": subject,
                "authority": _first(e, "authority"),
                "decided": as_date(_first(e, "startDate")),
                "expires": None
                if _first(e, "status") == "removed"
                else as_date(_first(e, "endDate")),
                "removed": as_date(_first(e, "endDate"))
                if _first(e, "status") == "removed"
                else None,
                "legal_basis": _first(e, "provisions"),
                "region": _region_of(e),
            }
            records.append(("Listing", row, subject))
        elif uid.startswith("violation:"):
            row = {
                "uid": uid,
                "violation_id": _first(e, "recordId"),
                "kind": _first(e, "program"),
                "authority": _first(e, "authority"),
                "decided": as_date(_first(e, "startDate")),
                "penalty": _first(e, "description"),
                "legal_basis": _first(e, "provisions"),
                "region": _region_of(e),
                "case_no": _first(e, "reason"),
            }
            records.append(("Violation", row, subject))
    existing = {
        n.uid: n for n in store.get_nodes(sorted({*subjects, *(r[1]["uid"] for r in records)}))
    }
    nodes: dict[str, list[dict[str, Any]]] = defaultdict(list)
    rels: dict[tuple[str, str, str], list[dict[str, Any]]] = defaultdict(list)
    for uid, (label, row) in sorted(subjects.items()):
        if _merge(label, row, existing.get(uid), report, ("name",)):
            nodes[label].append(row)
    for label, row, subject in records:
        fields = (
            ("list_type", "subject_uid", "decided") if label == "Listing" else ("kind", "decided")
        )
        if not _merge(label, row, existing.get(row["uid"]), report, fields):
            continue
        nodes[label].append(row)
        rel = "LISTED" if label == "Listing" else "PENALISED"
        until = (row.get("removed") or row.get("expires")) if label == "Listing" else None
        rels[(rel, subjects.get(subject, ("Business", {}))[0], label)].append(
            {
                "rid": f"{rel}:{subject}->{row['uid']}",
                "src": subject,
                "dst": row["uid"],
                "since": row["decided"],
                "until": until,
                **provenance,
            }
        )
        if label == "Listing":
            report.listings.append(row["uid"])
    # One write per label and relationship type, all or nothing.
    with store.transaction():
        for label in ("Business", "Person", "Store", "Listing", "Violation"):
            if nodes.get(label):
                rows = [{**r, **provenance} for r in nodes[label]]
                store.upsert_nodes(
                    label, [{k: v for k, v in r.items() if v is not None} for r in rows]
                )
        for (rel, src_label, dst_label), group in sorted(rels.items()):
            store.upsert_relationships(rel, src_label, dst_label, group)
    return report


def _merge(
    label: str,
    row: dict[str, Any],
    local: Node | None,
    report: ImportReport,
    compared: Sequence[str],
) -> bool:
    """True when ``row`` is new here; else its differing fields are reported (a conflict,
    ours kept) or it counts as unchanged."""
    if local is None:
        report.created[label] += 1
        return True
    differ = [
        f for f in compared if row.get(f) is not None and _norm(local.get(f)) != _norm(row.get(f))
    ]
    if differ:
        said = ", ".join(f"{f} here {local.get(f)!r}, packet {row.get(f)!r}" for f in differ)
        report.conflicts.append(f"{row['uid']}: {said}")
    else:
        report.unchanged[label] += 1
    return False


def _norm(value: Any) -> str:
    day = as_date(value) if isinstance(value, date | datetime) else None
    return day.isoformat() if day else str(value or "")
