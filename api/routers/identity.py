"""Identity verification (task 八): a seller's claimed business against the registry."""

from __future__ import annotations

import unicodedata
from datetime import date

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from api.deps import PlatformKey, StoreDep, audit_subject
from api.errors import PROBLEM_RESPONSES
from api.schemas import IdentityVerifyIn, IdentityVerifyOut, LicenceCheck, LicenceOut
from graph.errors import InvalidInput
from graph.identity import business_uid
from graph.licences import LICENCE_TYPES, LicenceType, Standing, licence_type, standing
from graph.model import as_date
from graph.store import GraphStore

__all__ = ["router"]

router = APIRouter(prefix="/v1/identity", tags=["platform"], responses=PROBLEM_RESPONSES)

#: Registry statuses under which a business may trade.
ACTIVE_STATUSES = frozenset({"active", "存续", "在业", "开业"})


def _same_name(a: str, b: str) -> bool:
    """Equal after NFKC (full-width brackets and digits) and without white space."""

    def fold(text: str) -> str:
        return "".join(unicodedata.normalize("NFKC", text).split())

    return fold(a) == fold(b)


def _representatives(store: GraphStore, uid: str) -> list[str]:
    """Names of the business's legal representatives in office today."""
    today = date.today().isoformat()
    edges = store.edges_of([uid], ["LEGAL_REPRESENTATIVE_OF"], direction="in")
    current = [e.src for e in edges if not e.props.get("until") or str(e.props["until"]) > today]
    return [str(p.get("name", "")) for p in store.get_nodes(current)]


def claimed_uid(uscc: str) -> str:
    """The uid of the claimed USCC (422 naming ``uscc`` when malformed)."""
    try:
        return business_uid(uscc)
    except InvalidInput as exc:
        raise InvalidInput(exc.reason, field="uscc") from exc


def wanted_types(names: list[str]) -> list[LicenceType]:
    """The licence types asked for, each once, in the order asked (422 on an unknown one)."""
    wanted: dict[str, LicenceType] = {}
    for name in names:
        kind = licence_type(name, field="licence_types")
        wanted.setdefault(kind.code, kind)
    return list(wanted.values())


def licences_on_record(store: GraphStore, uid: str, on: date) -> list[LicenceOut]:
    """The business's licences with their standing on ``on``: in force first, then newest."""
    edges = store.edges_of([uid], ["HOLDS_LICENCE"], direction="out")
    out: list[LicenceOut] = []
    for node in store.get_nodes(sorted({e.dst for e in edges})):
        if node.get("holder_uid", uid) != uid:  # the licence has passed to another holder
            continue
        code = str(node.get("licence_type", ""))
        kind = LICENCE_TYPES.get(code)
        issued, expires = as_date(node.get("issued")), as_date(node.get("expires"))
        status = str(node.get("status", "valid"))
        now = standing(status, issued, expires, on)
        out.append(
            LicenceOut(
                licence_type=code,
                licence_type_name=kind.name_zh if kind else code,
                licence_no=str(node.get("licence_no", node.uid.rsplit(":", 1)[-1])),
                authority=node.get("authority"),
                issued=issued,
                expires=expires,
                status=status,
                standing=now.value,
                valid=now is Standing.VALID,
            )
        )
    out.sort(
        key=lambda lic: (lic.licence_type, not lic.valid, -(lic.issued or date.min).toordinal())
    )
    return out


def check_licence(kind: LicenceType, licences: list[LicenceOut]) -> LicenceCheck:
    """Whether ``kind`` is held in force; else the standing of its latest licence, or missing."""
    mine = [lic for lic in licences if lic.licence_type == kind.code]
    best = mine[0] if mine else None  # licences_on_record puts the valid, then the newest first
    return LicenceCheck(
        licence_type=kind.code,
        licence_type_name=kind.name_zh,
        held=best is not None and best.valid,
        result="missing" if best is None else best.standing,
        licence_no=None if best is None else best.licence_no,
    )


def _licence_problem(check: LicenceCheck) -> str:
    named = f"{check.licence_type} ({check.licence_type_name})"
    if check.result == "missing":
        return f"no licence {named} on record"
    return f"licence {named} is {check.result.replace('_', ' ')}"


def verify(store: GraphStore, body: IdentityVerifyIn) -> IdentityVerifyOut:
    """Check the claim: the business exists, is active, the names match, licences are held."""
    uid = claimed_uid(body.uscc)
    wanted = wanted_types(body.licence_types)
    on = body.at or date.today()
    node = store.get_node(uid)
    if node is None:
        return IdentityVerifyOut(
            verified=False,
            exists=False,
            active=False,
            status=None,
            name_matches=False,
            legal_representative_matches=None,
            problems=["no business with this USCC in the registry"],
            checked_on=on,
            licences_present=False if wanted else None,
            licence_checks=[check_licence(kind, []) for kind in wanted],
        )
    problems: list[str] = []
    status = node.get("status")
    active = str(status) in ACTIVE_STATUSES
    if not active:
        problems.append(f"registry status is {status!r}, not active")
    name_matches = _same_name(str(node.get("name", "")), body.name)
    if not name_matches:
        problems.append("the name differs from the registered name")
    rep_matches: bool | None = None
    if body.legal_representative is not None:
        reps = _representatives(store, uid)
        rep_matches = any(_same_name(r, body.legal_representative) for r in reps)
        if not rep_matches:
            problems.append("the legal representative differs from the registry's")
    licences = licences_on_record(store, uid, on)
    checks = [check_licence(kind, licences) for kind in wanted]
    problems.extend(_licence_problem(c) for c in checks if not c.held)
    present = all(c.held for c in checks) if checks else None
    return IdentityVerifyOut(
        verified=active and name_matches and rep_matches is not False and present is not False,
        exists=True,
        active=active,
        status=None if status is None else str(status),
        name_matches=name_matches,
        legal_representative_matches=rep_matches,
        problems=problems,
        checked_on=on,
        licences_present=present,
        licence_checks=checks,
        licences=licences,
    )


@router.post("/verify", response_model=IdentityVerifyOut, summary="Verify a seller's business")
async def verify_identity(
    body: IdentityVerifyIn, key: PlatformKey, store: StoreDep, request: Request
) -> IdentityVerifyOut:
    """USCC + name (+ legal representative, + licence types) against the registry.

    Answers whether the business exists, is active, whether the names match, and which
    licences it holds and whether those asked for are in force on ``at`` (default today).
    It never returns the registered names or anyone's details (a platform sees status,
    not the network); licences are public (亮证亮照) and are returned in full.
    """
    uid = claimed_uid(body.uscc)
    audit_subject(request, uid)
    return await run_in_threadpool(verify, store, body)
