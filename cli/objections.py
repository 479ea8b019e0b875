"""``credgraph objections file|list|show|review|decide``: objections (异议) by officers."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from algorithms.propagation import service
from algorithms.propagation.rules import RuleSet, default_rules, load_rules
from api.app import api_db_path
from api.ledger import record as rec
from api.objections import (
    Objection,
    ObjectionStore,
    apply_decision,
    check_decision,
    recover_decisions,
)
from cli.audit import log_decisions
from cli.common import current_settings
from cli.common import parse_day as _day
from cli.common import print_json as _print_json
from cli.common import store_session as _store
from graph.store import GraphStore

__all__ = ["objections_app", "register"]

console = Console()

objections_app = typer.Typer(
    name="objections",
    help="Objections (异议) against listings, restrictions and links: file, review, decide.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="machine-readable output")]


def _open() -> ObjectionStore:
    settings = current_settings()
    return ObjectionStore(api_db_path(settings), review_days=settings.objection_review_days)


def _show(o: Objection) -> None:
    table = Table(title=f"objection {o.id}", show_header=False)
    for key, value in o.to_dict().items():
        table.add_row(key, "" if value is None else escape(str(value)))
    console.print(table)


@objections_app.command("file")
def file_command(
    target: Annotated[str, typer.Argument(help="listing uid, restriction uid, or link rid")],
    subject: Annotated[str, typer.Option(help="the entity uid the objection is made for")],
    grounds: Annotated[str, typer.Option(help="what the subject says is wrong")],
    officer: Annotated[str, typer.Option(help="the officer filing on the subject's behalf")],
    kind: Annotated[str, typer.Option(help="listing | restriction | link")] = "listing",
    on: Annotated[str | None, typer.Option(help="filing date (default today)")] = None,
    as_json: JsonOption = False,
) -> None:
    """File an objection on a subject's behalf; it must be decided by its deadline."""
    store = _open()
    try:
        o = store.file(
            target_kind=kind,
            target=target,
            subject=subject,
            filed_by=f"officer:{officer}",
            filed_via="cli",
            grounds=grounds,
            on=_day(on),
        )
    finally:
        store.close()
    with _store() as graph:  # the feed says which restrictions are now disputed
        service.note_dispute(graph, o.id, o.target_kind, o.target, o.subject)
    if as_json:
        _print_json(o.to_dict())
    else:
        console.print(f"objection {o.id} filed against {escape(o.target)}; decide by {o.deadline}")


@objections_app.command("list")
def list_command(
    status: Annotated[str | None, typer.Option(help="filed, under_review, upheld, ...")] = None,
    target: Annotated[str | None, typer.Option(help="only objections against this")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_json: JsonOption = False,
) -> None:
    """Objections, newest first."""
    store = _open()
    try:
        found = store.find(status=status, target=target, limit=limit)
    finally:
        store.close()
    if as_json:
        _print_json([o.to_dict() for o in found])
        return
    table = Table(title="objections")
    for column in ("id", "status", "kind", "target", "subject", "filed", "deadline"):
        table.add_column(column)
    for o in found:
        table.add_row(
            str(o.id),
            o.status,
            o.target_kind,
            escape(o.target),
            escape(o.subject),
            o.filed,
            o.deadline,
        )
    console.print(table)


@objections_app.command("show")
def show_command(
    objection_id: Annotated[int, typer.Argument(help="objection id")],
    as_json: JsonOption = False,
) -> None:
    """One objection with its state, deadline and decision."""
    store = _open()
    try:
        o = store.get(objection_id)
    finally:
        store.close()
    if as_json:
        _print_json(o.to_dict())
    else:
        _show(o)


@objections_app.command("review")
def review_command(
    objection_id: Annotated[int, typer.Argument(help="objection id")],
    officer: Annotated[str, typer.Option(help="the reviewing officer")],
) -> None:
    """Take a filed objection under review."""
    store = _open()
    try:
        o = store.review(objection_id, officer)
    finally:
        store.close()
    console.print(f"objection {o.id} under review by {escape(o.reviewer or '')}")


@objections_app.command("decide")
def decide_command(
    objection_id: Annotated[int, typer.Argument(help="objection id")],
    outcome: Annotated[str, typer.Argument(help="upheld | partly_upheld | rejected")],
    officer: Annotated[str, typer.Option(help="the deciding officer")],
    reason: Annotated[str, typer.Option(help="the written reason given to the subject")],
    scope: Annotated[str | None, typer.Option(help="link objections: all | listing | rule")] = None,
    scope_value: Annotated[
        str | None, typer.Option(help="the listing uid or rule id the scope names")
    ] = None,
    on: Annotated[str | None, typer.Option(help="decision date (default today)")] = None,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="rules file (default: the shipped one)")
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """Decide an objection; an upheld listing objection removes the listing
    (reason ``objection_upheld``); an upheld link objection excludes the link from
    propagation in the scope given and lifts exactly what depended on it. The decision goes
    to the decision log."""
    store = _open()
    ruleset = load_rules(rules) if rules is not None else default_rules()
    try:
        with _store() as graph:
            _recover(store, graph, ruleset, officer)
            check_decision(graph, store.get(objection_id), outcome, scope, scope_value, ruleset)
        o = store.decide(
            objection_id,
            outcome,
            officer=officer,
            reason=reason,
            scope=scope,
            scope_value=scope_value,
            on=_day(on),
        )
        with _store() as graph:
            report = apply_decision(graph, o, ruleset)
        log_decisions(
            rec.objection_decided(rec.cli_actor(officer), o, report),
            rules=rules if report is not None else False,
        )
        store.mark_applied(o.id)
    finally:
        store.close()
    if as_json:
        _print_json({**o.to_dict(), "propagation": None if report is None else report.model_dump()})
    else:
        _show(o)


def _recover(store: ObjectionStore, graph: GraphStore, rules: RuleSet, officer: str) -> int:
    """Carry out and log decisions a crash left half done; how many there were."""
    done = recover_decisions(store, graph, rules)
    for o, report in done:
        log_decisions(rec.objection_decided(rec.cli_actor(officer), o, report))
        store.mark_applied(o.id)
        console.print(f"objection {o.id}: decision ({o.status}) carried out after a crash")
    return len(done)


@objections_app.command("recover")
def recover_command(
    officer: Annotated[str, typer.Option(help="the officer running the recovery")],
    rules: Annotated[
        Path | None, typer.Option("--rules", help="rules file (default: the shipped one)")
    ] = None,
) -> None:
    """Carry out decisions a crash left half done (also done before every decision)."""
    store = _open()
    ruleset = load_rules(rules) if rules is not None else default_rules()
    try:
        with _store() as graph:
            count = _recover(store, graph, ruleset, officer)
    finally:
        store.close()
    if not count:
        console.print("no decision left half done")


def register(app: typer.Typer) -> None:
    """Add ``credgraph objections`` to the CLI."""
    app.add_typer(objections_app, name="objections")
