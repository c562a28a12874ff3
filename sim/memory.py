"""What a run will take in memory, estimated before anything is allocated, and what the machine has.

The estimate is linear in the replicates: the model's state and its monthly records, plus what
the run's outputs hold at once (the tilt table and the figures; the large tables are written a few
months at a time). Its coefficients were measured with ``/usr/bin/time -v`` on the historical
scenario (docs/reliability.md) and carry a safety margin.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

#: Bytes a run takes whatever its size: the interpreter, numpy, pandas, pyarrow, matplotlib
#: (measured: about 200 MB).
BASE_BYTES = 250 * 2**20
#: Safety margin on the per-replicate bytes (the formula below matches the measured slopes:
#: 97 KB per replicate with record=full, 67 KB with record=tilt, on the historical scenario).
MARGIN = 1.3


@dataclass(frozen=True)
class MemoryEstimate:
    """Estimated peak memory of a run.

    Attributes:
        bytes: the estimated peak resident memory, bytes.
        available: the memory the machine has available now, bytes (None if unknown).
    """

    bytes: int
    available: int | None

    @property
    def fits(self) -> bool:
        return self.available is None or self.bytes <= self.available

    def describe(self) -> str:
        have = "unknown" if self.available is None else f"{self.available / 2**30:.1f} GiB"
        return f"about {self.bytes / 2**30:.1f} GiB (available: {have})"


def per_replicate_bytes(*, months: int, states: int, factions: int, assets: int, record: str) -> float:
    """Bytes each replicate adds to a run's peak.

    Args:
        months: T, the months simulated.
        states, factions, assets: S, F, A of the scenario.
        record: ``full`` (support per faction each month) or ``tilt``.
    """
    state = 160 * factions * states + 100 * factions * factions + 40 * assets  # war, views, memories
    kept = months * (states * 4 + assets * 2)  # tilts (float32), control (int16)
    outputs = months * states * 20  # the tilt table (categorical codes, int32, float32) and bands
    if record == "full":
        kept += months * states * factions * 4  # supports (float32)
        outputs += months * states * 12  # the decomposition's per-replicate work, the plots
    return MARGIN * (state + kept + outputs)


def estimate(*, replicates: int, months: int, states: int, factions: int, assets: int,
             record: str) -> MemoryEstimate:
    """The estimated peak of a run of ``replicates`` replicates, and the memory available now."""
    total = BASE_BYTES + replicates * per_replicate_bytes(
        months=months, states=states, factions=factions, assets=assets, record=record)
    return MemoryEstimate(int(total), available_bytes())


def check_fits(estimated: MemoryEstimate, *, replicates: int, record: str) -> None:
    """Refuse a run that would not fit in the memory available, with the way out.

    Raises:
        InputError: naming ``replicates``, the estimate and what to change.
    """
    from sim.errors import InputError

    if estimated.fits:
        return
    way_out = "record=tilt (tilts only) or fewer replicates" if record == "full" else "fewer replicates"
    raise InputError("config", "replicates", f"{replicates} replicates would need "
                     f"{estimated.describe()}; use {way_out}, or split the run with first_replicate")


def available_bytes() -> int | None:
    """Memory available to a new allocation now (Linux ``MemAvailable``), or None if unknown."""
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):
        return None
