"""Refit some of the calibration's free parameters on a variant of the scenario.

An estimate that a fitted parameter multiplies (the Shura councils' extremism and the security
scale, say) is not identified apart from it: had the file coded another value, the calibration
would have fitted another scale. `Refitter` answers "what does the *calibrated* model do with
this variant?": it fits the chosen parameters to the calibration's objective (the same points,
priors, patterns, replicates and seed as ``python -m sim.calibrate``) on the variant, starting
from the given parameter set, whose values are in the first population, so the refit is never
worse than the parameters as they were.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sim.calibrate import build_calibrator
from sim.calibration import read_values
from sim.errors import InputError
from sim.params import SCALE_PREFIX
from sim.scenario import Scenario


class Refitter:
    """Fits ``names`` (free parameters of the ``calibrate`` settings) on scenario variants.

    Args:
        calibrate: the calibration's settings (the ``calibrate`` config group, plain).
        params: the parameter set refit from (plain mapping); the refit parameters start at its
            values and every other parameter keeps them.
        names: the free parameters refit, each one of ``calibrate.free``'s names.
        popsize: differential evolution's population per parameter (rounded up to a power of 2).
        maxiter: differential evolution's generations.
        seed: the optimiser's seed.
    """

    def __init__(self, calibrate: Mapping[str, Any], params: Mapping[str, Any], names: Sequence[str], *,
                 popsize: int, maxiter: int, seed: int) -> None:
        allowed = [f["name"] for f in calibrate["free"]]
        unknown = [name for name in names if name not in allowed]
        if unknown or len(set(names)) != len(names) or not names:
            raise InputError("config", "refit", f"is {list(names)!r}; distinct free parameters of the "
                             f"calibration, from {allowed}")
        for key, value in (("refit_popsize", popsize), ("refit_maxiter", maxiter)):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise InputError("config", key, f"is {value!r}; a positive integer")
        self.whole = dict(calibrate)
        refit_interests = {name.removeprefix(SCALE_PREFIX) for name in names if name.startswith(SCALE_PREFIX)}
        # the refit's objective: the calibration's, with the priors of the parameters refit only
        self.settings = {
            **calibrate, "free": [f for f in calibrate["free"] if f["name"] in names],
            "scale_prior_sd": {k: v for k, v in (calibrate.get("scale_prior_sd") or {}).items()
                               if k in refit_interests},
            "dynamics_priors": {k: v for k, v in (calibrate.get("dynamics_priors") or {}).items()
                                if k in names},
        }
        self.params = dict(params)
        self.names = list(names)
        self.popsize, self.maxiter, self.seed = popsize, maxiter, seed

    def refit(self, scenario: Scenario) -> dict[str, Any]:
        """The refit on ``scenario``.

        Returns:
            ``params`` (the full mapping with the refit values), ``values`` (name -> refit value),
            ``objective_before`` (the calibration's objective at the starting values) and
            ``objective`` (at the refit values; never above ``objective_before``).
        """
        calibrator = build_calibrator(self.settings, self.params, scenario=scenario)
        start = read_values(self.params, calibrator.free)
        before = float(calibrator.losses(start[:, None])[0])
        fit = calibrator.fit(popsize=self.popsize, maxiter=self.maxiter, optimizer_seed=self.seed,
                             progress=False, x0=start)
        x, objective = (fit["x"], fit["objective"]) if fit["objective"] <= before else (start, before)
        # The whole objective differs from the refit's by the priors of the parameters not refit,
        # which keep their values: one constant, so no run is needed to report it.
        whole = build_calibrator(self.whole, self.params, scenario=scenario)
        others = float(whole.prior_penalty(read_values(self.params, whole.free)[:, None])[0]
                       - calibrator.prior_penalty(start[:, None])[0]) / whole.weighted_points()
        return {"params": calibrator.values_as_params(x), "objective_before": before + others,
                "objective": float(objective) + others,
                "values": {p.name: float(v) for p, v in zip(calibrator.free, x, strict=True)}}

    def objective(self, scenario: Scenario, params: Mapping[str, Any]) -> float:
        """The calibration's whole objective (every free parameter's prior included, as
        ``fit_report.json`` gives it) of ``params`` on ``scenario``."""
        calibrator = build_calibrator(self.whole, params, scenario=scenario)
        return float(calibrator.losses(read_values(params, calibrator.free)[:, None])[0])

    def describe(self, scenario: Scenario) -> dict[str, Any]:
        """The refit's settings for ``robustness.json``, with the objective of the starting
        parameters on ``scenario`` as its file gives it."""
        return {"parameters": self.names, "objective_at_file_values": self.objective(scenario, self.params),
                "popsize": self.popsize, "maxiter": self.maxiter,
                "optimizer_seed": self.seed, "targets": self.settings["targets"],
                "joint_targets": self.settings.get("joint_targets"),
                "replicates": self.settings["replicates"], "seed": self.settings["seed"]}
