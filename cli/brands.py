"""``credgraph brands ...``: alliance members, infringement reports, links, repeat infringers.

The command line is an officer's tool: it sees every brand (``--brand`` narrows it, and
``--as-member`` shows what one alliance member would see).
"""

from __future__ import annotations

import hashlib
import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from algorithms.brands import service as svc
from algorithms.brands.core import LinkParams
from api.ledger import record as rec
from cli.audit import log_decisions
from cli.common import store_session as _store
from graph.errors import CreditGraphError
from graph.store import GraphStore

__all__ = ["brands_app", "register"]

console = Console()

brands_app = typer.Typer(
    name="brands",
    help="Brand protection (品牌保护): alliance members, infringement reports, links, "
    "repeat infringers.",
    no_args_is_help=True,
)
members_app = typer.Typer(name="members", help="Alliance members.", no_args_is_help=True)
brands_app.add_typer(members_app)

JsonOption = Annotated[bool, typer.Option("--json", help="machine-readable output")]
MemberOption = Annotated[
    str | None, typer.Option("--as-member", help="see only what this member:uid may see")
]


def _scope(store: GraphStore, member: str | None) -> svc.BrandScope:
    return svc.resolve_scope(store, [member]) if member else svc.BrandScope.officer()


def _dump(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, default=str, indent=1))


@members_app.command("add")
def member_add(
    member_id: Annotated[str, typer.Argument(help="the member's id (uid member:<id>)")],
    name: Annotated[str, typer.Option(help="the member's name")],
    brand: Annotated[list[str], typer.Option("--brand", help="brand it acts for (repeat)")],
    kind: Annotated[str, typer.Option(help="rights_holder or agent")] = "rights_holder",
) -> None:
    """Record an alliance member and its brands; then `credgraph keys create --scope brand
    --brand member:<id>` gives it a key."""
    with _store() as store:
        member = svc.add_member(store, member_id, name, brand, kind=kind)
    console.print(f"[bold]{member.uid}[/] acts for {', '.join(member.brands)}")


@members_app.command("list")
def member_list(as_json: JsonOption = False) -> None:
    """Every alliance member and its brands."""
    with _store() as store:
        found = svc.list_members(store, svc.BrandScope.officer())
    if as_json:
        _dump([m.model_dump(mode="json") for m in found])
        return
    table = Table("member", "name", "kind", "brands")
    for m in found:
        table.add_row(m.uid, escape(m.name or ""), m.kind or "", ", ".join(m.brands))
    console.print(table)


@brands_app.command("reports")
def reports(
    brand: Annotated[str, typer.Argument(help="brand id or uid")],
    status: Annotated[list[str] | None, typer.Option("--status", help="filter (repeat)")] = None,
    cursor: Annotated[
        str | None, typer.Option(help="resume after a page (the cursor the last page printed)")
    ] = None,
    limit: int = 50,
    as_member: MemberOption = None,
    as_json: JsonOption = False,
) -> None:
    """Reports on a brand, in filed order."""
    with _store() as store:
        page = svc.list_reports(
            store,
            _scope(store, as_member),
            svc.brand_uid(brand),
            status or ("pending", "confirmed", "rejected", "countered"),
            cursor,
            limit,
        )
    if as_json:
        _dump(page.model_dump(mode="json"))
        return
    table = Table("report", "status", "store", "complainant", "filed", "evidence")
    for r in page.items:
        table.add_row(
            r.uid,
            r.status,
            r.store,
            escape(r.complainant or ""),
            str(r.filed or ""),
            escape(r.evidence or ""),
        )
    console.print(table)
    if page.next:
        console.print(f"[dim]more: --cursor {page.next}[/]")


@brands_app.command("file")
def file_report(
    brand: Annotated[str, typer.Argument(help="brand id or uid")],
    store_id: Annotated[str, typer.Argument(help="platform:shop_id")],
    evidence: Annotated[str, typer.Option(help="what shows the infringement")],
    complainant: Annotated[str, typer.Option(help="who complains (member uid or name)")],
    evidence_file: Annotated[
        Path | None, typer.Option(help="evidence file: its SHA-256 is recorded")
    ] = None,
    report_id: Annotated[str | None, typer.Option(help="report id (generated if absent)")] = None,
) -> None:
    """File one pending report."""
    digest = hashlib.sha256(evidence_file.read_bytes()).hexdigest() if evidence_file else None
    new = svc.NewReport(
        report_id=report_id,
        store_id=store_id,
        brand_id=brand,
        evidence=evidence,
        evidence_sha256=digest,
    )
    with _store() as store:
        filed = svc.file_reports(
            store, svc.BrandScope.officer(), [new], complainant=complainant, filed_by="cli"
        )
    console.print(f"filed {', '.join(filed.filed)}")


@brands_app.command("import")
def import_reports(
    path: Annotated[Path, typer.Argument(help="CSV: " + ", ".join(svc.REPORT_CSV_COLUMNS))],
    complainant: Annotated[str, typer.Option(help="complainant for rows without one")],
) -> None:
    """File every report in a CSV file (all or none)."""
    try:
        rows = svc.parse_reports_csv(path.read_text(encoding="utf-8"))
    except CreditGraphError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}")
        raise typer.Exit(code=2) from exc
    with _store() as store:
        filed = svc.file_reports(
            store, svc.BrandScope.officer(), rows, complainant=complainant, filed_by="cli"
        )
    console.print(f"filed {len(filed.filed)} reports")


@brands_app.command("decide")
def decide(
    report: Annotated[str, typer.Argument(help="report uid or id")],
    status: Annotated[str, typer.Argument(help="confirmed, rejected, countered or pending")],
    officer: Annotated[str, typer.Option(help="who decides")],
    reason: Annotated[str | None, typer.Option(help="why")] = None,
    counter_notice: Annotated[str | None, typer.Option(help="the counter-notice text")] = None,
) -> None:
    """Change a report's status (see docs/brands.md for the allowed moves)."""
    with _store() as store:
        out = svc.decide_report(
            store, report, status, decided_by=officer, reason=reason, counter_notice=counter_notice
        )
    log_decisions(rec.report_decided(rec.cli_actor(officer), out))
    console.print(f"{out.uid}: {out.status}")


@brands_app.command("links")
def links(
    brand: Annotated[str, typer.Argument(help="brand id or uid")],
    min_weight: float = 0.0,
    offset: int = 0,
    limit: int = 50,
    as_member: MemberOption = None,
    as_json: JsonOption = False,
) -> None:
    """Stores linked to a brand's confirmed and pending reports, strongest first."""
    with _store() as store:
        page = svc.links_for_brand(
            store,
            _scope(store, as_member),
            svc.brand_uid(brand),
            LinkParams(min_weight=min_weight),
            offset,
            limit,
        )
    if as_json:
        _dump(page.model_dump(mode="json"))
        return
    table = Table(title=f"{page.total} stores linked to {page.brand}")
    for column in ("store", "name", "weight", "relation", "path"):
        table.add_column(column)
    for x in page.items:
        best = x.paths[0] if x.paths else None
        path = ""
        if best is not None:
            parts = [best.nodes[0]]
            for rel, node in zip(best.rels, best.nodes[1:], strict=True):
                parts.append(f"-{rel}- {node}")
            path = " ".join(parts)
        table.add_row(x.store, escape(x.name or ""), f"{x.weight:.2f}", x.relation, escape(path))
    console.print(table)


@brands_app.command("repeat")
def repeat(
    brand: Annotated[str | None, typer.Option(help="one brand (default: all)")] = None,
    confirmed_only: Annotated[bool, typer.Option(help="confirmed reports only")] = False,
    limit: int = 20,
    as_member: MemberOption = None,
    as_json: JsonOption = False,
) -> None:
    """Repeat infringers, ranked, with reasons."""
    with _store() as store:
        page = svc.rank_repeat_infringers(
            store,
            _scope(store, as_member),
            svc.brand_uid(brand) if brand else None,
            confirmed_only=confirmed_only,
            limit=limit,
        )
    if as_json:
        _dump(page.model_dump(mode="json"))
        return
    table = Table("actor", "kind", "score", "stores", "reasons", title=f"{page.total} found")
    for x in page.items:
        table.add_row(
            x.actor, x.kind, f"{x.score:.2f}", str(len(x.stores)), escape("; ".join(x.reasons))
        )
    console.print(table)


@brands_app.command("list-repeat")
def list_repeat(
    actor: Annotated[str, typer.Argument(help="biz:... or person:... uid")],
    listing_id: Annotated[str, typer.Option(help="the listing's id")],
    decided: Annotated[str, typer.Option(help="decision date YYYY-MM-DD")],
    authority: Annotated[str | None, typer.Option(help="deciding authority")] = None,
    officer: Annotated[
        str | None, typer.Option(help="the deciding officer (required above the threshold)")
    ] = None,
    reason: Annotated[
        str | None, typer.Option(help="written reason (required above the threshold)")
    ] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="apply the previewed listing without asking")
    ] = False,
) -> None:
    """Put a confirmed repeat infringer on the repeat_ip_infringer list: preview what it
    imposes (per rule, by name), then propagate; above the approval threshold, wait for a
    second officer (credgraph approvals)."""
    from algorithms.propagation.service import check_new_listing
    from api import approvals
    from cli.approvals import confirm_or_request
    from cli.common import current_settings

    with _store() as store:
        listing = svc.repeat_infringer_listing(
            store, actor, listing_id=listing_id, decided=date.fromisoformat(decided)
        )
        check_new_listing(store, listing)
        preview = approvals.listing_add_preview(
            store, listing, approval_above=current_settings().approval_above
        )
        payload = approvals.listing_payload(listing, authority=authority, region=None)
        report, pending = confirm_or_request(
            store,
            "listing.add",
            listing.uid,
            payload,
            preview,
            officer=officer,
            reason=reason,
            yes=yes,
            as_json=False,
        )
    if pending is not None:
        return
    _dump(report.model_dump(mode="json"))


@brands_app.command("reputation")
def reputation(as_json: JsonOption = False) -> None:
    """Complainant reputation: Beta-smoothed acceptance, lowest first."""
    with _store() as store:
        found = svc.complainant_reputations(store, svc.BrandScope.officer())
    rows = sorted(found.values(), key=lambda r: (r.weight, r.complainant))
    if as_json:
        _dump([r.__dict__ for r in rows])
        return
    table = Table("complainant", "weight", "confirmed", "rejected", "countered", "pending")
    for r in rows:
        table.add_row(
            escape(r.complainant),
            f"{r.weight:.2f}",
            str(r.confirmed),
            str(r.rejected),
            str(r.countered),
            str(r.pending),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``credgraph brands`` to the main app."""
    app.add_typer(brands_app)
