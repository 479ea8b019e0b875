"""The ``credgraph`` command line (Typer + rich).

Feature commands live beside this module (``cli/*.py``) and register themselves on
:data:`app`; they reach the configured store through :func:`open_store`.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from rich.tree import Tree

from cli.common import (
    _state,
    console,
    current_settings,
    open_store,
    use_settings,
    use_store,
)
from graph import store_lock
from graph.errors import ConfigError, CreditGraphError, InvalidInput
from graph.lookup import resolve_entity
from graph.memory import tune_garbage_collector
from graph.model import Node, Subgraph
from graph.redact import install_log_redaction, redact
from graph.render import node_name
from graph.store import GraphStore

__all__ = [
    "_state",
    "app",
    "console",
    "current_settings",
    "open_store",
    "use_settings",
]

app = typer.Typer(
    name="credgraph",
    help="CreditGraph: credit and joint-punishment knowledge graph (信用联合惩戒知识图谱).",
    no_args_is_help=True,
    pretty_exceptions_show_locals=False,
)
StoreOption = Annotated[
    str | None,
    typer.Option(
        "--store", help="embedded (default, LadybugDB) or neo4j; overrides CREDGRAPH_STORE"
    ),
]
_use_store = use_store


def fail(exc: CreditGraphError) -> typer.Exit:
    """Print a domain error plainly and return the exit to raise."""
    message = escape(redact(str(exc), mask=True))
    console.print(f"[bold red]error:[/] {message}", soft_wrap=True)  # one line
    return typer.Exit(code=2)


@app.callback()
def main(ctx: typer.Context, store: StoreOption = None) -> None:
    """Choose the store for every command."""
    tune_garbage_collector()
    _use_store(store)
    install_log_redaction(current_settings().id_hash_key.get_secret_value())
    if ctx.invoked_subcommand:
        # how a second writer is told who holds the embedded store (graph/store_lock.py)
        store_lock.set_command(f"credgraph {ctx.invoked_subcommand}")


@app.command()
def generate(
    out: Annotated[Path, typer.Argument(help="directory to write the input files into")],
    entities: Annotated[int, typer.Option(help="number of businesses (1k .. 1M)")] = 10_000,
    seed: Annotated[int, typer.Option(help="random seed: the same seed gives the same files")] = 7,
    fmt: Annotated[str, typer.Option("--format", help="csv or parquet")] = "csv",
    offshore: Annotated[
        int,
        typer.Option(
            help="also an offshore registry slice of N companies in OUT/offshore (0: none)"
        ),
    ] = 0,
) -> None:
    """Write realistic synthetic input files with their ground truth."""
    from ingest.generate import generate as run_generate

    started = time.perf_counter()
    with console.status(f"generating {entities:,} businesses ..."):
        summary = run_generate(out, entities, seed, fmt=fmt, offshore=offshore)  # type: ignore[arg-type]
    table = Table(title=f"generated in {time.perf_counter() - started:.1f} s → {out}")
    table.add_column("file")
    table.add_column("rows", justify="right")
    for name, rows in summary.rows.items():
        table.add_row(name, f"{rows:,}")
    console.print(table)
    if offshore:
        console.print(f"offshore slice: {offshore:,} companies → {out / 'offshore'}")


def run_ingest(store: GraphStore | None, directory: Path) -> None:
    """Ingest ``directory`` with progress bars and print the reconciliation table.

    ``store`` None: the bulk load into an empty local Neo4j (``ingest.neo4j_import``).
    """
    from ingest.pipeline import ingest_directory

    settings = current_settings()
    started = time.perf_counter()
    with Progress(
        TextColumn("{task.description:<22}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        tasks: dict[str, Any] = {}

        def hook(name: str, done: int, total: int) -> None:
            if name not in tasks:
                tasks[name] = progress.add_task(name, total=total)
            progress.update(tasks[name], completed=done, total=total)

        if store is None:
            from ingest.neo4j_import import bulk_load

            load = bulk_load(
                directory,
                connect=open_store,
                uri=settings.neo4j_uri,
                password=settings.neo4j_password.get_secret_value(),
                id_hash_key=settings.id_hash_key.get_secret_value(),
                quarantine_dir=settings.quarantine_dir,
                progress=hook,
            )
            report = load.report
            console.print(
                "bulk import: "
                + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in load.timings.items())
            )
        else:
            report = ingest_directory(
                store,
                directory,
                id_hash_key=settings.id_hash_key.get_secret_value(),
                quarantine_dir=settings.quarantine_dir,
                progress=hook,
            )
    print_report(report, time.perf_counter() - started, settings.quarantine_dir)


def print_report(report: Any, elapsed: float, quarantine_dir: Path) -> None:
    """The reconciliation table, the reasons and conflicts; exit 3 if rows went missing."""
    table = Table(
        title=f"ingest run {report.run_id} "
        f"({elapsed:.1f} s, {report.read / max(elapsed, 1e-9):,.0f} rows/s)"
    )
    for column in (
        "file",
        "read",
        "loaded",
        "quarantined",
        "nodes",
        "relationships",
        "quarantine file",
    ):
        table.add_column(
            column, justify="left" if column in ("file", "quarantine file") else "right"
        )
    for f in report.files:
        if f.path is None:
            table.add_row(f.name, "[dim]absent[/]", "", "", "", "", "")
            continue
        table.add_row(
            f.name,
            f"{f.read:,}",
            f"{f.loaded:,}",
            f"[red]{f.quarantined:,}[/]" if f.quarantined else "0",
            f"{f.nodes_written:,}",
            f"{f.relationships_written:,}",
            f.quarantine_file or "",
        )
    table.add_row(
        "[bold]total",
        f"[bold]{report.read:,}",
        f"[bold]{report.loaded:,}",
        f"[bold]{report.quarantined:,}",
        "",
        "",
        "",
    )
    console.print(table)
    print_reconciliation(report, quarantine_dir)
    if not all(f.reconciled for f in report.files):
        raise typer.Exit(code=3)


def print_reconciliation(report: Any, quarantine_dir: Path) -> None:
    """Quarantine reasons (rows per reason) and conflicts per file, and the report JSON."""
    from ingest.pipeline import report_json

    for f in report.files:
        if f.reasons:
            console.print(f"[bold]{f.name}[/]: quarantined rows per reason")
            for reason, count in sorted(f.reasons.items(), key=lambda kv: -kv[1]):
                console.print(f"  {count:>8,}  {reason}")
        if f.conflicts:
            console.print(
                f"[bold]{f.name}[/]: [yellow]{f.conflicts:,} key(s) given again with other "
                "values[/] (the last row in file order wins)"
            )
            for c in f.conflict_list[:10]:
                console.print(
                    f"  {c['kind']} {c['key']}: row {c['won_row']} replaced row "
                    f"{c['replaced_row']} ({', '.join(c['fields'])})"
                )
    target = quarantine_dir / report.run_id / "report.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(report_json(report), ensure_ascii=False, indent=2), "utf-8")
    console.print(f"report: {target}")


@app.command()
def ingest(
    directory: Annotated[
        Path, typer.Argument(help="directory of input files (docs/formats.md); an FtM file")
    ],
    store: StoreOption = None,
    bulk: Annotated[
        bool,
        typer.Option(
            "--bulk",
            help="first load into an EMPTY local Neo4j with neo4j-admin database import "
            "(stops and restarts the scripts/neo4j-local server; docs/ingest.md)",
        ),
    ] = False,
    fmt: Annotated[
        str,
        typer.Option(
            "--format",
            help="dir: a directory of input files (docs/formats.md); ftm: a FollowTheMoney "
            "JSON-lines file (docs/formats.md, FollowTheMoney import)",
        ),
    ] = "dir",
    dataset: Annotated[
        str | None, typer.Option(help="--format ftm: the dataset named in provenance")
    ] = None,
) -> None:
    """Validate and load a directory of CSV/Parquet files; bad rows go to quarantine."""
    _use_store(store)
    try:
        if fmt == "ftm":
            from ingest.ftm_import import ingest_ftm

            settings = current_settings()
            started = time.perf_counter()
            with open_store(for_ingest=True) as graph_store:
                report = ingest_ftm(
                    graph_store,
                    directory,
                    id_hash_key=settings.id_hash_key.get_secret_value(),
                    quarantine_dir=settings.quarantine_dir,
                    dataset=dataset,
                )
            print_report(report, time.perf_counter() - started, settings.quarantine_dir)
            return
        if fmt != "dir":
            raise InvalidInput("--format is dir or ftm", field="format")
        if bulk:
            if current_settings().store != "neo4j":
                raise ConfigError("--bulk loads Neo4j: add --store neo4j")
            run_ingest(None, directory)
            return
        with open_store(for_ingest=True) as graph_store:
            run_ingest(graph_store, directory)
    except CreditGraphError as exc:
        raise fail(exc) from exc


def print_counts(store: GraphStore) -> None:
    """Print nodes per label and relationships per type."""
    counts = store.counts()
    table = Table(
        title=f"{counts.total_nodes:,} nodes, {counts.total_relationships:,} relationships"
    )
    table.add_column("label")
    table.add_column("nodes", justify="right")
    table.add_column("relationship type")
    table.add_column("count", justify="right")
    labels = [(k, v) for k, v in counts.nodes.items() if v]
    rels = [(k, v) for k, v in counts.relationships.items() if v]
    for i in range(max(len(labels), len(rels))):
        label = labels[i] if i < len(labels) else ("", None)
        rel = rels[i] if i < len(rels) else ("", None)
        table.add_row(
            label[0],
            f"{label[1]:,}" if label[1] is not None else "",
            rel[0],
            f"{rel[1]:,}" if rel[1] is not None else "",
        )
    console.print(table)


@app.command()
def summary(store: StoreOption = None) -> None:
    """Counts of nodes and relationships in the store."""
    _use_store(store)
    try:
        with open_store() as graph_store:
            print_counts(graph_store)
    except CreditGraphError as exc:
        raise fail(exc) from exc


def describe(node: Node) -> str:
    """A one-line description of a node for people."""
    return f"[bold]{node.label}[/] {escape(node_name(node))} [dim]{escape(node.uid)}[/]"


def print_network(sub: Subgraph, centre: str) -> None:
    """Print a neighbourhood as a tree from its centre."""
    by_uid = {n.uid: n for n in sub.nodes}
    root = by_uid[centre]
    tree = Tree(describe(root))
    adjacent: dict[str, list[tuple[str, str]]] = {}
    for edge in sub.edges:
        arrow_out = escape(f"-[{edge.type}]->")
        arrow_in = escape(f"<-[{edge.type}]-")
        adjacent.setdefault(edge.src, []).append((arrow_out, edge.dst))
        adjacent.setdefault(edge.dst, []).append((arrow_in, edge.src))
    visited = {centre}

    def grow(branch: Tree, uid: str, depth: int) -> None:
        for arrow, other in sorted(adjacent.get(uid, [])):
            if other in visited or depth > 3:
                continue
            visited.add(other)
            grow(branch.add(f"{arrow} {describe(by_uid[other])}"), other, depth + 1)

    grow(tree, centre, 1)
    console.print(tree)
    if sub.truncated:
        console.print("[yellow]truncated: the neighbourhood has more nodes than shown[/]")


@app.command()
def show(
    entity: Annotated[str, typer.Argument(help="USCC, id number, platform:shop_id or uid")],
    hops: Annotated[int, typer.Option(help="how far to look around it")] = 1,
    types: Annotated[
        list[str] | None, typer.Option("--type", help="relationship types to follow")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="machine-readable output")] = False,
    store: StoreOption = None,
) -> None:
    """An entity, its properties and the network around it."""
    _use_store(store)
    try:
        with open_store() as graph_store:
            node = resolve_entity(
                graph_store, entity, current_settings().id_hash_key.get_secret_value()
            )
            sub = graph_store.neighbourhood(node.uid, hops, types)
    except CreditGraphError as exc:
        raise fail(exc) from exc
    if as_json:
        console.print_json(
            json.dumps(
                {
                    "entity": {"uid": node.uid, "label": node.label, **node.props},
                    "nodes": [{"uid": n.uid, "label": n.label, **n.props} for n in sub.nodes],
                    "edges": [
                        {"rid": e.rid, "type": e.type, "src": e.src, "dst": e.dst, **e.props}
                        for e in sub.edges
                    ],
                    "truncated": sub.truncated,
                },
                default=str,
                ensure_ascii=False,
            )
        )
        return
    table = Table(title=describe(node), show_header=False)
    for key, value in sorted(node.props.items()):
        table.add_row(key, str(value))
    console.print(table)
    print_network(sub, node.uid)


@app.command()
def path(
    a: Annotated[str, typer.Argument(help="first entity")],
    b: Annotated[str, typer.Argument(help="second entity")],
    max_hops: Annotated[int, typer.Option(help="longest path to look for")] = 4,
    store: StoreOption = None,
) -> None:
    """How two entities are connected: the shortest paths between them."""
    _use_store(store)
    key = current_settings().id_hash_key.get_secret_value()
    try:
        with open_store() as graph_store:
            first, second = resolve_entity(graph_store, a, key), resolve_entity(graph_store, b, key)
            found = graph_store.paths(first.uid, second.uid, max_hops=max_hops)
    except CreditGraphError as exc:
        raise fail(exc) from exc
    for i, walk in enumerate(found, 1):
        parts = [describe(walk.nodes[0])]
        for edge, node in zip(walk.edges, walk.nodes[1:], strict=True):
            arrow = escape(f"-[{edge.type}]->" if edge.dst == node.uid else f"<-[{edge.type}]-")
            parts.append(f"{arrow} {describe(node)}")
        console.print(f"{i}. " + " ".join(parts))


@app.command()
def schema(dialect: Annotated[str, typer.Option(help="ladybug or neo4j")] = "ladybug") -> None:
    """Print the DDL both stores' schemas are generated with."""
    if dialect == "neo4j":
        from graph.neo4j_store import neo4j_ddl

        statements = neo4j_ddl()
    else:
        from graph.embedded_store import ladybug_ddl

        statements = ladybug_ddl()
    for statement in statements:
        console.print(statement + ";", highlight=False)


def _register_features() -> None:
    """Add the commands feature modules contribute, where they are present."""
    import importlib

    for module in (
        "cli.punish",
        "cli.shells",
        "cli.agents",
        "cli.exchange",
        "cli.alerts",
        "cli.rings",
        "cli.detect",
        "cli.brands",
        "cli.demo",
        "cli.serve",
        "cli.audit",
        "cli.audit_trail",
        "cli.objections",
        "cli.approvals",
    ):
        try:
            feature = importlib.import_module(module)
        except ModuleNotFoundError as exc:
            if exc.name != module:
                raise
            continue
        feature.register(app)


_register_features()


def _flags_without_type(command: Any) -> None:
    """Show on/off options as flags in help (``--json``), not as ``--json <bool>``.

    Typer builds its commands on its own copy of click, so this reads attributes rather
    than checking classes."""
    for param in command.params:
        if getattr(param, "is_flag", False):
            param.metavar = ""
    make_help_option = command.get_help_option

    def help_option(ctx: Any) -> Any:
        option = make_help_option(ctx)
        if option is not None:
            option.metavar = ""
        return option

    command.get_help_option = help_option
    for sub in getattr(command, "commands", {}).values():
        _flags_without_type(sub)


def run() -> None:
    """The ``credgraph`` entry point: the Typer app, with flags shown as flags and any
    parameter the models refuse reported in one line naming the field (exit code 2)."""
    command = typer.main.get_command(app)
    _flags_without_type(command)
    try:
        command(prog_name="credgraph")
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "value"
        console.print(f"[bold red]error:[/] invalid {escape(where)}: {escape(first['msg'])}")
        raise SystemExit(2) from None
