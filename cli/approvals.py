"""``credgraph approvals list|show|approve|reject`` and the preview every punishing command
prints first (proportionate confirmation, two-person rule).

``rings confirm`` and ``list add`` print what they would impose (subjects and measures per
rule, by name, with counts, and the approval threshold that applied) and apply only with
``--yes`` (or a ``y`` at the prompt). Above the threshold they store a pending approval
instead, with the officer and the reason; a second, different officer approves it here.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from algorithms.propagation.proportion import ActionPreview
from algorithms.propagation.rules import RuleSet
from api import approvals
from api.app import api_db_path
from api.ledger import record as rec
from cli.audit import log_decisions
from cli.common import current_settings
from cli.common import print_json as _print_json
from cli.common import store_session as _store
from graph.errors import CreditGraphError
from graph.store import GraphStore

__all__ = ["approvals_app", "confirm_or_request", "print_preview", "register"]

console = Console()
#: Subjects named per rule at the terminal (``--json`` has the preview's full list).
_SHOWN = 10

approvals_app = typer.Typer(
    name="approvals",
    help="Actions waiting for a second officer (two-person rule): list, show, approve, reject.",
    no_args_is_help=True,
)

JsonOption = Annotated[bool, typer.Option("--json", help="machine-readable output")]
IdArg = Annotated[int, typer.Argument(min=1, help="the approval's number")]
OfficerOption = Annotated[str, typer.Option("--officer", help="who decides (a named officer)")]
ReasonOption = Annotated[str, typer.Option("--reason", help="the written reason")]


def _open() -> approvals.ApprovalStore:
    return approvals.ApprovalStore(api_db_path(current_settings()))


def print_preview(preview: ActionPreview, lang: str = "zh") -> None:
    """The preview as a person reads it: per rule, the measures and the subjects by name."""
    zh = lang == "zh"
    console.print(
        f"[bold]{'预览（尚未执行）' if zh else 'Preview (nothing applied yet)'}[/]: "
        + (
            f"{preview.listings} 项列入，限制 {preview.subjects} 个主体，"
            f"共 {preview.restrictions} 项措施"
            if zh
            else f"{preview.listings} listings, {preview.subjects} subjects restricted, "
            f"{preview.restrictions} measures in all"
        ),
        highlight=False,
    )
    for rule in preview.rules:
        heading = (
            f"{rule.description_zh if zh else rule.description_en} "
            f"({rule.subjects} {'个主体' if zh else 'subjects'})"
        )
        console.print(f"[bold]{escape(heading)}[/]", soft_wrap=True, highlight=False)
        table = Table()
        table.add_column("措施" if zh else "measure")
        table.add_column("主体数" if zh else "subjects", justify="right")
        for m in rule.measures:
            table.add_row(escape(m.name_zh if zh else m.name_en), str(m.subjects))
        console.print(table)
        names = [
            f"{n.name}（{n.kind_zh}）" if zh else f"{n.name} ({n.kind_en})" for n in rule.names
        ]
        more = rule.subjects - min(len(names), _SHOWN)
        line = "、".join(names[:_SHOWN]) if zh else ", ".join(names[:_SHOWN])
        if more > 0:
            line += f" 等另 {more} 个" if zh else f" and {more} more"
        console.print("  " + escape(line), highlight=False, soft_wrap=True)
    for note in preview.notes:
        console.print(f"[yellow]{escape(note.zh if zh else note.en)}[/]", highlight=False)
    limit = preview.limit
    console.print(f"[dim]{escape(limit.zh if zh else limit.en)}[/]", highlight=False)
    for basis in limit.legal_basis:
        console.print(f"[dim]  {escape(basis)}[/]", highlight=False)


def confirm_or_request(
    store: GraphStore,
    action: str,
    target: str,
    payload: Mapping[str, Any],
    preview: ActionPreview,
    *,
    officer: str | None,
    reason: str | None,
    yes: bool,
    as_json: bool,
    rules: RuleSet | None = None,
    rules_file: Path | None = None,
) -> tuple[Any, approvals.Approval | None]:
    """Apply the previewed action (after ``--yes`` or the prompt), or store it for a
    second officer when it needs one; returns the result or the pending approval."""
    if not as_json:
        print_preview(preview)
    if preview.needs_approval and not ((officer or "").strip() and (reason or "").strip()):
        console.print(
            "[bold red]error:[/] this action needs a second officer's approval: "
            "give --officer and --reason to request it",
            soft_wrap=True,
        )
        raise typer.Exit(code=2)
    if not yes:
        question = "Request a second officer's approval?" if preview.needs_approval else "Apply it?"
        if not typer.confirm(question, default=False):
            console.print("nothing applied")
            raise typer.Exit(code=1)
    actor = rec.cli_actor(officer)
    if preview.needs_approval:
        book = _open()
        try:
            pending = book.request(
                action,
                target,
                payload,
                preview,
                officer=officer or "",
                reason=reason or "",
            )
        except CreditGraphError as exc:
            console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
            raise typer.Exit(code=2) from exc
        finally:
            book.close()
        log_decisions(approvals.approval_decision(actor, pending))
        if not as_json:
            console.print(
                f"[bold]approval {pending.id}[/] pending: a second, different officer runs "
                f"`credgraph approvals approve {pending.id} --officer NAME --reason TEXT`",
                soft_wrap=True,
            )
        return None, pending
    result, decision = approvals.apply_action(store, action, payload, actor, rules)
    log_decisions(decision, rules=rules_file)
    return result, None


def _show(a: approvals.Approval) -> None:
    console.print(
        f"[bold]approval {a.id}[/] {a.action} {escape(a.target)}: {a.status}; "
        f"{a.subjects} subjects (threshold {a.threshold})"
    )
    console.print(
        f"requested by {escape(a.requested_by)} at {a.requested_at}: {escape(a.request_reason)}"
    )
    if a.decided_by:
        console.print(
            f"{a.status} by {escape(a.decided_by)} at {a.decided_at}: "
            f"{escape(a.decision_reason or '')}"
        )
    print_preview(ActionPreview.model_validate_json(a.preview))


@approvals_app.command("list")
def list_command(
    status: Annotated[str, typer.Option(help="pending, approved or rejected")] = "pending",
    as_json: JsonOption = False,
) -> None:
    """Approvals, oldest first (pending ones by default)."""
    book = _open()
    try:
        found = book.find(status=status)
    except CreditGraphError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(code=2) from exc
    finally:
        book.close()
    if as_json:
        _print_json([a.to_dict() for a in found])
        return
    table = Table(title=f"approvals ({status})")
    for column in ("id", "action", "subjects", "threshold", "requested by", "reason"):
        table.add_column(column)
    for a in found:
        table.add_row(
            str(a.id),
            a.action,
            str(a.subjects),
            str(a.threshold),
            escape(a.requested_by),
            escape(a.request_reason),
        )
    console.print(table)


@approvals_app.command("show")
def show_command(approval: IdArg, as_json: JsonOption = False) -> None:
    """One approval: the action, its preview, who asked and why, the decision."""
    book = _open()
    try:
        found = book.get(approval)
    except CreditGraphError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(code=2) from exc
    finally:
        book.close()
    if as_json:
        _print_json(found.to_dict())
    else:
        _show(found)


@approvals_app.command("approve")
def approve_command(
    approval: IdArg, officer: OfficerOption, reason: ReasonOption, as_json: JsonOption = False
) -> None:
    """A second officer approves: the action is applied whole. The requester cannot."""
    book = _open()
    try:
        with _store() as store:
            done, result, decisions = approvals.approve(
                book, store, approval, officer, reason, rec.cli_actor(officer)
            )
    finally:
        book.close()
    log_decisions(*decisions, rules=None)
    if as_json:
        _print_json({"approval": done.to_dict(), "result": result.model_dump(mode="json")})
        return
    console.print(
        f"[bold]approval {done.id}[/] approved by {escape(officer)}; {done.action} applied"
    )


@approvals_app.command("reject")
def reject_command(
    approval: IdArg, officer: OfficerOption, reason: ReasonOption, as_json: JsonOption = False
) -> None:
    """Reject (or, by its requester, withdraw) a pending action; nothing is applied."""
    book = _open()
    try:
        done, decision = approvals.reject(book, approval, officer, reason, rec.cli_actor(officer))
    except CreditGraphError as exc:
        console.print(f"[bold red]error:[/] {escape(str(exc))}", soft_wrap=True)
        raise typer.Exit(code=2) from exc
    finally:
        book.close()
    log_decisions(decision)
    if as_json:
        _print_json(done.to_dict())
    else:
        console.print(f"[bold]approval {done.id}[/] rejected by {escape(officer)}")


def register(app: typer.Typer) -> None:
    """Add ``credgraph approvals ...`` to the CLI."""
    app.add_typer(approvals_app, name="approvals")
