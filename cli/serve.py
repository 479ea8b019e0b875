"""``credgraph serve`` (the HTTP API under uvicorn) and ``credgraph keys`` (API keys)."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from api.ledger import record as rec
from api.security import KeyStore, Scope
from cli.audit import log_decisions
from cli.main import console, current_settings, fail, open_store
from graph.errors import CreditGraphError

__all__ = ["API_DB_ENV", "DbOption", "keys_app", "log_config", "register", "resolve_db"]

#: Overrides where keys, audit and feedback are kept (default: beside the embedded graph).
API_DB_ENV = "CREDGRAPH_API_DB"

keys_app = typer.Typer(help="API keys: create (shown once), list, revoke.", no_args_is_help=True)

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help=f"API database file (default ${API_DB_ENV} or beside the graph)"),
]


def resolve_db(db: Path | None) -> Path:
    """The API database: ``--db``, else ``$CREDGRAPH_API_DB``, else beside the graph."""
    return _db(db)


def _db(db: Path | None) -> Path:
    from api.app import api_db_path

    if db is not None:
        return db
    env = os.environ.get(API_DB_ENV)
    return Path(env) if env else api_db_path(current_settings())


def log_config() -> dict[str, Any]:
    """uvicorn's logging config with person ids redacted from the access log."""
    from uvicorn.config import LOGGING_CONFIG

    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["redact"] = {"()": "graph.redact.RedactingFilter"}
    for handler in config["handlers"].values():
        handler["filters"] = ["redact"]
    return config


def serve(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    access_log: Annotated[
        bool, typer.Option(help="uvicorn access log (the audit trail is kept regardless)")
    ] = True,
    db: DbOption = None,
) -> None:
    """Serve the CreditGraph API (one process: the embedded store has one writer)."""
    import uvicorn

    from api.app import create_app

    # Opened here, not in the app's startup, so that a store another process holds is one
    # plain line and exit code 2 instead of a failed startup's trace. The embedded store is
    # served by a supervised worker process (graph/worker_store.py) unless
    # CREDGRAPH_STORE_WORKER=false: a native fault in the engine then ends the worker only.
    settings = current_settings()
    try:
        if settings.store == "embedded" and settings.store_worker:
            from graph.worker_store import open_worker_store

            store = open_worker_store(settings)
        else:
            store = open_store()
    except CreditGraphError as exc:
        raise fail(exc) from exc
    # The app closes it at shutdown (uvicorn re-raises SIGTERM once the app has stopped).
    app = create_app(settings, store, api_db=_db(db), close_store=True)
    uvicorn.run(app, host=host, port=port, log_config=log_config(), access_log=access_log)


@keys_app.command("create")
def create_key(
    scope: Annotated[Scope, typer.Option(help="platform, officer or brand")],
    name: Annotated[str, typer.Option(help="who holds it; for platforms, the platform name")],
    brand: Annotated[
        list[str] | None, typer.Option("--brand", help="brand uid a brand key acts for")
    ] = None,
    rate: Annotated[float, typer.Option(help="requests per second (0: scope default)")] = 0.0,
    burst: Annotated[int, typer.Option(help="burst size (0: scope default)")] = 0,
    db: DbOption = None,
) -> None:
    """Create a key and print it once; only its hash is stored."""
    store = KeyStore(_db(db))
    try:
        created = store.create(name, scope, brands=brand or (), rate=rate, burst=burst)
    except CreditGraphError as exc:
        raise fail(exc) from exc
    finally:
        store.close()
    log_decisions(rec.key_created(rec.cli_actor(), created.key))
    console.print(
        f"[bold]{created.key.scope.value}[/] key [bold]{created.key.key_id}[/] for "
        f"{created.key.name}: store it now, it is not shown again.",
        highlight=False,
    )
    typer.echo(created.token)


@keys_app.command("list")
def list_keys(db: DbOption = None) -> None:
    """Every key (without secrets)."""
    store = KeyStore(_db(db))
    try:
        keys = store.list()
    finally:
        store.close()
    table = Table("id", "name", "scope", "brands", "rate/s", "burst", "created", "revoked")
    for key in keys:
        rate, burst = key.limits
        table.add_row(
            key.key_id,
            key.name,
            key.scope.value,
            ", ".join(key.brands),
            f"{rate:g}",
            str(burst),
            key.created,
            key.revoked or "",
        )
    console.print(table)


@keys_app.command("revoke")
def revoke_key(
    key_id: Annotated[str, typer.Argument(help="the key's id (8 characters after cg_)")],
    db: DbOption = None,
) -> None:
    """Revoke a key; servers stop accepting it within seconds."""
    store = KeyStore(_db(db))
    try:
        key = store.revoke(key_id)
    except CreditGraphError as exc:
        raise fail(exc) from exc
    finally:
        store.close()
    log_decisions(rec.key_revoked(rec.cli_actor(), key))
    console.print(f"revoked {key.key_id} ({key.name})")


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``keys`` to the ``credgraph`` CLI."""
    app.command("serve")(serve)
    app.add_typer(keys_app, name="keys")
