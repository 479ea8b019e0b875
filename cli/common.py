"""What every ``credgraph`` command shares: settings, the store session, argument parsing.

Feature modules (``cli/*.py``) import from here rather than from ``cli.main``, which
imports them to register their commands.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape

from graph.config import Settings
from graph.errors import CreditGraphError
from graph.factory import open_store as _open_store
from graph.lookup import resolve_entity
from graph.redact import redact
from graph.store import GraphStore

__all__ = [
    "console",
    "current_settings",
    "open_store",
    "parse_day",
    "parse_moment",
    "print_json",
    "resolve_uid",
    "store_session",
    "use_settings",
    "use_store",
]

console = Console()
_state: dict[str, Settings] = {}


def current_settings() -> Settings:
    """The settings for this invocation (environment, then command-line overrides)."""
    if "settings" not in _state:
        _state["settings"] = Settings()
    return _state["settings"]


def use_settings(settings: Settings) -> None:
    """Run the following commands with these settings (tests, embedding programs)."""
    _state["settings"] = settings


def use_store(store: str | None) -> None:
    """Override the configured store kind for this invocation."""
    if store is not None:
        if store not in ("embedded", "neo4j"):
            raise typer.BadParameter("--store must be embedded or neo4j")
        _state["settings"] = current_settings().model_copy(update={"store": store})


def open_store(*, for_ingest: bool = False) -> GraphStore:
    """Open the store the current settings name (``for_ingest``: with the ingest's pool)."""
    return _open_store(current_settings(), for_ingest=for_ingest)


@contextmanager
def store_session() -> Iterator[GraphStore]:
    """The configured store; domain errors become a plain message and exit code 2."""
    try:
        with open_store() as store:
            yield store
    except CreditGraphError as exc:
        console.print(f"[bold red]error:[/] {escape(redact(str(exc), mask=True))}", soft_wrap=True)
        raise typer.Exit(code=2) from exc


def resolve_uid(store: GraphStore, text: str) -> str:
    """A uid from a uid, USCC, id number or platform:shop_id."""
    key = current_settings().id_hash_key.get_secret_value()
    return resolve_entity(store, text, key).uid


def parse_day(text: str | None) -> date | None:
    """A ``YYYY-MM-DD`` option as a date."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not a date (YYYY-MM-DD)") from exc


def parse_moment(text: str | None) -> datetime | None:
    """A ``YYYY-MM-DDTHH:MM:SS`` option as a datetime."""
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text)
    except ValueError as exc:
        raise typer.BadParameter(f"{text!r} is not a time (YYYY-MM-DDTHH:MM:SS)") from exc


def print_json(value: Any) -> None:
    """Machine-readable output (UTF-8, dates as ISO text)."""
    console.print_json(json.dumps(value, default=str, ensure_ascii=False))
