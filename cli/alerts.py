"""``credgraph alerts``: scan the change feed for watches reached, list a key's alerts."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from api.alerts import AlertStore
from api.app import api_db_path
from cli.common import current_settings
from cli.common import print_json as _print_json
from cli.common import store_session as _store

__all__ = ["alerts_app", "register"]

console = Console()

alerts_app = typer.Typer(
    name="alerts",
    help="Risk alerts near watched entities (周边风险): scan the feed, list alerts.",
    no_args_is_help=True,
)


@alerts_app.command("scan")
def scan_command() -> None:
    """Scan the restriction change feed now and record the alerts it causes."""
    alerts = AlertStore(api_db_path(current_settings()))
    try:
        with _store() as store:
            new = alerts.scan_all(store)
        console.print(f"{new:,} new alerts; feed scanned to seq {alerts.cursor():,}")
    finally:
        alerts.close()


@alerts_app.command("list")
def list_command(
    key_id: Annotated[str, typer.Argument(help="the API key id whose alerts to show")],
    status: Annotated[str | None, typer.Option(help="open, acknowledged, assigned, closed")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
) -> None:
    """A key's alerts, newest first."""
    alerts = AlertStore(api_db_path(current_settings()))
    try:
        found = alerts.alerts(key_id, status=status, limit=limit)
    finally:
        alerts.close()
    if as_json:
        _print_json([a.__dict__ for a in found])
        return
    table = Table(title=f"alerts of {key_id}")
    for column in ("id", "severity", "status", "watched", "list type", "hops", "path"):
        table.add_column(column)
    for a in found:
        table.add_row(
            str(a.id),
            a.severity,
            a.status,
            escape(a.watched),
            a.list_type,
            str(a.distance),
            escape(" — ".join(a.path)),
        )
    console.print(table)


def register(app: typer.Typer) -> None:
    """Add ``credgraph alerts``."""
    app.add_typer(alerts_app, name="alerts")
