"""Decision-log figures: appends, whole-log verification, proofs, at a given size.

    .venv/bin/python -m bench.decision_log --entries 10000 [--batch 1]

Appends ``--entries`` listing decisions in batches of ``--batch`` (each batch one signed
tree head, as a CLI command or API call makes), then times ``verify_log`` over the file,
an inclusion proof of the middle entry against the latest head, and a consistency proof
from half the size. Wall-clock seconds on whatever machine runs it (figures go in
docs/decision-log.md with the command).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from api.ledger.check import verify_log
from api.ledger.log import Decision, DecisionLog, Kind, Signer
from api.ledger.verify import verify_proof

__all__ = ["main"]


def main() -> None:
    """Run the benchmark and print one Markdown table row per step."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=10_000)
    parser.add_argument("--batch", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        log = DecisionLog(root / "decisions.sqlite3", Signer(root / "decision-log.key"))
        actor = {"via": "api", "key_id": "abcd1234", "name": "zj-amr", "scope": "officer"}
        started = time.perf_counter()
        for start in range(0, args.entries, args.batch):
            log.append(
                *(
                    Decision(
                        Kind.LISTING_ADDED,
                        actor,
                        f"listing:ZJ-{i:07d}",
                        {"subject_uid": f"biz:9133{i:014d}", "list_type": "serious_dishonesty"},
                    )
                    for i in range(start, min(start + args.batch, args.entries))
                )
            )
        append = time.perf_counter() - started
        size = log.path.stat().st_size
        started = time.perf_counter()
        result = verify_log(log.path, log.signer.public_key)
        verify = time.perf_counter() - started
        assert result.ok, result.to_json()
        started = time.perf_counter()
        proof = log.inclusion_proof(args.entries // 2)
        inclusion = time.perf_counter() - started
        assert verify_proof(proof, log.signer.public_key)
        started = time.perf_counter()
        log.consistency_proof(args.entries // 2)
        consistency = time.perf_counter() - started
        log.close()
    print("| entries | batch | append/s | file MB | verify s | inclusion proof s | consistency s |")
    print("|---|---|---|---|---|---|---|")
    print(
        f"| {args.entries:,} | {args.batch} | {args.entries / append:,.0f} | "
        f"{size / 1e6:.1f} | {verify:.2f} | {inclusion:.3f} | {consistency:.3f} |"
    )


if __name__ == "__main__":
    main()
