"""Agent-based simulation of foreign states' alignments in Libya's civil war.

    >>> import sim
    >>> result = sim.simulate("libya_2014_2019", replicates=100, seed=0)
    >>> result.tilt.head()

Importing ``sim`` loads no heavy package (Mesa, Hydra, pandas, scipy, matplotlib): each public
name below is imported on first use.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sim.errors import InputError, ParameterError, ScenarioError

#: Public name -> the module that defines it (imported when the name is first used).
_LAZY = {
    "AlignmentModel": "sim.model",
    "SimulationResult": "sim.results",
    "simulate": "sim.simulate",
    "load_scenario": "sim.scenario",
}

if TYPE_CHECKING:
    from sim.model import AlignmentModel
    from sim.results import SimulationResult
    from sim.scenario import load_scenario
    from sim.simulate import simulate

__all__ = ["AlignmentModel", "InputError", "ParameterError", "ScenarioError", "SimulationResult",
           "load_scenario", "simulate"]
__version__ = "0.1.0"


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'sim' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))
