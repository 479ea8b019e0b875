"""The decision log: a tamper-evident record of every decision, and evidence files.

``verify`` stands alone (standard library + ``cryptography``); ``merkle`` builds RFC 6962
trees and proofs; ``log`` keeps the hash-chained entries and signed tree heads in SQLite;
``evidence`` stores files by digest; ``record`` is what commands and routers call.
See docs/decision-log.md.
"""

__all__: list[str] = []
