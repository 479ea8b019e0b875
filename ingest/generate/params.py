"""Parameters and result of a generation run: how brushing rings are planted
(:class:`BrushingParams`) and what was written (:class:`GenerationSummary`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Literal

__all__ = [
    "BrushingParams",
    "Camouflage",
    "GenerationSummary",
]


Camouflage = Literal["none", "random", "popular", "mixed"]


@dataclass(frozen=True)
class BrushingParams:
    """How brushing rings (刷单团伙) are planted; vary these in benchmarks.

    ``density``: probability that a fake account orders from a boosted store in one wave.
    ``camouflage``: where the fake accounts' cover orders go (FRAUDAR's random / biased
    camouflage: uniformly random stores, or the platform's most popular stores, or both).
    ``camouflage_level``: cover orders per ring order, per fake account (Poisson mean).
    """

    rings: int | None = None
    accounts: tuple[int, int] = (10, 60)
    stores: tuple[int, int] = (2, 6)
    waves: tuple[int, int] = (2, 5)
    window_hours: float = 48.0
    density: float = 0.8
    empty_parcel: float = 0.7
    receivers: tuple[int, int] = (1, 4)
    camouflage: Camouflage = "mixed"
    camouflage_level: float = 1.0

    def __post_init__(self) -> None:
        for name in ("accounts", "stores", "waves", "receivers"):
            low, high = getattr(self, name)
            if not 1 <= low <= high:
                raise ValueError(f"BrushingParams.{name}={low, high}: need 1 <= low <= high")
        for name in ("density", "empty_parcel"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"BrushingParams.{name} must lie in [0, 1]")
        if self.camouflage_level < 0 or self.window_hours <= 0:
            raise ValueError("BrushingParams: camouflage_level >= 0 and window_hours > 0")
        if self.camouflage not in ("none", "random", "popular", "mixed"):
            raise ValueError(f"BrushingParams.camouflage={self.camouflage!r} is unknown")


@dataclass(frozen=True)
class GenerationSummary:
    """What ``generate`` wrote: one path and row count per input file, and the ground truth."""

    out_dir: Path
    fmt: str
    files: Mapping[str, Path]
    rows: Mapping[str, int]
    ground_truth: Path
    extra: Mapping[str, int] = field(default_factory=lambda: MappingProxyType({}))
