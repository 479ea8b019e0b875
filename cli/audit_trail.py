"""``credgraph audit-trail compact``: apply the API audit trail's retention now.

The API's audit trail (who asked about whom, ``api/audit.py``) is operational data with a
retention; the decision log (``credgraph audit ...``) is kept forever and never compacted.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from api.audit import AuditLog
from cli.main import console, current_settings
from cli.serve import DbOption, resolve_db

__all__ = ["audit_trail_app", "register"]

audit_trail_app = typer.Typer(
    help="The API's audit trail: retention and compaction.", no_args_is_help=True
)


@audit_trail_app.command("compact")
def compact(
    days: Annotated[
        int | None,
        typer.Option(min=1, help="keep this many days (default CREDGRAPH_AUDIT_RETENTION_DAYS)"),
    ] = None,
    vacuum: Annotated[
        bool, typer.Option("--vacuum", help="rewrite the file to return the space to the disk")
    ] = False,
    db: DbOption = None,
) -> None:
    """Delete audit rows older than the retention, with their per-subject rows."""
    settings = current_settings()
    path: Path = resolve_db(db)
    log = AuditLog(path, key=settings.id_hash_key.get_secret_value())
    try:
        done = log.compact(days or settings.audit_retention_days, vacuum=vacuum)
    finally:
        log.close()
    console.print(
        f"audit rows before {done.cutoff}: {done.audit_rows_deleted:,} deleted "
        f"({done.subject_rows_deleted:,} subject rows); "
        f"{done.bytes_before / 1e6:,.1f} MB → {done.bytes_after / 1e6:,.1f} MB",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Add ``audit-trail`` to the ``credgraph`` CLI."""
    app.add_typer(audit_trail_app, name="audit-trail")
