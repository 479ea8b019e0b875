"""The ``credgraph detect`` command group; detection features add their commands to it."""

from __future__ import annotations

import typer

__all__ = ["detect_app", "register"]

detect_app = typer.Typer(
    name="detect",
    help="Detection jobs: shell-entity clusters, brushing (刷单) rings.",
    no_args_is_help=True,
)


def register(app: typer.Typer) -> None:
    """Add ``credgraph detect ...`` to the main app."""
    app.add_typer(detect_app, name="detect")
