"""``credgraph detect rings`` and ``credgraph rings list | show | confirm | dismiss | accounts |
stores | score``.

Brushing rings (刷单炒信) are suspicions: detection writes them as ``suspected``; only an
officer's confirmation creates a violation and the listings the punishment rules take up.
The commands reach the configured store through :func:`cli.main.open_store` (imported when a
command runs, since ``cli.main`` imports this module to register it).
"""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from algorithms.brushing import score_store, service
from algorithms.brushing.rings import RingParams
from api.ledger import record as rec
from cli.audit import log_decisions
from cli.common import current_settings
from cli.common import store_session as _store

__all__ = ["register", "rings_app"]

rings_app = typer.Typer(
    name="rings",
    help="Review suspected brushing rings (刷单炒信): list, show evidence, confirm, dismiss.",
    no_args_is_help=True,
)
console = Console()

JsonOption = Annotated[bool, typer.Option("--json", help="machine-readable output")]
RingArg = Annotated[str, typer.Argument(help="the ring's uid (ring:…) or its 16 hex digits")]
OfficerOption = Annotated[str, typer.Option("--officer", help="who reviews the ring")]
ReasonOption = Annotated[str, typer.Option("--reason", help="why (kept with the ring)")]


def _dump(value: Any) -> None:
    typer.echo(json.dumps(value, default=str, ensure_ascii=False, indent=2))


def _rings_table(title: str, rings: tuple[service.RingSummary, ...] | list[Any]) -> Table:
    table = Table(title=title)
    table.add_column("ring", no_wrap=True)
    for column in ("score", "accounts", "stores", "status", "first reason"):
        table.add_column(column, justify="right" if column in ("score", "accounts") else "left")
    for ring in rings:
        table.add_row(
            ring.uid,
            f"{ring.score:.2f}",
            str(ring.n_accounts),
            str(ring.n_stores),
            ring.status,
            escape(ring.reasons[0]) if ring.reasons else "",
        )
    return table


# -- commands ------------------------------------------------------------------------------
def detect_rings(
    blocks: Annotated[int, typer.Option(min=1, max=100, help="dense blocks to look for")] = 5,
    orders_only: Annotated[
        bool, typer.Option("--orders-only", help="ignore logistics and identity signals")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Find brushing rings in orders and logistics; write them as suspected (刷单团伙)."""
    params = RingParams.orders_only(n_blocks=blocks) if orders_only else RingParams(n_blocks=blocks)
    with _store() as store:
        report = service.detect(store, params)
    if as_json:
        _dump(report.model_dump(mode="json"))
        return
    console.print(
        f"read {report.orders:,} orders of {report.accounts:,} accounts at "
        f"{report.stores:,} stores in {report.seconds:.1f} s"
    )
    console.print(
        f"rings: {len(report.rings)} found, {report.created} new, {report.updated} updated, "
        f"{report.kept_reviewed} already reviewed, {report.superseded} superseded"
    )
    console.print(
        f"scored {report.scored_accounts:,} accounts and {report.scored_stores:,} stores "
        "(credgraph rings accounts / stores)"
    )
    if report.rings:
        console.print(_rings_table(f"detection run {report.run_id}", report.rings))


def list_(
    status: Annotated[
        list[str] | None,
        typer.Option("--status", help="suspected, confirmed, dismissed, superseded (repeat)"),
    ] = None,
    limit: Annotated[int, typer.Option(help="rings per page")] = 50,
    cursor: Annotated[
        str | None, typer.Option(help="resume after a page (the cursor the last page printed)")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Rings ranked by score (default: suspected, confirmed and dismissed)."""
    statuses = status or ["suspected", "confirmed", "dismissed"]
    with _store() as store:
        page = service.list_rings(store, statuses, limit=limit, cursor=cursor)
    if as_json:
        _dump(page.model_dump(mode="json"))
        return
    console.print(_rings_table("brushing rings", page.items))
    if page.next:
        console.print(f"[dim]more: credgraph rings list --cursor {page.next}[/]")


def show(ring: RingArg, as_json: JsonOption = False) -> None:
    """A ring's members and evidence: orders, waybills, shared receivers."""
    with _store() as store:
        detail = service.ring_detail(store, service.as_ring_uid(ring))
    if as_json:
        _dump(detail.model_dump(mode="json"))
        return
    console.print(
        f"[bold]{detail.uid}[/]  score {detail.score:.2f}  status {detail.status}"
        + (f"  (by {escape(detail.reviewed_by)})" if detail.reviewed_by else "")
    )
    for reason in detail.reasons:
        console.print(f"  • {escape(reason)}")
    console.print(f"accounts ({len(detail.accounts)}): " + ", ".join(detail.accounts))
    console.print(
        "boosted stores: " + ", ".join(f"{s.uid} {escape(s.name or '')}" for s in detail.stores)
    )
    table = Table(title=f"shared receivers ({len(detail.shared_receivers)})")
    for column in ("kind", "receiver", "accounts", "orders"):
        table.add_column(column)
    for shared in detail.shared_receivers:
        table.add_row(
            shared.kind,
            escape(shared.text or shared.uid),
            str(len(shared.accounts)),
            str(shared.orders),
        )
    console.print(table)
    orders = Table(title=f"evidence: {len(detail.orders)} orders, {detail.waybills} waybills")
    for column in ("order", "account", "store", "placed", "kg", "shipped → delivered"):
        orders.add_column(column)
    for order in detail.orders[:30]:
        hours = (
            f"{(order.delivered - order.shipped).total_seconds() / 3600:.1f} h"
            if order.delivered and order.shipped
            else ""
        )
        weight = "" if order.weight_kg is None else f"{order.weight_kg:.3f}"
        orders.add_row(
            order.order_uid, order.account, order.store, str(order.placed or ""), weight, hours
        )
    console.print(orders)
    if len(detail.orders) > 30:
        console.print(f"… {len(detail.orders) - 30} more orders (use --json for all)")


def confirm(
    ring: RingArg,
    officer: OfficerOption,
    reason: ReasonOption,
    decided: Annotated[
        str | None, typer.Option(help="decision date YYYY-MM-DD (default: today)")
    ] = None,
    authority: Annotated[str | None, typer.Option(help="deciding authority")] = None,
    case_no: Annotated[str | None, typer.Option("--case-no", help="case number")] = None,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="apply the previewed action without asking")
    ] = False,
    as_json: JsonOption = False,
) -> None:
    """Confirm a ring: preview what it imposes (per rule, by name), then record the
    violation and the listings; above the approval threshold, wait for a second officer."""
    from api import approvals
    from cli.approvals import confirm_or_request

    try:
        day = date.fromisoformat(decided) if decided else None
    except ValueError as exc:
        raise typer.BadParameter(f"{decided!r} is not a date (YYYY-MM-DD)") from exc
    uid = service.as_ring_uid(ring)
    payload = approvals.ring_confirm_payload(
        uid, officer, reason, decided=day, authority=authority, case_no=case_no
    )
    with _store() as store:
        preview = approvals.ring_confirm_preview(
            store, uid, approval_above=current_settings().approval_above, decided=day
        )
        found, pending = confirm_or_request(
            store,
            "ring.confirm",
            uid,
            payload,
            preview,
            officer=officer,
            reason=reason,
            yes=yes,
            as_json=as_json,
        )
    if pending is not None:
        if as_json:
            _dump(pending.to_dict())
        return
    result: service.ReviewResult = found
    if as_json:
        _dump(result.model_dump(mode="json"))
        return
    console.print(f"[bold]{result.ring.uid}[/] confirmed; violation {result.violation_uid}")
    if result.note:
        console.print(f"[yellow]{escape(result.note)}[/]")
    console.print(f"{len(result.restrictions)} restrictions now in force (see the preview above)")


def dismiss(
    ring: RingArg, officer: OfficerOption, reason: ReasonOption, as_json: JsonOption = False
) -> None:
    """Dismiss a ring with the reason; nobody is punished."""
    with _store() as store:
        result = service.dismiss(store, service.as_ring_uid(ring), officer, reason)
    log_decisions(rec.ring_reviewed(rec.cli_actor(officer), result, confirmed=False, reason=reason))
    if as_json:
        _dump(result.model_dump(mode="json"))
    else:
        console.print(f"[bold]{result.ring.uid}[/] dismissed by {escape(officer)}")


LangOption = Annotated[str, typer.Option("--lang", help="language of the reasons: zh or en")]
TopOption = Annotated[int, typer.Option("--top", min=1, max=1000, help="how many to show")]
MinScoreOption = Annotated[
    float, typer.Option("--min-score", min=0.0, max=1.0, help="only scores at least this")
]


def _reason_of(entity: score_store.EntityScore, lang: str, first_only: bool) -> str:
    texts = [r.text_en if lang == "en" else r.text_zh for r in entity.reasons]
    if first_only:
        return texts[0] if texts else ""
    return "; ".join(texts)


def _check_lang(lang: str) -> str:
    if lang not in ("zh", "en"):
        raise typer.BadParameter(f"--lang {lang!r}: use zh or en")
    return lang


def _scores(kind: score_store.Kind, top: int, min_score: float, lang: str, as_json: bool) -> None:
    lang = _check_lang(lang)
    with _store() as store:
        found = score_store.list_scores(store, kind, limit=top, min_score=min_score).items
    if as_json:
        _dump([e.model_dump(mode="json") for e in found])
        return
    table = Table(title=f"{kind}s by brushing score (0.9 = about 90% precision)")
    for column in (kind, "name", "score", "reasons"):
        table.add_column(column, justify="right" if column == "score" else "left")
    for entity in found:
        table.add_row(
            entity.uid,
            escape(entity.name or ""),
            f"{entity.score:.2f}",
            escape(_reason_of(entity, lang, first_only=False)),
        )
    console.print(table)
    if not found:
        console.print("no scores yet: run `credgraph detect rings` first")


def accounts(
    top: TopOption = 20,
    min_score: MinScoreOption = 0.0,
    lang: LangOption = "zh",
    as_json: JsonOption = False,
) -> None:
    """Accounts ranked by their calibrated brushing score, with the reasons."""
    _scores("account", top, min_score, lang, as_json)


def stores(
    top: TopOption = 20,
    min_score: MinScoreOption = 0.0,
    lang: LangOption = "zh",
    as_json: JsonOption = False,
) -> None:
    """Stores ranked by their calibrated brushing score, with the reasons."""
    _scores("store", top, min_score, lang, as_json)


def score(
    uid: Annotated[str, typer.Argument(help="an account (account:…) or store (store:…) uid")],
    lang: LangOption = "zh",
    as_json: JsonOption = False,
) -> None:
    """One account's or store's brushing score and every reason behind it."""
    lang = _check_lang(lang)
    with _store() as store:
        entity = score_store.entity_score(store, uid.strip())
    if as_json:
        _dump(entity.model_dump(mode="json"))
        return
    console.print(f"[bold]{entity.uid}[/] {escape(entity.name or '')}  score {entity.score:.2f}")
    for reason in entity.reasons:
        console.print(f"  • {escape(reason.text_en if lang == 'en' else reason.text_zh)}")
    if not entity.reasons:
        console.print("  (nothing stands out)")


def register(app: typer.Typer) -> None:
    """Add ``credgraph detect rings`` and ``credgraph rings ...`` to the CLI."""
    from cli.detect import detect_app

    detect_app.command("rings")(detect_rings)
    rings_app.command("list")(list_)
    rings_app.command()(show)
    rings_app.command()(confirm)
    rings_app.command()(dismiss)
    rings_app.command()(accounts)
    rings_app.command()(stores)
    rings_app.command()(score)
    app.add_typer(rings_app, name="rings")
