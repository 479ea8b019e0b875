"""``credgraph propagate | status | explain | changes | list add|remove|repair``: joint punishment.

The commands reach the configured store through :func:`cli.main.open_store` (imported when
a command runs, since ``cli.main`` imports this module to register it).
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from algorithms.propagation import decisions, service
from algorithms.propagation.engine import Listing
from algorithms.propagation.rules import RuleSet, default_rules, load_rules
from api import approvals
from api.ledger import record as rec
from cli.approvals import confirm_or_request
from cli.audit import log_decisions, log_rules
from cli.common import current_settings
from cli.common import parse_day as _day
from cli.common import parse_moment as _moment
from cli.common import print_json as _dump
from cli.common import resolve_uid as _resolve
from cli.common import store_session as _store

__all__ = ["list_app", "punish_app", "register"]

punish_app = typer.Typer(
    name="punish",
    help="Joint punishment (联合惩戒): propagate restrictions, check status, explain.",
    no_args_is_help=True,
)
list_app = typer.Typer(
    name="list",
    help="Put entities on credit lists, take them off, repair credit.",
    no_args_is_help=True,
)
console = Console()

RulesOption = Annotated[
    Path | None,
    typer.Option("--rules", help="rules file (default: the shipped default_rules.yaml)"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def _rules(path: Path | None) -> RuleSet:
    return load_rules(path) if path is not None else default_rules()


def _print_report(report: service.PropagationReport) -> None:
    table = Table(title=f"propagation ({report.mode})", show_header=False)
    for key, value in report.model_dump().items():
        table.add_row(key, "" if value is None else str(value))
    console.print(table)


def _disputes() -> dict[str, list[int]]:
    """Open objections by target, from the API's SQLite file."""
    from api.app import api_db_path
    from api.objections import open_disputes

    return open_disputes(api_db_path(current_settings()))


def _disputed_text(ids: tuple[int, ...]) -> str:
    """``disputed (objection 3) / 异议审查中`` for a restriction under open objections."""
    if not ids:
        return ""
    numbers = ", ".join(str(i) for i in ids)
    return f"异议审查中 disputed (objection {numbers})"


# -- commands ------------------------------------------------------------------------------
def propagate(
    full: Annotated[
        bool, typer.Option("--full", help="recompute every listing over the current graph")
    ] = False,
    rules: RulesOption = None,
    as_json: JsonOption = False,
) -> None:
    """Bring materialised restrictions up to date (changed listings only, or --full)."""
    batch_rows = current_settings().propagation_batch_rows
    with _store() as store:
        report = service.propagate_store(store, _rules(rules), full=full, batch_rows=batch_rows)
    log_rules(rules)
    if as_json:
        _dump(report.model_dump())
    else:
        _print_report(report)


def status(
    entity: Annotated[str, typer.Argument(help="uid, USCC, id number or platform:shop_id")],
    at: Annotated[str | None, typer.Option("--at", help="as of this date (default today)")] = None,
    known_at: Annotated[
        str | None,
        typer.Option("--known-at", help="as the system knew it at this time (default now)"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Is this business, person or store restricted, by which measures, until when?"""
    with _store() as store:
        result = service.status(
            store, _resolve(store, entity), _day(at), _moment(known_at), disputes=_disputes()
        )
    if as_json:
        _dump(result.model_dump(mode="json", exclude={"restrictions": {"__all__": {"paths"}}}))
        return
    when = f"on {result.at}" + (f", as known at {result.known_at}" if result.known_at else "")
    if not result.restricted:
        console.print(f"[green]{escape(result.uid)}: not restricted[/] {when}")
        return
    table = Table(title=f"{result.uid}: restricted {when}")
    for column in ("measure", "措施", "list", "rule", "listing", "from", "to", "paths", "异议"):
        table.add_column(column)
    for r in result.restrictions:
        table.add_row(
            r.measure,
            r.measure_name_zh,
            r.list_type,
            r.rule_id.partition(".")[2],
            r.listing_uid,
            str(r.valid_from),
            str(r.valid_to or "—"),
            str(r.path_count),
            _disputed_text(r.disputed_by),
        )
    console.print(table)


def explain(
    entity: Annotated[str, typer.Argument(help="uid, USCC, id number or platform:shop_id")],
    at: Annotated[str | None, typer.Option("--at", help="as of this date (default today)")] = None,
    english: Annotated[bool, typer.Option("--en", help="paths in English")] = False,
    as_json: JsonOption = False,
) -> None:
    """Why an entity is restricted: each measure, its rule, legal basis and the paths."""
    with _store() as store:
        uid = _resolve(store, entity)
        found = service.explain(store, uid, _day(at), disputes=_disputes())
    if as_json:
        _dump([e.model_dump(mode="json") for e in found])
        return
    if not found:
        console.print(f"[green]{escape(uid)}: not restricted[/]")
        return
    for e in found:
        name = e.measure_name_en if english else e.measure_name_zh
        console.rule(f"[bold]{escape(name)}[/] ({e.measure})")
        console.print(
            f"rule {e.rule_id} · listing {e.listing_uid} · {e.valid_from} → {e.valid_to or '…'}"
        )
        if e.disputed_by:
            console.print(f"  [yellow]{_disputed_text(e.disputed_by)}[/]")
        for basis in e.legal_basis:
            console.print(f"  依据 {escape(basis)}")
        for p in e.paths:
            console.print("  " + escape(p.en if english else p.zh))
        if e.path_count > len(e.paths):
            console.print(f"  … {e.path_count - len(e.paths)} more paths")


def changes(
    since: Annotated[int, typer.Option("--since", help="last sequence number already seen")] = 0,
    limit: Annotated[int, typer.Option(help="at most this many events")] = 50,
    as_json: JsonOption = False,
) -> None:
    """The restriction change feed (what platforms poll)."""
    with _store() as store:
        events = service.changes(store, since, limit)
    if as_json:
        _dump([e.model_dump(mode="json") for e in events])
        return
    table = Table(title=f"changes after {since}")
    for column in ("seq", "kind", "subject", "measure", "valid", "reason"):
        table.add_column(column)
    for e in events:
        table.add_row(
            str(e.seq),
            e.kind,
            e.subject_uid,
            e.measure,
            f"{e.valid_from}→{e.valid_to or '…'}",
            e.reason,
        )
    console.print(table)


@list_app.command("add")
def list_add(
    entity: Annotated[str, typer.Argument(help="the listed business, person or store")],
    list_type: Annotated[str, typer.Argument(help="e.g. judgment_defaulter, serious_dishonesty")],
    decided: Annotated[str, typer.Option(help="decision date (YYYY-MM-DD)")],
    listing_id: Annotated[
        str | None, typer.Option("--id", help="listing id (default: generated)")
    ] = None,
    expires: Annotated[str | None, typer.Option(help="expiry date")] = None,
    authority: Annotated[str | None, typer.Option(help="deciding authority")] = None,
    legal_basis: Annotated[str | None, typer.Option(help="legal basis of the decision")] = None,
    region: Annotated[str | None, typer.Option(help="6-digit division code")] = None,
    rules: RulesOption = None,
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
    """Put an entity on a list: preview what it imposes (per rule, by name), then propagate;
    above the approval threshold, wait for a second officer (credgraph approvals)."""
    decided_on = _day(decided)
    assert decided_on is not None
    with _store() as store:
        uid = _resolve(store, entity)
        ident = listing_id or f"{list_type}-{uid.partition(':')[2]}-{decided_on:%Y%m%d}"
        listing = Listing(
            uid=f"listing:{ident}",
            subject_uid=uid,
            list_type=list_type,
            decided=decided_on,
            expires=_day(expires),
            legal_basis=legal_basis,
        )
        ruleset = _rules(rules)
        service.check_new_listing(store, listing, ruleset)
        preview = approvals.listing_add_preview(
            store, listing, approval_above=current_settings().approval_above, rules=ruleset
        )
        payload = approvals.listing_payload(listing, authority=authority, region=region)
        payload["rules"] = None if rules is None else str(rules)
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
            rules=ruleset,
            rules_file=rules,
        )
    if pending is not None:
        return
    console.print(f"listed {escape(uid)} as {listing.uid}")
    _print_report(report)


def _take_off(listing: str, on: str | None, reason: str, rules: Path | None) -> None:
    day = _day(on) or date.today()
    uid = listing if listing.startswith("listing:") else f"listing:{listing}"
    with _store() as store:
        report = decisions.remove_listing(store, uid, day, reason, _rules(rules))
    console.print(f"{uid}: {reason} on {day}")
    log_decisions(rec.listing_removed(rec.cli_actor(), uid, day, reason, report), rules=rules)
    _print_report(report)


@list_app.command("remove")
def list_remove(
    listing: Annotated[str, typer.Argument(help="listing uid or id")],
    on: Annotated[str | None, typer.Option(help="removal date (default today)")] = None,
    reason: Annotated[
        str,
        typer.Option(help="removed | expired | repaired | error | objection_upheld | revoked"),
    ] = "removed",
    rules: RulesOption = None,
) -> None:
    """Take a listing off its list; error/objection_upheld/revoked retract it from the start."""
    _take_off(listing, on, reason, rules)


@list_app.command("repair")
def list_repair(
    listing: Annotated[str, typer.Argument(help="listing uid or id")],
    on: Annotated[str | None, typer.Option(help="repair date (default today)")] = None,
    rules: RulesOption = None,
) -> None:
    """Credit repair (信用修复): the listing and what followed from it end on that date."""
    _take_off(listing, on, "repaired", rules)


for _command in (propagate, status, explain, changes):
    punish_app.command()(_command)
punish_app.add_typer(list_app, name="list")


def register(app: typer.Typer) -> None:
    """Add the joint-punishment commands to the ``credgraph`` CLI."""
    app.command()(propagate)
    app.command()(status)
    app.command()(explain)
    app.command()(changes)
    app.add_typer(list_app, name="list")
