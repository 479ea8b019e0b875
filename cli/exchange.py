"""``credgraph export``: the graph as FollowTheMoney entities (JSON lines)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Literal

import typer
from rich.console import Console

from cli.common import store_session as _store
from ingest.ftm_export import export_ftm

__all__ = ["export_command", "register"]

console = Console(stderr=True)


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
        if output is None:
            summary = export_ftm(store, sys.stdout)
        else:
            with output.open("w", encoding="utf-8") as out:
                summary = export_ftm(store, out)
    counts = ", ".join(f"{n:,} {schema}" for schema, n in sorted(summary.by_schema.items()))
    console.print(f"exported {summary.total:,} FollowTheMoney entities ({counts})")


def register(app: typer.Typer) -> None:
    """Add ``credgraph export``."""
    app.command("export")(export_command)
