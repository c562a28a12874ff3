"""Have the posterior's chains converged? (docs/calibration.md, "Parameter uncertainty")

emcee's rule asks for a chain longer than 50 integrated autocorrelation times, with the estimate no
longer growing as the chain grows. The usual rule outside emcee (Vehtari et al. 2021, "Rank-
normalization, folding, and localization", Bayesian Analysis 16: 667-718) asks for a rank-normalised
split R-hat below 1.01 and a bulk and tail effective sample size of at least 400 for every
parameter. For chains saved by ``scripts/posterior_forecast.py --chain`` (with ``--checkpoint-every``
they carry the autocorrelation estimate at each checkpoint) this script reports, after discarding
the first ``--burn-fraction`` of each:

- each chain's length, walkers, acceptance, autocorrelation estimate (median and largest over the
  parameters) and its history, and the length in units of the largest;
- per parameter, ArviZ's rank-normalised split R-hat and bulk and tail effective sample sizes, each
  walker counted as a chain, within each chain and over all chains pooled (walkers of one ensemble
  are not independent, so the pooled figure across chains started apart, with other seeds or
  proposals, is the stricter test);
- per parameter, each chain's 5 %, 50 % and 95 % quantiles and the largest gap between the chains'
  medians in units of the pooled standard deviation;
- each chain's squared jump over L steps (``--lags``), per walker, over twice the pooled
  posterior variance (median and smallest over the parameters): it reaches 1 once draws L steps
  apart are independent, and compares how fast samplers move at equal steps even when no chain is
  long enough for an autocorrelation estimate (the expected squared jump distance of Pasarica and
  Gelman 2010, Statistica Sinica 20: 343-364, scaled by the posterior);
- each chain's mean log posterior over its walkers, by tenth of the chain, against the best value
  it met: a chain still drifting down is still spreading out from its start. Near a Gaussian mode
  the log posterior of a stationary chain in d dimensions sits d/2 below the mode on average
  (its drop is chi-square with d degrees of freedom, halved), so 9 below for the 18 parameters.

With ``--figure`` it draws each chain's autocorrelation estimate against the chain's length, beside
the line length / 50 that the estimate must fall under (emcee's documentation, "Autocorrelation
analysis & convergence").

    python scripts/posterior_convergence.py de_all.npz st_all.npz --json convergence.json --figure tau.png
"""

from __future__ import annotations

import argparse
import itertools
import json
import logging
import warnings
from pathlib import Path

import emcee
import numpy as np

with warnings.catch_warnings():  # ArviZ 0.2x announces its 1.0 refactor on import
    warnings.simplefilter("ignore", FutureWarning)
    import arviz as az

#: Vehtari et al. (2021)'s thresholds.
RHAT_AT_MOST = 1.01
ESS_AT_LEAST = 400
#: emcee's: chain length over the largest autocorrelation time.
TAU_MULTIPLE = 50
#: The figure's heading when the chains sample the posterior on every coded point.
DEFAULT_TITLE = "Posterior on every coded point"


def chain_diagnostics(chain: np.ndarray, burn: int) -> dict:
    """emcee's autocorrelation estimate of ``chain[burn:]`` (steps, walkers, parameters)."""
    logging.getLogger("emcee").setLevel(logging.ERROR)  # its warning of a short chain: reported below
    with np.errstate(invalid="ignore", divide="ignore"):
        tau = emcee.autocorr.integrated_time(chain[burn:], quiet=True)
    kept = chain.shape[0] - burn
    return {"steps": int(chain.shape[0]), "kept": int(kept), "walkers": int(chain.shape[1]),
            "tau": tau.tolist(), "tau_median": float(np.median(tau)), "tau_max": float(tau.max()),
            "length_in_tau": float(kept / tau.max()),
            "ess_emcee": float(chain.shape[1] * kept / tau.max())}


def log_posterior_trace(log_prob: np.ndarray, pieces: int = 10) -> list[tuple[int, float]]:
    """The mean log posterior over walkers and steps in each of ``pieces`` equal stretches of a
    chain's ``log_prob`` (steps, walkers), as (last step of the stretch, mean)."""
    edges = np.linspace(0, len(log_prob), pieces + 1).astype(int)
    return [(int(b), float(log_prob[a:b].mean())) for a, b in itertools.pairwise(edges)
            if b > a]


def squared_jumps(kept: np.ndarray, lags: tuple[int, ...], variance: np.ndarray) -> dict[str, dict]:
    """Mean squared jump of each parameter over ``lag`` steps, over twice ``variance``, for the kept
    steps of a chain, (steps, walkers, parameters): 1 when draws that far apart are independent, less
    while they are not. Median and smallest over the parameters, by lag (lags the chain is too short
    for are left out).

    Args:
        kept: the chain after its burn-in.
        lags: the lags, in steps.
        variance: each parameter's posterior variance, (parameters,).
    """
    out = {}
    twice = 2 * np.where(variance > 0, variance, 1.0)
    for lag in lags:
        if lag < len(kept):
            jump = ((kept[lag:] - kept[:-lag]) ** 2).mean(axis=(0, 1)) / twice
            out[str(lag)] = {"median": float(np.median(jump)), "min": float(jump.min())}
    return out


def arviz_diagnostics(walkers_first: np.ndarray) -> dict[str, np.ndarray]:
    """Rank-normalised split R-hat, bulk and tail ESS per parameter of draws shaped (chains, draws,
    parameters) (each walker a chain)."""
    out = {"rhat": [], "ess_bulk": [], "ess_tail": []}
    for j in range(walkers_first.shape[2]):
        x = walkers_first[:, :, j]
        out["rhat"].append(float(az.rhat(x, method="rank")))
        out["ess_bulk"].append(float(az.ess(x, method="bulk")))
        out["ess_tail"].append(float(az.ess(x, method="tail")))
    return {k: np.array(v) for k, v in out.items()}


def diagnose(chains: list[np.ndarray], names: list[str], burn_fraction: float, thin: int,
             lags: tuple[int, ...] = (50, 250, 1000)) -> dict:
    """Every figure of the module docstring for ``chains`` (each (steps, walkers, parameters));
    ``lags`` (steps) for the squared jumps."""
    kept = []
    per_chain = []
    for chain in chains:
        burn = int(burn_fraction * len(chain))
        per_chain.append(chain_diagnostics(chain, burn))
        kept.append(np.swapaxes(chain[burn::thin], 0, 1))  # (walkers, draws, parameters)
    shortest = min(k.shape[1] for k in kept)
    pooled = np.concatenate([k[:, -shortest:] for k in kept], axis=0)
    within = [arviz_diagnostics(k) for k in kept]
    across = arviz_diagnostics(pooled)
    flat = [k.reshape(-1, k.shape[2]) for k in kept]
    sd = pooled.reshape(-1, pooled.shape[2]).std(axis=0)
    for chain, info in zip(chains, per_chain, strict=True):
        info["squared_jump"] = squared_jumps(chain[len(chain) - info["kept"]:], lags, sd ** 2)
    medians = np.array([np.median(f, axis=0) for f in flat])
    gap = (medians.max(axis=0) - medians.min(axis=0)) / np.where(sd > 0, sd, 1.0)
    parameters = {}
    for j, name in enumerate(names):
        parameters[name] = {
            "rhat_within": [float(w["rhat"][j]) for w in within],
            "ess_bulk_within": [float(w["ess_bulk"][j]) for w in within],
            "ess_tail_within": [float(w["ess_tail"][j]) for w in within],
            "rhat_pooled": float(across["rhat"][j]),
            "ess_bulk_pooled": float(across["ess_bulk"][j]),
            "ess_tail_pooled": float(across["ess_tail"][j]),
            "quantiles": [dict(zip(("q05", "median", "q95"),
                                   np.quantile(f[:, j], [0.05, 0.5, 0.95]).tolist(), strict=True))
                          for f in flat],
            "median_gap_in_sd": float(gap[j]),
        }
    worst = {
        "rhat_pooled": max(p["rhat_pooled"] for p in parameters.values()),
        "ess_bulk_pooled": min(p["ess_bulk_pooled"] for p in parameters.values()),
        "ess_tail_pooled": min(p["ess_tail_pooled"] for p in parameters.values()),
        "rhat_within": max(max(p["rhat_within"]) for p in parameters.values()),
        "median_gap_in_sd": max(p["median_gap_in_sd"] for p in parameters.values()),
        "length_in_tau": min(c["length_in_tau"] for c in per_chain),
    }
    worst["converged_by_rhat_and_ess"] = bool(worst["rhat_pooled"] <= RHAT_AT_MOST
                                              and worst["ess_bulk_pooled"] >= ESS_AT_LEAST
                                              and worst["ess_tail_pooled"] >= ESS_AT_LEAST)
    worst["converged_by_emcee_rule"] = bool(worst["length_in_tau"] >= TAU_MULTIPLE)
    return {"burn_fraction": burn_fraction, "thin": thin, "chains": per_chain,
            "parameters": parameters, "worst": worst}


def tau_figure(chains: list[dict], labels: list[str], path: str | Path, burn_fraction: float,
               dimensions: int, title: str = DEFAULT_TITLE) -> None:
    """Each chain's autocorrelation estimate (largest and median over the parameters) against its
    length, and the line length x (1 - ``burn_fraction``) / 50: emcee's rule is met where the largest
    estimate falls under it and has stopped growing. Beside it, each chain's mean log posterior by
    tenth of the chain and the level a stationary chain in ``dimensions`` would hold. ``title`` names
    the posterior the chains sample (which points it is fitted to)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (ax, lp_ax) = plt.subplots(1, 2, figsize=(11, 4.2), constrained_layout=True)
    longest = 0
    for chain, label, colour in zip(chains, labels, plt.rcParams["axes.prop_cycle"].by_key()["color"],
                                    strict=False):
        history = np.asarray(chain["tau_history"], dtype=float).reshape(-1, 3)
        if not len(history):
            continue
        longest = max(longest, history[:, 0].max())
        ax.plot(history[:, 0], history[:, 2], "o-", color=colour, label=f"{label}: largest")
        ax.plot(history[:, 0], history[:, 1], "o--", color=colour, alpha=0.6, label=f"{label}: median")
        if chain.get("log_prob_trace"):
            steps_at, mean_lp = np.array(chain["log_prob_trace"], dtype=float).T
            lp_ax.plot(steps_at, mean_lp, "o-", color=colour, label=f"{label}: mean over walkers")
            lp_ax.axhline(chain["log_prob_best"] - dimensions / 2, color=colour, ls=":",
                          label=f"{label}: best - d/2 (stationary, Gaussian)")
    steps = np.linspace(0, longest, 50)
    ax.plot(steps, steps * (1 - burn_fraction) / TAU_MULTIPLE, "k:",
            label=f"kept steps / {TAU_MULTIPLE} (burn-in {burn_fraction:.0%})")
    ax.set_xlabel("chain length (steps per walker)")
    ax.set_ylabel("integrated autocorrelation time (steps)")
    fig.suptitle(title, fontsize=11)
    ax.set_title("Autocorrelation estimate as the chains grow", fontsize=10)
    ax.legend(fontsize=8)
    lp_ax.set_xlabel("chain length (steps per walker)")
    lp_ax.set_ylabel("mean log posterior over the walkers")
    lp_ax.set_title("Still spreading out from the start?", fontsize=10)
    lp_ax.legend(fontsize=8)
    fig.savefig(path, dpi=150)
    plt.close(fig)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("chains", nargs="+", help=".npz chains saved by posterior_forecast.py --chain")
    parser.add_argument("--burn-fraction", type=float, default=0.25)
    parser.add_argument("--thin", type=int, default=1, help="keep every THIN-th step for R-hat and ESS")
    parser.add_argument("--json")
    parser.add_argument("--figure", help="draw the autocorrelation estimates' histories to this PNG")
    parser.add_argument("--labels", nargs="+", help="the chains' names in the figure (default: files)")
    parser.add_argument("--title", default=DEFAULT_TITLE,
                        help="the posterior the chains sample, heading the figure")
    parser.add_argument("--lags", type=int, nargs="+", default=[50, 250, 1000],
                        help="lags (steps) of the squared jumps")
    args = parser.parse_args()
    saved = [np.load(path) for path in args.chains]
    names = [str(n) for n in saved[0]["names"]]
    out = diagnose([s["chain"] for s in saved], names, args.burn_fraction, args.thin, tuple(args.lags))
    out["files"] = args.chains
    for path, s, c in zip(args.chains, saved, out["chains"], strict=True):
        c["acceptance"] = float(s["acceptance"]) if "acceptance" in s else None
        c["log_prob_trace"] = log_posterior_trace(s["log_prob"]) if "log_prob" in s else []
        c["log_prob_best"] = float(s["log_prob"].max()) if "log_prob" in s else None
        c["tau_history"] = s["tau_history"].tolist() if "tau_history" in s else []
        history = ", ".join(f"{int(n)}: {m:.0f}/{x:.0f}" for n, m, x in c["tau_history"])
        print(f"{path}: {c['walkers']} walkers x {c['steps']} steps ({c['kept']} kept), acceptance "
              f"{c['acceptance']}, autocorrelation time median {c['tau_median']:.0f} / max "
              f"{c['tau_max']:.0f} steps, so {c['length_in_tau']:.1f} of the largest "
              f"(emcee's ESS {c['ess_emcee']:.0f})")
        if history:
            print(f"  history (steps: median/max): {history}")
        jumps = ", ".join(f"{lag}: {j['median']:.2f} (smallest {j['min']:.2f})"
                          for lag, j in c["squared_jump"].items())
        print(f"  squared jump / (2 x posterior variance), by lag in steps (1: independent): {jumps}")
        if c["log_prob_trace"]:
            trace = ", ".join(f"{n}: {v:.1f}" for n, v in c["log_prob_trace"])
            print(f"  mean log posterior by tenth (to step): {trace}; best {c['log_prob_best']:.1f}, so a "
                  f"stationary chain would sit near {c['log_prob_best'] - len(names) / 2:.1f}")
    print(f"{'parameter':24s} {'R-hat within':>16s} {'R-hat all':>9s} {'ESS bulk':>9s} {'ESS tail':>9s} "
          f"{'medians':>24s} {'gap/sd':>7s}")
    for name, p in out["parameters"].items():
        within = "/".join(f"{r:.3f}" for r in p["rhat_within"])
        medians = "/".join(f"{q['median']:.3g}" for q in p["quantiles"])
        print(f"{name:24s} {within:>16s} {p['rhat_pooled']:9.3f} {p['ess_bulk_pooled']:9.0f} "
              f"{p['ess_tail_pooled']:9.0f} {medians:>24s} {p['median_gap_in_sd']:7.2f}")
    w = out["worst"]
    print(f"worst: R-hat {w['rhat_pooled']:.3f} (<= {RHAT_AT_MOST}), ESS bulk "
          f"{w['ess_bulk_pooled']:.0f} / tail {w['ess_tail_pooled']:.0f} (>= {ESS_AT_LEAST}), "
          f"length {w['length_in_tau']:.1f} autocorrelation times (>= {TAU_MULTIPLE}); converged by "
          f"R-hat and ESS: {w['converged_by_rhat_and_ess']}, by emcee's rule: "
          f"{w['converged_by_emcee_rule']}")
    if args.figure:
        tau_figure(out["chains"], args.labels or [Path(c).stem for c in args.chains], args.figure,
                   args.burn_fraction, len(names), args.title)
    if args.json:
        Path(args.json).write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
