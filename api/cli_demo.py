"""``credgraph demo``: the whole pipeline that exists, end to end, on the embedded store.

generate → ingest (with quarantine and reconciliation) → ownership and detection →
propagation → a restriction check and its explanation. Each step is the same code the
individual commands run.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.panel import Panel

__all__ = ["demo", "register"]


def demo(
    entities: Annotated[int, typer.Option(help="businesses to generate")] = 20_000,
    seed: Annotated[int, typer.Option(help="random seed")] = 7,
    input_dir: Annotated[
        Path, typer.Option("--input", help="where the generated input files go")
    ] = Path(".credgraph/demo-input"),
    keep_store: Annotated[
        bool, typer.Option(help="load into the existing store instead of a fresh one")
    ] = False,
) -> None:
    """Run the whole pipeline on generated data in the embedded store."""
    from algorithms.propagation import service
    from api import cli
    from api.cli_punish import explain, status

    settings = cli.current_settings()
    if settings.store != "embedded":
        raise typer.BadParameter("the demo runs on the embedded store (CREDGRAPH_STORE=embedded)")
    started = time.perf_counter()
    cli.console.print(Panel.fit("CreditGraph demo · 信用联合惩戒知识图谱", style="bold"))

    cli.console.rule("1 · generate synthetic input with ground truth")
    if (input_dir / "businesses.csv").is_file() and (input_dir / "ground_truth.json").is_file():
        cli.console.print(f"reusing {input_dir} (delete it to regenerate)")
    else:
        cli.generate(input_dir, entities=entities, seed=seed, fmt="csv")

    cli.console.rule("2 · ingest into the embedded store (LadybugDB)")
    if not keep_store and settings.embedded_path.exists():
        shutil.rmtree(settings.embedded_path) if settings.embedded_path.is_dir() else (
            settings.embedded_path.unlink()
        )
    with cli.open_store() as store:
        cli.run_ingest(store, input_dir)
        cli.print_counts(store)

        cli.console.rule("3 · joint punishment: propagate restrictions (一处失信、处处受限)")
        report = service.propagate_store(store, full=True)
        cli.console.print(
            f"{report.listings:,} listings → {report.imposed:,} restrictions imposed "
            f"in {report.seconds:.1f} s"
        )
        examples = store.query("demo/derived_examples", {"limit": 3})
        busy = store.query("demo/busy_businesses", {"limit": 1})
        if busy:
            cli.console.rule("4 · a business and its network")
            cli.print_network(store.neighbourhood(busy[0]["uid"], 1), busy[0]["uid"])

    if examples:
        uid = examples[0]["uid"]
        cli.console.rule(f"5 · a platform's check: is {uid} restricted?")
        status(uid, at=None, known_at=None, as_json=False)
        cli.console.rule("6 · and why: the rule and the path behind each measure")
        explain(uid, at=None, english=False, as_json=False)

    cli.console.rule("done")
    cli.console.print(
        f"whole pipeline in {time.perf_counter() - started:.0f} s. Go on with:\n"
        f"  .venv/bin/credgraph show <USCC|uid> --hops 2     the network around an entity\n"
        f"  .venv/bin/credgraph path <a> <b>                 how two entities connect\n"
        f"  .venv/bin/credgraph status <id> --at 2024-01-01  status on a past date\n"
        f"  .venv/bin/credgraph explain <id>                 the paths behind a restriction\n"
        f"  .venv/bin/credgraph serve                        the API (docs at /docs)"
    )


def register(app: typer.Typer) -> None:
    """Add ``credgraph demo``."""
    app.command()(demo)
