"""``credgraph demo``: the whole pipeline that exists, end to end, on the embedded store.

generate → ingest (with quarantine and reconciliation) → actual controllers, shell
clusters and brushing rings → propagation → a restriction check and its explanation →
a seller's identity and licence check.
Each step is the same code the individual commands run.
"""

from __future__ import annotations

import shutil
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape
from rich.panel import Panel

from graph.memory import release_free_heap

if TYPE_CHECKING:
    from graph.store import GraphStore

__all__ = ["demo", "register"]


def _step(title: str) -> None:
    """A new step: the last one's freed heap goes back to the system first, so steps'
    peaks do not stack."""
    from cli import main as cli

    release_free_heap()
    cli.console.rule(title)


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
    from algorithms.brushing import service as rings
    from algorithms.ownership.service import compute_controllers
    from algorithms.propagation import service
    from algorithms.shells.service import detect_shells
    from cli import main as cli
    from cli.punish import explain, status

    settings = cli.current_settings()
    if settings.store != "embedded":
        raise typer.BadParameter("the demo runs on the embedded store (CREDGRAPH_STORE=embedded)")
    started = time.perf_counter()
    cli.console.print(Panel.fit("CreditGraph demo · 信用联合惩戒知识图谱", style="bold"))

    _step("1 · generate synthetic input with ground truth")
    if (input_dir / "businesses.csv").is_file() and (input_dir / "ground_truth.json").is_file():
        cli.console.print(f"reusing {input_dir} (delete it to regenerate)")
    else:
        cli.generate(input_dir, entities=entities, seed=seed, fmt="csv")

    _step("2 · ingest into the embedded store (LadybugDB)")
    if not keep_store and settings.embedded_path.exists():
        shutil.rmtree(settings.embedded_path) if settings.embedded_path.is_dir() else (
            settings.embedded_path.unlink()
        )
    # Each phase opens the store as its own command would: closing it between them hands
    # the engine's working memory back, so the phases' peaks do not stack.
    with cli.open_store(for_ingest=True) as store:
        cli.run_ingest(store, input_dir)
        cli.print_counts(store)

    with cli.open_store() as store:
        _step("3 · ownership: actual controllers (实际控制人) through holding chains")
        controllers = compute_controllers(store)
        cli.console.print(
            f"{controllers.findings:,} businesses with a controller; "
            f"{controllers.computed:,} computed ACTUAL_CONTROLLER_OF edges written "
            f"(by rule: {controllers.by_rule}); "
            f"{len(controllers.disagreements):,} declared controllers contradicted by ownership"
        )

        _step("4 · detection: shell clusters (空壳) and brushing rings (刷单)")
        shells = detect_shells(store)
        cli.console.print(
            f"{len(shells.clusters):,} suspected shell clusters; "
            f"{len(shells.hubs):,} hub identifiers reported and kept from gluing clusters"
        )
        for cluster in shells.clusters[:2]:
            cli.console.print(f"  [bold]shell:{cluster.id}[/] score {cluster.score:.2f}")
            for reason in cluster.reasons:
                cli.console.print(f"    · {escape(reason)}")
        found = rings.detect(store)
        cli.console.print(
            f"{len(found.rings):,} suspected brushing rings from {found.orders:,} orders "
            f"(suspicions for an officer to confirm, never punishments by themselves)"
        )
        for ring in found.rings[:2]:
            cli.console.print(f"  [bold]{ring.uid}[/] score {ring.score:.2f}")
            for reason in ring.reasons:
                cli.console.print(f"    · {escape(reason)}")

    with cli.open_store() as store:
        _step("5 · joint punishment: propagate restrictions (一处失信、处处受限)")
        report = service.propagate_store(store, full=True)
        cli.console.print(
            f"{report.listings:,} listings → {report.imposed:,} restrictions imposed "
            f"in {report.seconds:.1f} s"
        )
        examples = store.query(
            "demo/derived_examples", {"limit": 3, "today": datetime.now(UTC).date()}
        )
        busy = store.query("demo/busy_businesses", {"limit": 1})
        if busy:
            _step("6 · a business and its network")
            cli.print_network(store.neighbourhood(busy[0]["uid"], 1), busy[0]["uid"])

    if examples:
        uid = examples[0]["uid"]
        _step(f"7 · a platform's check: is {uid} restricted?")
        status(uid, at=None, known_at=None, as_json=False)
        _step("8 · and why: the rule and the path behind each measure")
        explain(uid, at=None, english=False, as_json=False)

    with cli.open_store() as store:
        holders = store.query("demo/licence_holders", {"limit": 20})
        holder = next((h for h in holders if h["uid"].count(":") == 1), None)
        if holder is not None:
            _step("9 · a seller's identity and licences checked (证照核验, task 八)")
            _identity_check(store, holder)

    with cli.open_store() as store:
        _regional_features(store, settings.embedded_path.parent)

    if examples:
        _due_process(examples[0]["uid"])

    _step("done")
    cli.console.print(
        f"whole pipeline in {time.perf_counter() - started:.0f} s. Go on with:\n"
        f"  .venv/bin/credgraph show <USCC|uid> --hops 2     the network around an entity\n"
        f"  .venv/bin/credgraph path <a> <b>                 how two entities connect\n"
        f"  .venv/bin/credgraph status <id> --at 2024-01-01  status on a past date\n"
        f"  .venv/bin/credgraph explain <id>                 the paths behind a restriction\n"
        f"  .venv/bin/credgraph serve                        the API (docs at /docs)"
    )


def _identity_check(store: GraphStore, holder: dict[str, Any]) -> None:
    """What ``POST /v1/identity/verify`` answers a platform about a seller's claim: the
    registered name, the licence types it holds and one it does not."""
    from api.routers.identity import verify
    from api.schemas import IdentityVerifyIn
    from cli import main as cli
    from graph.licences import LICENCE_TYPES

    held = sorted(set(holder["types"]))
    asked = [*held, next(code for code in LICENCE_TYPES if code not in held)]
    uscc = holder["uid"].split(":", 1)[1]
    answer = verify(store, IdentityVerifyIn(uscc=uscc, name=holder["name"], licence_types=asked))
    cli.console.print(
        f"claim: {uscc} {escape(holder['name'])}, licences {', '.join(asked)}\n"
        f"exists {answer.exists} · active {answer.active} · name matches {answer.name_matches}"
        f" · verified [bold]{answer.verified}[/]"
    )
    for check in answer.licence_checks:
        mark = "[green]✓[/]" if check.held else "[red]✗[/]"
        name = f"{check.licence_type_name} ({check.licence_type})"
        cli.console.print(f"  {mark} {name}: {check.result}")


def _regional_features(store: GraphStore, data_dir: Path) -> None:
    """Steps 10-14: formation agents, an alert near a watched entity, the regional
    overview, a FollowTheMoney export, and a signed packet to a second bureau."""
    from datetime import date

    from algorithms.alerts.core import Watch
    from algorithms.alerts.service import scan
    from algorithms.overview.service import overview
    from algorithms.propagation import service
    from algorithms.propagation.engine import Listing
    from algorithms.propagation.feed import feed_head
    from algorithms.shells.agents import AgentParams
    from algorithms.shells.service import formation_agents
    from cli import main as cli
    from graph.embedded_store import EmbeddedStore
    from ingest.exchange import export_packet, import_packet, new_private_key, public_key_hex
    from ingest.ftm_export import export_ftm

    key = cli.current_settings().id_hash_key.get_secret_value()
    today = date.today()

    _step("10 · formation agents serving many companies (注册代理集中)")
    for finding in formation_agents(store, AgentParams(at=today, min_companies=5), limit=3):
        cli.console.print(f"  {finding.score:.2f}  {escape(finding.reason_zh)}")

    _step("11 · risk alert near a watched entity (周边风险)")
    busy = store.query("demo/busy_businesses", {"limit": 5})
    if len(busy) >= 1:
        watched = busy[0]["uid"]
        near = store.neighbourhood(watched, 1, ["LEGAL_REPRESENTATIVE_OF", "SHAREHOLDER_OF"])
        target = next(
            (n.uid for n in near.nodes if n.label == "Business" and n.uid != watched), watched
        )
        head = feed_head(store)
        listing = Listing("listing:demo-alert", target, "abnormal_operation", today)
        service.add_listing(store, listing)
        result = scan(store, [Watch(1, "demo", "entity", watched, hops=2)], head)
        for reach in result.reaches[:1]:
            cli.console.print(
                f"watching {watched}: {reach.change.kind} {reach.change.listing_uid} on "
                f"{reach.change.subject}, {reach.distance} hop(s) away via "
                + " → ".join(reach.path)
            )
        service.remove_listing(store, listing.uid, today, "error")

    _step("12 · regional overview (监管态势): listings and restrictions by city")
    cells = sorted(overview(store, today, 4), key=lambda c: -c.counts["restrictions"])[:5]
    for cell in cells:
        cli.console.print(
            f"  {cell.region} {cell.month}: {cell.counts['listings']} listings, "
            f"{cell.counts['restrictions']} restrictions, {cell.counts['violations']} violations"
        )

    _step("13 · FollowTheMoney export (interchange with OpenSanctions-style tools)")
    target_file = data_dir / "demo-export.ftm.jsonl"
    with target_file.open("w", encoding="utf-8") as out:
        summary = export_ftm(store, out)
    cli.console.print(f"{summary.total:,} entities → {target_file} ({dict(summary.by_schema)})")

    _step("14 · a signed exchange packet to another bureau (跨区域共享)")
    packet = data_dir / "demo-packet"
    shutil.rmtree(packet, ignore_errors=True)
    signer_path = data_dir / "demo-exchange.key"
    signer_path.unlink(missing_ok=True)
    signer = new_private_key(signer_path)
    manifest = export_packet(
        store,
        packet,
        signer,
        authority="浙江省市场监督管理局",
        region="33",
        period_from=date(2024, 1, 1),
        period_to=today,
        id_hash_key=key,
    )
    other = data_dir / "demo-bureau-b.lbdb"
    shutil.rmtree(other, ignore_errors=True)
    with EmbeddedStore(other, buffer_pool_mb=256) as bureau_b:
        bureau_b.create_schema()
        report = import_packet(bureau_b, packet, [public_key_hex(signer)], id_hash_key=key)
        derived = service.propagate_store(bureau_b)
    cli.console.print(
        f"packet {manifest.packet_id}: {manifest.counts} signed by {manifest.signer[:16]}…; "
        f"bureau B verified and loaded {sum(report.created.values()):,} records and derived "
        f"{derived.imposed:,} restrictions under its own rules"
    )


def _due_process(uid: str) -> None:
    """Steps 15-16: what a listing would impose, previewed by name before anything is
    written (过罚相当), and an objection (异议) against one link of a derivation path,
    upheld: the link excluded, what depended on it lifted."""
    from datetime import date

    from algorithms.propagation import service
    from algorithms.propagation.engine import Listing
    from api import approvals
    from cli import main as cli
    from cli.objections import _open as open_objections
    from cli.objections import decide_command, file_command
    from cli.punish import status

    today = date.today()
    with cli.open_store() as store:
        busy = store.query("demo/busy_businesses", {"limit": 1})
        why = service.explain(store, uid)
        if busy:
            _step("15 · preview before imposing (过罚相当): subjects by name, two officers")
            listing = Listing("listing:demo-preview", busy[0]["uid"], "serious_dishonesty", today)
            preview = approvals.listing_add_preview(
                store, listing, approval_above=cli.current_settings().approval_above
            )
            node = store.get_node(busy[0]["uid"])
            name = str(node.props.get("name") or busy[0]["uid"]) if node else busy[0]["uid"]
            cli.console.print(
                f"listing {escape(name)} as serious_dishonesty would restrict "
                f"{preview.subjects} subjects ({preview.restrictions} restrictions); "
                f"{escape(preview.limit.zh)}: "
                f"{'须另一名执法人员批准' if preview.needs_approval else '一人即可执行'}"
            )
            for rule in preview.rules[:3]:
                names = "、".join(n.name for n in rule.names[:3])
                cli.console.print(f"  {escape(rule.description_zh)}: {escape(names)}")
            cli.console.print("(nothing written: the preview is all this step does)")
    linked = next((e for e in why if e.paths and e.paths[0].rids), None)
    if linked is None:
        return
    rid = linked.paths[0].rids[0]
    _step("16 · an objection (异议) against one link of the path, upheld")
    file_command(
        rid,
        subject=uid,
        grounds="该关联关系已终止（演示）",
        officer="张三",
        kind="link",
        on=None,
        as_json=False,
    )
    book = open_objections()
    try:
        filed = book.find(target=rid, limit=1)[0]
    finally:
        book.close()
    decide_command(
        filed.id,
        "upheld",
        officer="李四",
        reason="登记机关确认该关系已终止（演示）",
        scope="all",
        scope_value=None,
        on=None,
        rules=None,
        as_json=False,
    )
    status(uid, at=None, known_at=None, as_json=False)


def register(app: typer.Typer) -> None:
    """Add ``credgraph demo``."""
    app.command()(demo)
