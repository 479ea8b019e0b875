"""Who holds the embedded store: a holder file beside the database, and the message a second
writer gets.

LadybugDB lets one process open a database for writing and refuses the next with a
multi-line lock error. The process that opens it writes ``<database>.holder`` (JSON: pid,
command, since), and removes it on close; a process refused the lock reads it and says in
one line who holds the store and what to do. A holder file left by a killed process is
harmless: it is believed only when its pid is the one the engine names, or is alive.

The command recorded is the program and its sub-command only (``credgraph serve``), never
the rest of the command line, which may carry an id number.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sys
from datetime import UTC, datetime
from pathlib import Path

__all__ = [
    "alive",
    "holder_path",
    "locked_message",
    "release",
    "release_for",
    "set_command",
    "take",
]

_COMMAND: list[str] = []
_WORD = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")
_LOCK_PID = re.compile(r"held by PID (\d+)", re.IGNORECASE)


def holder_path(database: Path) -> Path:
    """Where the holder of ``database`` is recorded."""
    return database.with_name(database.name + ".holder")


def set_command(command: str) -> None:
    """Name this process in holder files (the CLI sets ``credgraph <command>``)."""
    _COMMAND[:] = [command]


def _program(argv: list[str]) -> str:
    """The program and its first plain word: enough to recognise, nothing personal."""
    if not argv:
        return "python"
    words = [Path(argv[0]).name or "python"]
    if words[0] in ("-c", "-m"):
        words = ["python"]
    rest = [a for a in argv[1:] if not a.startswith("-")]
    if rest and _WORD.match(rest[0]):
        words.append(rest[0])
    return " ".join(words)


def _this_command() -> str:
    return _COMMAND[0] if _COMMAND else _program(sys.argv)


def take(database: Path) -> None:
    """Record this process as the holder of ``database`` (just opened for writing)."""
    record = {
        "pid": os.getpid(),
        "command": _this_command(),
        "since": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
    }
    path = holder_path(database)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with contextlib.suppress(OSError):  # informative only: never stop an open over it
        tmp.write_text(json.dumps(record), encoding="utf-8")
        os.replace(tmp, path)


def release(database: Path) -> None:
    """Remove the holder file if this process wrote it."""
    path = holder_path(database)
    with contextlib.suppress(OSError, ValueError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == os.getpid():
            path.unlink()


def release_for(database: Path, pid: int) -> None:
    """Remove the holder file if it names ``pid`` and that process has ended: what a parent
    does for a child that held the store and was stopped before it could remove it."""
    path = holder_path(database)
    with contextlib.suppress(OSError, ValueError, AttributeError):
        if json.loads(path.read_text(encoding="utf-8")).get("pid") == pid and not alive(pid):
            path.unlink()


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _proc_command(pid: int) -> str | None:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return None
    argv = [a.decode(errors="replace") for a in raw.split(b"\0") if a]
    if len(argv) > 1 and Path(argv[0]).name.startswith("python"):
        argv = argv[1:]
        if argv and argv[0] == "-m" and len(argv) > 1:
            argv = [argv[1], *argv[2:]]
    return _program(argv) if argv else None


def _holder(database: Path, engine_pid: int | None) -> str:
    record: dict[str, object] = {}
    with contextlib.suppress(OSError, ValueError, AttributeError):
        loaded = json.loads(holder_path(database).read_text(encoding="utf-8"))
        if isinstance(loaded, dict):
            record = loaded
    pid = record.get("pid")
    believed = isinstance(pid, int) and (pid == engine_pid or engine_pid is None and alive(pid))
    if believed:
        return f"pid {pid} ({record.get('command', '?')}, since {record.get('since', '?')})"
    if engine_pid is not None:
        command = _proc_command(engine_pid)
        return f"pid {engine_pid}" + (f" ({command})" if command else "")
    return "another process"


def locked_message(database: Path, engine_error: str) -> str | None:
    """One line naming the holder when ``engine_error`` is the engine refusing its lock;
    None for any other error."""
    if "lock" not in engine_error.lower():
        return None
    found = _LOCK_PID.search(engine_error)
    holder = _holder(database, int(found.group(1)) if found else None)
    return (
        f"the embedded store {database} is open for writing in {holder}; "
        "stop that process first, or go through its API"
    )
