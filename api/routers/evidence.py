"""Evidence files on violations and infringement reports (``/v1/evidence``).

Files are stored by SHA-256 (``api/ledger/evidence.py``) up to
``CREDGRAPH_EVIDENCE_MAX_BYTES``; each upload puts an ``evidence.added`` entry with the
digest, the uploader and the time into the decision log, so ``credgraph audit verify``
notices a file changed later. Officers attach to and read any violation or report;
brand keys only reports about brands they act for (others answer 404, as in
``/v1/brands``); platform keys none.
"""

from __future__ import annotations

import base64
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Path, Query, Request, UploadFile, status
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse
from pydantic import BaseModel

from algorithms.brands import service as brands
from api.deps import ApiState, BrandKey, StateDep, audit_subject
from api.errors import PROBLEM_RESPONSES, ApiError, Forbidden
from api.ledger import record as rec
from api.ledger.evidence import TARGET_PREFIXES, EvidenceTooLarge
from api.ledger.log import Entry
from api.ledger.state import decision_log, evidence_store, record_api
from api.security import ApiKey, Scope
from graph.errors import InvalidInput, NotFound

__all__ = ["EvidenceOut", "PayloadTooLarge", "router"]

router = APIRouter(prefix="/v1/evidence", tags=["evidence"], responses=PROBLEM_RESPONSES)

_DIGEST = Path(pattern=r"^[0-9a-f]{64}$", description="hex SHA-256 of the file")
_TARGET = r"^(violation|report):[A-Za-z0-9._:-]{1,190}$"


class PayloadTooLarge(ApiError):
    """An upload over the evidence size limit."""

    status = 413
    title = "Payload too large"


class EvidenceOut(BaseModel):
    """A file on a violation or report: digest, size, who added it and when."""

    sha256: str
    size: int
    filename: str | None
    media_type: str | None
    note: str | None
    target: str
    added_by: str | None
    added_at: str
    decision: int


def _out(entry: Entry) -> EvidenceOut:
    body = entry.body
    data, actor = body["data"], body["actor"]
    return EvidenceOut(
        sha256=data["sha256"],
        size=data["size"],
        filename=data.get("filename"),
        media_type=data.get("media_type"),
        note=data.get("note"),
        target=str(entry.subject),
        added_by=actor.get("name") or actor.get("officer") or actor.get("user"),
        added_at=body["at"],
        decision=entry.seq,
    )


def _may_see(state: ApiState, key: ApiKey, target: str) -> None:
    """NotFound unless ``target`` exists and this key may act on it."""
    if not target.startswith(TARGET_PREFIXES):
        raise InvalidInput("evidence attaches to a violation:… or report:… uid", field="target")
    if key.scope is Scope.OFFICER:
        if state.store.get_node(target) is None:
            raise NotFound(f"no {target.partition(':')[0]} {target!r}")
        return
    if not target.startswith("report:"):
        raise Forbidden("brand keys may attach evidence to their reports only")
    brands.get_report(state.store, brands.resolve_scope(state.store, key.brands), target)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=EvidenceOut,
    summary="Attach an evidence file",
)
async def upload(
    request: Request,
    key: BrandKey,
    state: StateDep,
    target: Annotated[str, Form(pattern=_TARGET, description="violation:… or report:… uid")],
    file: Annotated[UploadFile, File(description="the file (size-limited)")],
    note: Annotated[str | None, Form(max_length=500)] = None,
) -> EvidenceOut:
    """Stores the file by its SHA-256 and logs the digest (``evidence.added``)."""
    limit = state.settings.evidence_max_bytes
    declared = int(request.headers.get("content-length") or 0)
    if declared > limit + 64 * 1024:
        raise PayloadTooLarge(f"evidence files are limited to {limit:,} bytes")
    audit_subject(request, target)
    await run_in_threadpool(_may_see, state, key, target)

    def run() -> EvidenceOut:
        try:
            stored = evidence_store(state).put(
                iter(lambda: file.file.read(1 << 20), b""), name=file.filename or "upload"
            )
        except EvidenceTooLarge as exc:
            raise PayloadTooLarge(exc.reason) from exc
        (entry,) = record_api(
            state,
            rec.evidence_added(
                rec.api_actor(key),
                target,
                stored,
                filename=file.filename,
                media_type=file.content_type,
                note=note,
            ),
        )
        return _out(entry)

    return await run_in_threadpool(run)


@router.get("", response_model=list[EvidenceOut], summary="Evidence on a violation or report")
async def listing(
    request: Request,
    key: BrandKey,
    state: StateDep,
    target: Annotated[str, Query(pattern=_TARGET)],
) -> list[EvidenceOut]:
    """Every file attached, oldest first, with who added it and when."""
    audit_subject(request, target)
    await run_in_threadpool(_may_see, state, key, target)
    found = await run_in_threadpool(decision_log(state).evidence, target=target)
    return [_out(e) for e in found]


@router.get(
    "/{sha256}",
    summary="Download an evidence file",
    response_class=FileResponse,
    responses={200: {"content": {"application/octet-stream": {}}}},
)
async def download(key: BrandKey, state: StateDep, sha256: Annotated[str, _DIGEST]) -> FileResponse:
    """The bytes, with ``Repr-Digest`` (RFC 9530) so the receiver can check them."""

    def find() -> tuple[Any, EvidenceOut]:
        entries = decision_log(state).evidence(sha256=sha256)
        visible = []
        for e in entries:
            try:
                _may_see(state, key, str(e.subject))
            except (NotFound, Forbidden):
                continue
            visible.append(e)
        if not visible:
            raise NotFound(f"no evidence file {sha256} you may read")
        return evidence_store(state).get(sha256), _out(visible[0])

    path, meta = await run_in_threadpool(find)
    digest = base64.b64encode(bytes.fromhex(sha256)).decode()
    return FileResponse(
        path,
        media_type=meta.media_type or "application/octet-stream",
        filename=meta.filename or sha256,
        headers={"Repr-Digest": f"sha-256=:{digest}:", "ETag": f'"{sha256}"'},
    )
