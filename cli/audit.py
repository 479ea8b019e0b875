"""``credgraph audit ...`` (the decision log) and ``credgraph evidence ...`` (evidence files).

``audit verify`` checks the whole log offline and names the first entry that was edited,
removed, inserted or reordered; ``audit proof`` prints an inclusion proof another bureau
checks with ``api/ledger/verify.py`` alone; ``audit heads export`` writes the signed tree
heads for a witness. :func:`log_decisions` is what other commands call after a decision.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from api.ledger import record as rec
from api.ledger.check import Verification, WitnessedHeads, verify_log
from api.ledger.evidence import TARGET_PREFIXES, EvidenceStore
from api.ledger.log import (
    Decision,
    DecisionLog,
    Entry,
    Signer,
    decision_key_path,
    decision_log_path,
    evidence_dir,
)
from cli.common import current_settings
from cli.common import print_json as _dump
from cli.common import store_session as _store
from graph.errors import CreditGraphError, InvalidInput, NotFound

__all__ = ["audit_app", "evidence_app", "log_decisions", "log_rules", "register"]

audit_app = typer.Typer(
    help="The tamper-evident decision log: verify it, prove a decision, export tree heads.",
    no_args_is_help=True,
)
heads_app = typer.Typer(help="Signed tree heads.", no_args_is_help=True)
evidence_app = typer.Typer(
    help="Evidence files on violations and infringement reports (stored by SHA-256).",
    no_args_is_help=True,
)
console = Console()
#: Notes about what was logged go to stderr, and only to a terminal: a command's --json
#: output stays clean however it is captured.
notes = Console(stderr=True, quiet=not sys.stderr.isatty())
JsonOption = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def _fail(exc: CreditGraphError) -> typer.Exit:
    console.print(f"[bold red]error:[/] {escape(str(exc))}")
    return typer.Exit(code=2)


def _open_log() -> DecisionLog:
    try:
        return DecisionLog.open(current_settings())
    except CreditGraphError as exc:
        raise _fail(exc) from exc


def log_decisions(*decisions: Decision, rules: Path | None | bool = False) -> list[Entry]:
    """Append decisions made by a command; a failure says the decision stands unlogged."""
    try:
        with DecisionLog.open(current_settings()) as log:
            entries = rec.record(log, *decisions, rules=rules)
    except (CreditGraphError, OSError) as exc:
        console.print(
            f"[bold red]error:[/] the decision was made but could not be logged: {escape(str(exc))}"
        )
        raise typer.Exit(code=2) from exc
    for entry in entries:
        notes.print(f"[dim]decision log: entry {entry.seq} ({entry.kind})[/]", highlight=False)
    return entries


def log_rules(rules: Path | None) -> None:
    """Put a changed rules file on record (``None``: the shipped default)."""
    from algorithms.propagation.rules import DEFAULT_RULES_PATH

    try:
        with DecisionLog.open(current_settings()) as log:
            change = rec.rules_change(log, rec.cli_actor(), rules or DEFAULT_RULES_PATH)
            if change is not None:
                entry = log.append(change)[0]
                notes.print(f"[dim]decision log: entry {entry.seq} (rules.changed)[/]")
    except (CreditGraphError, OSError) as exc:
        console.print(f"[bold red]error:[/] the rules change could not be logged: {exc}")
        raise typer.Exit(code=2) from exc


def _public_key(text: str | None) -> bytes:
    if text is None:
        try:
            return Signer(decision_key_path(current_settings()), create=False).public_key
        except CreditGraphError as exc:
            raise _fail(exc) from exc
    path = Path(text)
    raw = path.read_text(encoding="utf-8").strip() if path.is_file() else text
    try:
        key = base64.b64decode(raw, validate=True)
    except ValueError as exc:
        raise typer.BadParameter("--public-key is base64 of 32 bytes, or a file of it") from exc
    if len(key) != 32:
        raise typer.BadParameter("--public-key must decode to 32 bytes (Ed25519)")
    return key


def _print_verification(result: Verification, lang: str) -> None:
    summary = (
        f"{result.entries:,} entries, {result.heads:,} signed tree heads, "
        f"{result.evidence:,} evidence files"
        + (f", {result.witnessed:,} witnessed heads" if result.witnessed else "")
    )
    if result.ok:
        console.print(f"[green]decision log verified[/]: {summary}")
        return
    console.print(f"[bold red]decision log FAILED verification[/]: {summary}")
    for p in result.problems:
        console.print(f"  [red]{p.code.value}[/] {escape(p.message(lang))}")


@audit_app.command("verify")
def verify(
    heads: Annotated[
        Path | None,
        typer.Option("--heads", help="a tree-head export a witness holds (audit heads export)"),
    ] = None,
    public_key: Annotated[
        str | None,
        typer.Option(help="the log's public key, base64 or a file (default: the key file)"),
    ] = None,
    log_file: Annotated[
        Path | None, typer.Option("--log", help="the log file (default: from the settings)")
    ] = None,
    zh: Annotated[bool, typer.Option("--zh", help="findings in Chinese")] = False,
    as_json: JsonOption = False,
) -> None:
    """Check every entry, tree head and evidence file; exit 1 naming the first tampering."""
    settings = current_settings()
    key = _public_key(public_key)
    try:
        witnessed = WitnessedHeads.load(heads) if heads is not None else None
        result = verify_log(
            log_file or decision_log_path(settings),
            key,
            evidence_root=evidence_dir(settings),
            witnessed=witnessed,
        )
    except (KeyError, ValueError) as exc:
        raise _fail(InvalidInput(f"{heads}: not a tree-head export ({exc})")) from exc
    except CreditGraphError as exc:
        raise _fail(exc) from exc
    if as_json:
        _dump(result.to_json())
    else:
        _print_verification(result, "zh" if zh else "en")
    if not result.ok:
        raise typer.Exit(code=1)


@audit_app.command("proof")
def proof(
    decision: Annotated[
        str, typer.Argument(help="the decision's number, or a uid: every decision about it")
    ],
    tree_size: Annotated[
        int | None, typer.Option(help="prove against the head of this size (default: latest)")
    ] = None,
    out: Annotated[Path | None, typer.Option(help="write the JSON here")] = None,
) -> None:
    """Print an inclusion proof (JSON) checkable against a published tree head."""
    with _open_log() as log:
        try:
            if decision.isdigit():
                seqs = [int(decision)]
            else:
                seqs = [e.seq for e in log.entries(subject=decision, limit=10_000)]
                if not seqs:
                    raise NotFound(f"no decision about {decision!r} in the log")
            proofs = [log.inclusion_proof(s, tree_size) for s in seqs]
        except CreditGraphError as exc:
            raise _fail(exc) from exc
    document: Any = proofs[0] if decision.isdigit() else proofs
    text = json.dumps(document, ensure_ascii=False, indent=2)
    if out is not None:
        out.write_text(text + "\n", encoding="utf-8")
        console.print(f"wrote {len(proofs)} proof(s) to {out}")
    else:
        typer.echo(text)


@audit_app.command("consistency")
def consistency(
    first: Annotated[int, typer.Argument(help="the older tree size (a head you hold)")],
    second: Annotated[int | None, typer.Argument(help="the newer size (default: latest)")] = None,
) -> None:
    """Print a consistency proof: the newer tree extends the older one."""
    with _open_log() as log:
        try:
            document = log.consistency_proof(first, second)
        except CreditGraphError as exc:
            raise _fail(exc) from exc
    typer.echo(json.dumps(document, indent=2))


@audit_app.command("log")
def show_log(
    subject: Annotated[str | None, typer.Option(help="decisions about this uid")] = None,
    kind: Annotated[str | None, typer.Option(help="e.g. listing.added")] = None,
    after: Annotated[int, typer.Option(help="entries after this number")] = 0,
    limit: Annotated[int, typer.Option(help="at most this many")] = 50,
    as_json: JsonOption = False,
) -> None:
    """The decisions on record, oldest first."""
    with _open_log() as log:
        entries = log.entries(subject=subject, kind=kind, after=after, limit=limit)
    if as_json:
        _dump([{**e.body, "leaf_hash": e.leaf_hash} for e in entries])
        return
    table = Table("#", "at", "kind", "subject", "by", "particulars")
    for e in entries:
        body = e.body
        actor = body["actor"]
        who = actor.get("officer") or actor.get("name") or actor.get("user") or ""
        data = ", ".join(f"{k}={v}" for k, v in body["data"].items() if v not in (None, []))
        table.add_row(
            str(e.seq), body["at"][:19], e.kind, e.subject or "", str(who), escape(data[:80])
        )
    console.print(table)


@heads_app.command("export")
def heads_export(
    out: Annotated[Path, typer.Option(help="the file to write (JSON)")],
    after: Annotated[int, typer.Option(help="heads after this number only")] = 0,
) -> None:
    """Write the signed tree heads and the public key for another department to witness."""
    with _open_log() as log:
        heads = log.heads(after=after, limit=10_000_000)
        key = log.signer.public_key
        document = {
            "format": "credgraph-tree-heads/1",
            "log": str(decision_log_path(current_settings()).name),
            "key_id": log.signer.key_id,
            "public_key": base64.b64encode(key).decode(),
            "tree_heads": [h.to_json() for h in heads],
        }
    out.write_text(json.dumps(document, indent=2) + "\n", encoding="utf-8")
    latest = f", latest covers {heads[-1].tree_size:,} entries" if heads else ""
    console.print(f"wrote {len(heads):,} signed tree heads to {out}{latest}")


# -- evidence ------------------------------------------------------------------------------------
def _evidence_store() -> EvidenceStore:
    settings = current_settings()
    return EvidenceStore(evidence_dir(settings), settings.evidence_max_bytes)


def _check_target(target: str) -> None:
    if not target.startswith(TARGET_PREFIXES):
        raise typer.BadParameter("evidence attaches to a violation:… or report:… uid")
    with _store() as store:
        if store.get_node(target) is None:
            raise _fail(NotFound(f"no {target.partition(':')[0]} {target!r} in the graph"))


@evidence_app.command("add")
def evidence_add(
    target: Annotated[str, typer.Argument(help="violation:… or report:… uid")],
    file: Annotated[Path, typer.Argument(help="the evidence file")],
    officer: Annotated[str, typer.Option(help="who adds it")],
    note: Annotated[str | None, typer.Option(help="what the file shows")] = None,
) -> None:
    """Store a file by its SHA-256 and put its digest on record against the target."""
    _check_target(target)
    try:
        stored = _evidence_store().put_file(file)
    except CreditGraphError as exc:
        raise _fail(exc) from exc
    media_type = mimetypes.guess_type(file.name)[0]
    log_decisions(
        rec.evidence_added(
            rec.cli_actor(officer),
            target,
            stored,
            filename=file.name,
            media_type=media_type,
            note=note,
        )
    )
    console.print(f"{target}: evidence sha256 {stored.sha256} ({stored.size:,} bytes)")


def _evidence_rows(entries: list[Entry]) -> list[dict[str, Any]]:
    rows = []
    for e in entries:
        body = e.body
        actor = body["actor"]
        rows.append(
            {
                **body["data"],
                "target": e.subject,
                "added_at": body["at"],
                "added_by": actor.get("officer") or actor.get("name") or actor.get("user"),
                "decision": e.seq,
            }
        )
    return rows


@evidence_app.command("list")
def evidence_list(
    target: Annotated[str, typer.Argument(help="violation:… or report:… uid")],
    as_json: JsonOption = False,
) -> None:
    """The files on a violation or report: digest, size, who added them and when."""
    with _open_log() as log:
        rows = _evidence_rows(log.evidence(target=target))
    if as_json:
        _dump(rows)
        return
    table = Table("sha256", "bytes", "file", "added by", "at", "decision")
    for r in rows:
        table.add_row(
            r["sha256"],
            f"{r['size']:,}",
            str(r["filename"] or ""),
            str(r["added_by"]),
            r["added_at"][:19],
            str(r["decision"]),
        )
    console.print(table)


@evidence_app.command("get")
def evidence_get(
    digest: Annotated[str, typer.Argument(help="the file's SHA-256")],
    out: Annotated[Path, typer.Option(help="where to write it")],
) -> None:
    """Copy a stored file out, checking its bytes still hash to the digest."""
    import hashlib

    try:
        path = _evidence_store().get(digest.lower())
    except CreditGraphError as exc:
        raise _fail(exc) from exc
    data = path.read_bytes()
    if hashlib.sha256(data).hexdigest() != digest.lower():
        raise _fail(InvalidInput(f"{path}: the stored file no longer matches its digest"))
    out.write_bytes(data)
    console.print(f"wrote {len(data):,} bytes to {out} (sha256 {digest.lower()})")


def register(app: typer.Typer) -> None:
    """Add ``audit`` and ``evidence`` to the ``credgraph`` CLI."""
    audit_app.add_typer(heads_app, name="heads")
    app.add_typer(audit_app, name="audit")
    app.add_typer(evidence_app, name="evidence")
