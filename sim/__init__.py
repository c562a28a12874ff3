"""Agent-based simulation of foreign states' alignments in Libya's civil war.

    >>> import sim
    >>> result = sim.simulate("libya_2014_2019", replicates=100, seed=0)
    >>> result.tilt.head()
"""

from sim.errors import InputError, ParameterError, ScenarioError
from sim.results import SimulationResult
from sim.simulate import simulate

__all__ = ["InputError", "ParameterError", "ScenarioError", "SimulationResult", "simulate"]
__version__ = "0.1.0"
