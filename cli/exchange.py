"""``credgraph export`` (FollowTheMoney) and ``credgraph exchange`` (signed packets between
bureaus: keygen, export, verify, import)."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import IO, Annotated, Literal, cast

import typer
from rich.console import Console
from rich.markup import escape

from api.ledger import record as rec
from cli.audit import log_decisions
from cli.common import current_settings
from cli.common import parse_day as _day
from cli.common import store_session as _store
from graph.errors import CreditGraphError
from graph.redact import RedactingWriter, redact
from ingest.exchange import (
    CaseTransfer,
    ImportReport,
    export_packet,
    import_packet,
    load_private_key,
    new_private_key,
    public_key_hex,
    verify_packet,
)
from ingest.ftm_export import export_ftm
from ingest.transfers import TransferLog

__all__ = ["exchange_app", "export_command", "register"]

console = Console(stderr=True, soft_wrap=True)

exchange_app = typer.Typer(
    name="exchange",
    help="Signed packets of listings, violations and restrictions between bureaus (跨区域共享).",
    no_args_is_help=True,
)

KeyOption = Annotated[
    Path | None,
    typer.Option("--key", help="Ed25519 signing key (default: exchange.key in the data dir)"),
]
TrustOption = Annotated[
    Path,
    typer.Option("--trust", help="file of trusted public keys (hex), one per line"),
]


def _key_path(key: Path | None) -> Path:
    return key or current_settings().embedded_path.parent / "exchange.key"


def _fail(exc: CreditGraphError) -> typer.Exit:
    console.print(f"[bold red]error:[/] {escape(redact(str(exc), mask=True))}")
    return typer.Exit(code=2)


def _transfer_log() -> TransferLog:
    return TransferLog(current_settings().embedded_path.parent / "transfers.sqlite3")


def _trusted(path: Path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.split("#")[0].strip() for line in lines if line.split("#")[0].strip()]


def export_command(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="file to write (default: standard output)")
    ] = None,
    fmt: Annotated[
        Literal["ftm"], typer.Option("--format", help="ftm: FollowTheMoney entities, JSON lines")
    ] = "ftm",
) -> None:
    """Write businesses, people, stores, their links, listings and restrictions in force."""
    with _store() as store:
        key = current_settings().id_hash_key.get_secret_value()
        if output is None:
            summary = export_ftm(store, cast(IO[str], RedactingWriter(sys.stdout, key)))
        else:
            with output.open("w", encoding="utf-8") as out:
                summary = export_ftm(store, cast(IO[str], RedactingWriter(out, key)))
    counts = ", ".join(f"{n:,} {schema}" for schema, n in sorted(summary.by_schema.items()))
    console.print(f"exported {summary.total:,} FollowTheMoney entities ({counts})")


@exchange_app.command("keygen")
def keygen(key: KeyOption = None) -> None:
    """Make this bureau's signing key (once) and print its public key for others to trust."""
    try:
        made = new_private_key(_key_path(key))
    except CreditGraphError as exc:
        raise _fail(exc) from exc
    typer.echo(public_key_hex(made))


@exchange_app.command("export")
def export_packet_command(
    out_dir: Annotated[Path, typer.Argument(help="directory to write the packet in")],
    authority: Annotated[str, typer.Option(help="the issuing authority, as it signs")],
    region: Annotated[str, typer.Option(help="division-code prefix of the records, e.g. 3301")],
    since: Annotated[str, typer.Option("--from", help="first decision date (YYYY-MM-DD)")],
    until: Annotated[str, typer.Option("--to", help="last decision date (YYYY-MM-DD)")],
    key: KeyOption = None,
) -> None:
    """A signed packet of a region's listings and violations decided in a period."""
    start, end = _day(since), _day(until)
    if start is None or end is None:
        raise typer.BadParameter("--from and --to are dates (YYYY-MM-DD)")
    settings = current_settings()
    with _store() as store:
        try:
            manifest = export_packet(
                store,
                out_dir,
                load_private_key(_key_path(key)),
                authority=authority,
                region=region,
                period_from=start,
                period_to=end,
                id_hash_key=settings.id_hash_key.get_secret_value(),
            )
        except CreditGraphError as exc:
            raise _fail(exc) from exc
    counts = ", ".join(f"{n:,} {s}" for s, n in manifest.counts.items())
    console.print(f"packet {manifest.packet_id} written to {out_dir} ({counts or 'empty'})")


@exchange_app.command("verify")
def verify_command(
    packet: Annotated[Path, typer.Argument(help="the packet's directory")], trust: TrustOption
) -> None:
    """Check a packet's signature, signer, digest and counts without loading it."""
    try:
        manifest = verify_packet(packet, _trusted(trust))
    except CreditGraphError as exc:
        raise _fail(exc) from exc
    console.print(
        f"packet {manifest.packet_id} from {escape(manifest.authority)} (region "
        f"{manifest.region}, {manifest.period_from} to {manifest.period_to}) verifies"
    )


@exchange_app.command("transfer")
def transfer_command(
    case: Annotated[str, typer.Argument(help="the case: a violation uid (violation:…)")],
    to: Annotated[str, typer.Option("--to", help="the receiving authority")],
    authority: Annotated[str, typer.Option(help="this bureau's authority, as it signs")],
    out_dir: Annotated[Path, typer.Option("--out", help="directory to write the packet in")],
    evidence: Annotated[
        list[str] | None, typer.Option("--evidence", help="SHA-256 of an evidence file (repeat)")
    ] = None,
    key: KeyOption = None,
) -> None:
    """Send a case (案件移送) to another authority in a signed packet; tracked as sent."""
    move = CaseTransfer(
        case=case,
        from_authority=authority,
        to_authority=to,
        status="sent",
        evidence_sha256=list(evidence or []),
    )
    manifest = _answer_packet(out_dir, authority, move, key)
    with _transfer_log() as log:
        log.record(case, "out", to, "sent", manifest, evidence=tuple(move.evidence_sha256))
    log_decisions(rec.case_moved(rec.cli_actor(), move, manifest))
    console.print(f"case {case} sent to {escape(to)} in packet {manifest}")


@exchange_app.command("reply")
def reply_command(
    case: Annotated[str, typer.Argument(help="the case received (violation:…)")],
    sender: Annotated[str, typer.Option("--sender", help="the authority that sent it")],
    decision: Annotated[
        Literal["accepted", "returned"], typer.Option("--decision", help="accepted or returned")
    ],
    authority: Annotated[str, typer.Option(help="this bureau's authority, as it signs")],
    out_dir: Annotated[Path, typer.Option("--out", help="directory to write the packet in")],
    reason: Annotated[str | None, typer.Option(help="why (needed to return a case)")] = None,
    key: KeyOption = None,
) -> None:
    """Accept or return a case received; the answer travels in a signed packet."""
    if decision == "returned" and not reason:
        raise typer.BadParameter("a returned case needs --reason")
    with _transfer_log() as log:
        try:
            log.get(case, "in", sender)
        except CreditGraphError as exc:
            raise _fail(exc) from exc
        move = CaseTransfer(
            case=case,
            from_authority=authority,
            to_authority=sender,
            status=decision,
            reason=reason,
        )
        packet_id = _answer_packet(out_dir, authority, move, key)
        log.record(case, "in", sender, decision, packet_id, reason=reason)
    log_decisions(rec.case_moved(rec.cli_actor(), move, packet_id))
    console.print(f"case {case} {decision}; answer in packet {packet_id}")


@exchange_app.command("cases")
def cases_command() -> None:
    """Cases this bureau sent or received, with their status."""
    with _transfer_log() as log:
        rows = log.all()
    if not rows:
        console.print("no case sent or received")
    for row in rows:
        way = "to" if row.direction == "out" else "from"
        why = f" ({escape(row.reason)})" if row.reason else ""
        typer.echo(f"{row.case_uid}  {way} {row.counterpart}  {row.status}{why}  {row.updated}")


def _answer_packet(out_dir: Path, authority: str, move: CaseTransfer, key: Path | None) -> str:
    settings = current_settings()
    today = date.today()
    with _store() as store:
        try:
            manifest = export_packet(
                store,
                out_dir,
                load_private_key(_key_path(key)),
                authority=authority,
                region=None,
                period_from=today,
                period_to=today,
                id_hash_key=settings.id_hash_key.get_secret_value(),
                transfers=[move],
            )
        except CreditGraphError as exc:
            raise _fail(exc) from exc
    return manifest.packet_id


def _track(report: ImportReport) -> None:
    """Record the case transfers a packet carried for this bureau."""
    if not report.transfers:
        return
    with _transfer_log() as log:
        for move in report.transfers:
            if move.status == "sent":
                log.record(
                    move.case,
                    "in",
                    move.from_authority,
                    "received",
                    report.packet_id,
                    evidence=tuple(move.evidence_sha256),
                )
                console.print(f"case {move.case} received from {escape(move.from_authority)}")
            else:
                log.record(
                    move.case,
                    "out",
                    move.from_authority,
                    move.status,
                    report.packet_id,
                    reason=move.reason,
                )
                console.print(f"case {move.case} {move.status} by {escape(move.from_authority)}")


@exchange_app.command("import")
def import_command(
    packet: Annotated[Path, typer.Argument(help="the packet's directory")],
    trust: TrustOption,
    authority: Annotated[
        str | None, typer.Option(help="this bureau's authority (to receive cases sent to it)")
    ] = None,
) -> None:
    """Verify and load a packet; its listings propagate under this bureau's rules."""
    from algorithms.propagation import service

    settings = current_settings()
    with _store() as store:
        try:
            report = import_packet(
                store,
                packet,
                _trusted(trust),
                id_hash_key=settings.id_hash_key.get_secret_value(),
                authority=authority,
            )
        except CreditGraphError as exc:
            raise _fail(exc) from exc
        propagated = service.propagate_store(store) if report.listings else None
    if report.created or report.listings:
        log_decisions(
            rec.exchange_imported(rec.cli_actor(), report, packet / "manifest.json", propagated),
            rules=None,
        )
    created = ", ".join(f"{n:,} {k}" for k, n in sorted(report.created.items())) or "nothing new"
    console.print(f"packet {report.packet_id}: created {created}")
    if report.unchanged:
        console.print(f"already here: {sum(report.unchanged.values()):,} records")
    if report.unmatched_people:
        console.print(
            f"[yellow]{report.unmatched_people} people are keyed with another id-hash key; "
            "they are kept apart from this bureau's people[/]"
        )
    for conflict in report.conflicts:
        console.print(f"[yellow]conflict (kept ours):[/] {escape(conflict)}")
    if propagated is not None:
        console.print(f"restrictions under this bureau's rules: {propagated.imposed:,} imposed")
    _track(report)


def register(app: typer.Typer) -> None:
    """Add ``credgraph export`` and ``credgraph exchange``."""
    app.command("export")(export_command)
    app.add_typer(exchange_app, name="exchange")
