"""``credgraph detect agents``: formation agents and addresses that serve many companies."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from algorithms.shells.agents import AgentParams
from algorithms.shells.service import formation_agents
from cli.common import parse_day as _day
from cli.common import print_json as _print_json
from cli.common import store_session as _store
from cli.detect import detect_app

__all__ = ["register"]

console = Console()


@detect_app.command("agents")
def detect_agents_command(
    min_companies: Annotated[
        int, typer.Option("--min-companies", min=2, help="smallest group reported")
    ] = 10,
    window: Annotated[int, typer.Option("--window", min=1, help="burst window in days")] = 30,
    top: Annotated[int, typer.Option("--top", min=1, max=1000, help="findings shown")] = 20,
    at: Annotated[
        str | None, typer.Option(help="as of this date (YYYY-MM-DD); default today")
    ] = None,
    english: Annotated[bool, typer.Option("--en", help="reasons in English")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Formation agents (and registered-office addresses) that formed many companies, ranked."""
    from datetime import date

    params = AgentParams(
        at=_day(at) or date.today(), min_companies=min_companies, window_days=window
    )
    with _store() as store:
        found = formation_agents(store, params, limit=top)
    if as_json:
        _print_json([f.model_dump(mode="json") for f in found])
        return
    if not found:
        console.print(f"no agent or address formed {min_companies} companies or more")
        return
    table = Table(title="formation agents and registered offices (注册代理集中)")
    for column in ("score", "companies", f"within {window} d", "reason"):
        table.add_column(column, justify="right" if column != "reason" else "left")
    for f in found:
        reason = f.reason_en if english else f.reason_zh
        table.add_row(f"{f.score:.2f}", f"{f.companies:,}", f"{f.burst:,}", escape(reason))
    console.print(table)


def register(app: typer.Typer) -> None:
    """The command is on ``detect_app``, which ``cli.detect`` adds to the main app."""
