"""Configuration: one pydantic-settings ``Settings`` read from ``CREDGRAPH_*`` variables.

Build it through :func:`get_settings` in programs; tests construct ``Settings(...)`` directly.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEV_ID_HASH_KEY", "Settings", "get_settings"]

#: The id-hash key used in development only; any other environment must set its own.
DEV_ID_HASH_KEY = "credgraph-development-key-not-for-production"


class Settings(BaseSettings):
    """Every setting CreditGraph reads, with the environment variable that sets it."""

    model_config = SettingsConfigDict(
        env_prefix="CREDGRAPH_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    environment: Literal["development", "test", "production"] = "development"
    store: Literal["embedded", "neo4j"] = "embedded"
    embedded_path: Path = Path(".credgraph/graph.lbdb")
    # LadybugDB's buffer pool: bounded by default (graph.embedded_store.DEFAULT_BUFFER_POOL_MB,
    # 4 GB) so the store fits beside the API and the algorithms; 0 lets the engine take
    # about 80 % of memory (docs/scale.md: at 1M businesses, 2 GB was too small for shells).
    embedded_buffer_pool_mb: int = Field(4096, ge=0)
    # The pool while `credgraph ingest` (and the demo's ingest step) loads the embedded
    # store: a load needs less than shell detection, and 2 GB kept the 1M-business ingest at
    # 5.7 GB peak RSS, pool included (docs/scale.md). Never more than a smaller
    # embedded_buffer_pool_mb; 0 uses embedded_buffer_pool_mb.
    ingest_buffer_pool_mb: int = Field(2048, ge=0)
    # `credgraph serve` opens the embedded store in a supervised worker process, so that a
    # native fault in the engine ends the worker, not the API (graph/worker_store.py,
    # docs/api.md "Store worker"). A call the worker has not answered in
    # store_worker_call_seconds stops the worker (503) and a new one is started; a dead
    # worker is replaced after store_worker_backoff_seconds, doubled while replacements
    # keep dying within a minute (at most 30 s).
    store_worker: bool = True
    store_worker_call_seconds: float = Field(300.0, gt=0)
    store_worker_backoff_seconds: float = Field(0.5, gt=0, le=30)
    neo4j_uri: str = "bolt://127.0.0.1:7687"
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr = SecretStr("")
    neo4j_database: str = "neo4j"
    id_hash_key: SecretStr = SecretStr(DEV_ID_HASH_KEY)
    quarantine_dir: Path = Path(".credgraph/quarantine")
    # Rows per transaction when restrictions are written (algorithms/propagation/runs.py):
    # a larger write is committed in batches as a recorded run, so that no transaction
    # outgrows the server's transaction memory (Neo4j's dbms.memory.transaction.total.max).
    propagation_batch_rows: int = Field(20_000, ge=1)
    # Webhooks for the change feed (api/webhooks.py). Off: subscriptions are kept, nothing
    # is sent (the fuzz run registers arbitrary URLs).
    webhook_delivery: bool = True
    webhook_poll_seconds: float = Field(1.0, gt=0, le=3600)
    webhook_timeout_seconds: float = Field(5.0, gt=0, le=60)
    webhook_batch_size: int = Field(100, ge=1, le=1_000)
    # Retry n waits min(base * 2**(n-1), max); after max_attempts the subscription is failing.
    webhook_retry_base_seconds: float = Field(1.0, gt=0)
    webhook_retry_max_seconds: float = Field(600.0, gt=0)
    webhook_max_attempts: int = Field(12, ge=1, le=100)
    webhook_workers: int = Field(4, ge=1, le=64)
    # Loopback, private and link-local receivers are refused unless this is on (a webhook
    # URL must not reach into the regulator's own network).
    webhook_allow_private_hosts: bool = False
    # The audit trail (api/audit.py). Rows older than audit_retention_days are deleted
    # every audit_compact_hours (0: never; `credgraph audit-trail compact` does it on demand).
    # With audit_durable an answer leaves only once its audit row is committed (group
    # commit); off, the loss window on a crash is audit_flush_seconds.
    audit_retention_days: int = Field(365, ge=1)
    audit_compact_hours: float = Field(6.0, ge=0)
    audit_durable: bool = True
    audit_flush_seconds: float = Field(0.25, gt=0, le=1.0)
    # The decision log and evidence (api/ledger, docs/decision-log.md). None: beside the
    # embedded graph, in the data directory (decisions.sqlite3, decision-log.key with mode
    # 0600, evidence/).
    decision_log_path: Path | None = None
    decision_key_path: Path | None = None
    evidence_dir: Path | None = None
    # Days an objection (api/objections.py) may stay undecided after it is filed.
    objection_review_days: int = Field(15, ge=1, le=366)
    # Proportionate confirmation (api/approvals.py): an action that would restrict more
    # subjects than this waits for a second officer's approval (a list type's
    # reach.approval_above in the rules file applies where it is stricter).
    approval_above: int = Field(50, ge=1, le=1_000_000)
    evidence_max_bytes: int = Field(25 * 1024 * 1024, ge=1, le=2**31)
    # Request bodies (api/limits.py): counted as they arrive, refused with 413 past the
    # limit before they are parsed. A batch of 1,000 checks is about 120 KB; a bulk report
    # CSV of 10,000 rows with evidence text a few MB.
    max_body_bytes: int = Field(1_048_576, ge=1_024, le=1_073_741_824)
    max_batch_body_bytes: int = Field(2_097_152, ge=1_024, le=1_073_741_824)
    max_csv_body_bytes: int = Field(16_777_216, ge=1_024, le=1_073_741_824)

    @model_validator(mode="after")
    def _refuse_unsafe_combinations(self) -> Settings:
        if self.environment != "development" and (
            self.id_hash_key.get_secret_value() == DEV_ID_HASH_KEY
        ):
            raise ValueError(
                "CREDGRAPH_ID_HASH_KEY must be set outside development: "
                "id numbers would be hashed with a key anyone can read"
            )
        if len(self.id_hash_key.get_secret_value()) < 16:
            raise ValueError("CREDGRAPH_ID_HASH_KEY must be at least 16 characters")
        if self.store == "neo4j" and not self.neo4j_password.get_secret_value():
            raise ValueError("CREDGRAPH_NEO4J_PASSWORD is required with CREDGRAPH_STORE=neo4j")
        return self


@cache
def get_settings() -> Settings:
    """The process's settings, read once."""
    return Settings()
