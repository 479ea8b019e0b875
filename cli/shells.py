"""``credgraph ownership ID``, ``credgraph detect shells``, ``credgraph shells ...`` and
``credgraph controllers compute``: who stands behind a business, and shell clusters.

The commands reach the configured store through :func:`cli.main.open_store` (imported when a
command runs, since ``cli.main`` imports this module to register it).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from algorithms.ownership.core import ControlParams
from algorithms.ownership.service import (
    OwnershipReport,
    SkippedOut,
    compute_controllers,
    ownership,
)
from algorithms.shells.core import ShellParams, ShellResult
from algorithms.shells.service import (
    ClusterDetail,
    ClusterStatus,
    Decision,
    detect_shells,
    get_cluster,
    list_clusters,
    review_cluster,
)
from api.ledger import record as rec
from cli.audit import log_decisions
from cli.common import parse_day as _day
from cli.common import print_json as _print_json
from cli.common import store_session as _store
from cli.detect import detect_app
from graph.render import display_name

__all__ = ["controllers_app", "register", "shells_app"]

console = Console()

shells_app = typer.Typer(
    name="shells",
    help="Stored shell-entity clusters (空壳公司): list, show, review.",
    no_args_is_help=True,
)
controllers_app = typer.Typer(
    name="controllers",
    help="Actual controllers (实际控制人) computed from ownership.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def _pct(x: float | None) -> str:
    return "" if x is None else f"{x * 100:.2f}%"


# --------------------------------------------------------------------------- ownership


def _print_ownership(report: OwnershipReport) -> None:
    title = f"{escape(report.name or report.business)} [dim]{escape(report.business)}[/]"
    console.print(f"[bold]Ownership of {title}[/] on {report.at}")
    holders = Table(title="Holders (股权穿透), effective share through every chain")
    for column in ("holder", "kind", "effective", "direct", "main chain"):
        holders.add_column(column, justify="right" if column in ("effective", "direct") else "left")
    for h in report.holders:
        chain = h.chains[0] if h.chains else None
        route = (
            " → ".join(
                f"{escape(n)} ({_pct(s)})" for n, s in zip(chain.names, chain.shares, strict=False)
            )
            if chain
            else ""
        )
        ubo = " [bold green]UBO[/]" if h in report.beneficial_owners else ""
        holders.add_row(
            f"{escape(h.name or h.uid)}{ubo}", h.label, _pct(h.share), _pct(h.direct), route
        )
    console.print(holders)
    if report.self_held:
        console.print(f"held by itself through cycles: {_pct(report.self_held)}")
    if not report.beneficial_owners:
        console.print(f"no natural person holds {_pct(report.ubo_threshold)} or more")
    if report.unknown_share_holders:
        console.print(
            "holders whose share is not on record (they hold; the weight is unknown): "
            + ", ".join(escape(u) for u in report.unknown_share_holders)
        )
    _print_skipped(report.skipped)
    if not report.controllers:
        console.print("actual controller: [dim]none named by the rules[/]")
    for c in report.controllers:
        flag = " [bold red]disagrees with ownership[/]" if c.disagrees_with_declared else ""
        console.print(
            f"actual controller (实际控制人): [bold]{escape(c.controller_name or c.controller)}[/]"
            f" by rule [cyan]{c.rule.value}[/]{flag}\n  {escape(c.explanation)}"
        )


def ownership_command(
    entity: Annotated[str, typer.Argument(help="the business: USCC or uid")],
    at: Annotated[
        str | None, typer.Option(help="as of this date (YYYY-MM-DD); default today")
    ] = None,
    threshold: Annotated[
        float, typer.Option(help="beneficial-owner threshold (effective share)")
    ] = 0.25,
    as_json: JsonOption = False,
) -> None:
    """Who holds a business through every chain, its beneficial owners and controller."""
    from cli.main import current_settings
    from graph.lookup import resolve_entity

    day = _day(at)
    with _store() as store:
        node = resolve_entity(store, entity, current_settings().id_hash_key.get_secret_value())
        report = ownership(store, node.uid, day, ubo_threshold=threshold)
    if as_json:
        _print_json(report.model_dump(mode="json"))
    else:
        _print_ownership(report)


@controllers_app.command("compute")
def controllers_compute(
    at: Annotated[
        str | None, typer.Option(help="as of this date (YYYY-MM-DD); default today")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Compute every actual controller and write them as computed ACTUAL_CONTROLLER_OF edges."""
    with _store() as store:
        run = compute_controllers(store, ControlParams(at=_day(at)))
    if as_json:
        _print_json(run.model_dump(mode="json"))
        return
    table = Table(title=f"actual controllers as of {run.at}")
    table.add_column("rule")
    table.add_column("businesses", justify="right")
    for rule, n in run.by_rule.items():
        table.add_row(rule, f"{n:,}")
    console.print(table)
    console.print(
        f"{run.computed:,} computed edges written, {run.removed:,} earlier ones removed; "
        f"{len(run.disagreements):,} declared controllers contradicted by ownership"
    )
    _print_skipped(run.skipped)


_SKIP_REASON = {
    "shares_over_one": "shares held in it add up to {total}",
    "share_out_of_range": "a share outside 0..1 ({rids})",
}


def _print_skipped(skipped: Sequence[SkippedOut]) -> None:
    """Businesses left out by ownership and control, one line each."""
    if not skipped:
        return
    console.print(
        f"[yellow]{len(skipped):,} businesses skipped[/] (their holdings cannot be used; "
        "everyone else was computed):"
    )
    for x in skipped[:20]:
        why = _SKIP_REASON.get(x.code, x.code).format(
            total=_pct(x.total), rids=", ".join(x.rids[:3])
        )
        console.print(f"  {escape(x.business)}: {escape(why)}")
    if len(skipped) > 20:
        console.print(f"  … and {len(skipped) - 20:,} more (--json lists them all)")


# --------------------------------------------------------------------------- shells


def _cluster_rows(result: ShellResult, min_score: float) -> list[dict[str, Any]]:
    return [
        {
            "uid": f"shell:{c.id}",
            "score": c.score,
            "size": len(c.members),
            "links": c.n_links,
            "reasons": list(c.reasons),
            "shared": {str(k): v for k, v in c.shared.items()},
            "members": [
                {"uid": m, "similarity": s} for m, s in zip(c.members, c.mean_jaccard, strict=True)
            ],
        }
        for c in result.clusters
        if c.score >= min_score
    ]


@detect_app.command("shells")
def detect_shells_command(
    min_score: Annotated[float, typer.Option(help="show clusters scoring at least this")] = 0.0,
    limit: Annotated[int, typer.Option(help="clusters to show (all are stored)")] = 20,
    link_threshold: Annotated[
        float | None, typer.Option(help="summed strength linking two businesses (default 2)")
    ] = None,
    hub_threshold: Annotated[
        int | None, typer.Option(help="more businesses than this on one identifier: a hub")
    ] = None,
    gds: Annotated[
        bool | None, typer.Option("--gds/--no-gds", help="use Neo4j GDS (default: when present)")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Find clusters of businesses linked through shared identifiers and store them."""
    options: dict[str, Any] = {}
    if link_threshold is not None:
        options["link_threshold"] = link_threshold
    if hub_threshold is not None:
        options["hub_threshold"] = dict.fromkeys(ShellParams().hub_threshold, hub_threshold)
    try:
        params = ShellParams(**options)
    except ValueError as exc:
        raise typer.BadParameter(str(exc)) from exc
    with _store() as store:
        result = detect_shells(store, params, use_gds=gds)
        hub_names = {
            n.uid: display_name(n) for n in store.get_nodes([h.uid for h in result.hubs[:5]])
        }
    rows = _cluster_rows(result, min_score)
    if as_json:
        _print_json(
            {
                "stats": vars(result.stats),
                "hubs": [
                    {
                        "uid": h.uid,
                        "kind": h.kind.value,
                        "degree": h.degree,
                        "action": h.action.value,
                        "weight": h.weight,
                    }
                    for h in result.hubs
                ],
                "clusters": rows,
            }
        )
        return
    s = result.stats
    table = Table(
        title=f"{len(rows):,} shell clusters (score >= {min_score:g}) among {s.businesses:,} "
        f"businesses; {s.links:,} links, {s.hubs:,} hub identifiers set aside"
    )
    for column in ("cluster", "score", "members", "reasons"):
        table.add_column(column, justify="right" if column in ("score", "members") else "left")
    for row in rows[:limit]:
        table.add_row(
            row["uid"], f"{row['score']:.2f}", str(row["size"]), escape("; ".join(row["reasons"]))
        )
    console.print(table)
    if len(rows) > limit:
        console.print(f"[dim]{len(rows) - limit:,} more: credgraph shells list[/]")
    for hub in result.hubs[:5]:
        console.print(
            f"[dim]hub {escape(hub_names.get(hub.uid, hub.uid))} ({hub.kind.value}, "
            f"{hub.degree:,} businesses): {hub.action.value}[/]"
        )


@shells_app.command("list")
def shells_list(
    status: Annotated[
        ClusterStatus | None, typer.Option(help="suspected, confirmed or dismissed")
    ] = None,
    min_score: Annotated[float, typer.Option(help="lowest score listed")] = 0.0,
    limit: Annotated[int, typer.Option(help="page size")] = 20,
    cursor: Annotated[
        str | None, typer.Option(help="resume after a page (the cursor the last page printed)")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Stored clusters, highest score first."""
    with _store() as store:
        page = list_clusters(store, status=status, min_score=min_score, limit=limit, cursor=cursor)
    if as_json:
        _print_json(page.model_dump(mode="json"))
        return
    table = Table(title=f"shell clusters: {len(page.items)} of {page.total}")
    for column in ("cluster", "score", "members", "status", "reasons"):
        table.add_column(column)
    for c in page.items:
        table.add_row(
            c.uid, f"{c.score:.2f}", str(c.size), c.status.value, escape("; ".join(c.reasons))
        )
    console.print(table)
    if page.next:
        console.print(f"[dim]more: credgraph shells list --cursor {page.next}[/]")


def _print_cluster(c: ClusterDetail) -> None:
    console.print(
        f"[bold]{c.uid}[/] score {c.score:.2f}, {c.size} members, status [cyan]{c.status.value}[/]"
        + (
            f" by {escape(c.reviewed_by)} ({escape(c.review_reason or '')})"
            if c.reviewed_by
            else ""
        )
    )
    for reason in c.reasons:
        console.print(f"  • {escape(reason)}")
    table = Table()
    for column in ("member", "USCC / registry no.", "established", "status", "similarity"):
        table.add_column(column)
    for m in c.members:
        # a foreign business has no USCC: its uid carries jurisdiction and registry number
        registry = m.uid.removeprefix("biz:") if m.uid.count(":") > 1 else ""
        table.add_row(
            escape(m.name or m.uid),
            m.uscc or registry,
            m.established or "",
            m.status or "",
            f"{m.similarity:.2f}",
        )
    console.print(table)


@shells_app.command("show")
def shells_show(
    cluster: Annotated[str, typer.Argument(help="cluster id (shell:… or the bare id)")],
    as_json: JsonOption = False,
) -> None:
    """One cluster with its members and reasons."""
    with _store() as store:
        detail = get_cluster(store, cluster)
    if as_json:
        _print_json(detail.model_dump(mode="json"))
    else:
        _print_cluster(detail)


@shells_app.command("review")
def shells_review(
    cluster: Annotated[str, typer.Argument(help="cluster id (shell:… or the bare id)")],
    decision: Annotated[Decision, typer.Option(help="confirm or dismiss")],
    officer: Annotated[str, typer.Option(help="who decides")],
    reason: Annotated[str, typer.Option(help="why")],
) -> None:
    """Confirm or dismiss a cluster; later detection runs keep the decision."""
    with _store() as store:
        detail = review_cluster(store, cluster, decision, officer, reason)
    log_decisions(rec.shell_reviewed(rec.cli_actor(officer), detail.uid, decision.value, reason))
    _print_cluster(detail)


def register(app: typer.Typer) -> None:
    """Add ``ownership``, ``shells``, ``controllers`` and ``detect shells`` to the main app."""
    app.command("ownership")(ownership_command)
    app.add_typer(shells_app, name="shells")
    app.add_typer(controllers_app, name="controllers")
