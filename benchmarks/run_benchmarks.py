"""Performance benchmark of the alignment model (issue 3).

Prints one line per figure, with its target and PASS/MISS:

* ``single_run_ms``: one historical run (the scenario already loaded) with 1 replicate,
  ``record="full"``: model construction and all monthly steps, in ms (the same with
  ``record="tilt"`` is printed for information);
* ``runs_per_s_R1000`` / ``runs_per_s_R10000``: replicate-runs per second per core of one
  batched model with R replicates, ``record="tilt"`` (what sweeps and calibration use),
  construction and all steps timed, one process and one BLAS/OpenMP thread; each model is
  released once run, as the apps release theirs;
  the same R with each replicate on its own posterior draw, and at the calibrated parameters
  (which anticipate partners two levels deep, ``anticipation`` 2) with each month's supports
  settled instead (``partners_now`` 1, ``anticipation`` 0) or not anticipated at all
  (``anticipation`` 0), are printed for information;
* ``batch_run_runs_per_s``: the same model class driven by ``mesa.batch_run``, one replicate per
  run (its default), one process, over N runs (default 200), in replicate-runs per second;
* ``speedup_vs_batch_run``: ``runs_per_s_R10000`` divided by ``batch_run_runs_per_s``; the
  ratio at equal small N (one batched model with R = N against the N batch_run runs) is
  printed too and kept in the JSON's ``extra``;
* ``peak_rss_mb_R10000``: peak resident memory (VmHWM) of a fresh process that loads the
  scenario and runs R = 10,000 with ``record="tilt"``, in MB (2**20 bytes);
* ``attribution_6_groups_200_replicates_s``: the Shapley attribution of ``python -m sim.attribute``
  (issue 12): all 64 coalitions of the six input groups x 200 replicates over 2018-06..2019-08 as
  one batched model (`sim.coalitions.run_coalitions`), in s (one warm-up run only: each takes
  seconds).

Every timed figure is the median of ``--repeats`` (at least 5) repetitions after three warm-up runs,
timed with ``time.perf_counter``. ``--json PATH`` also writes the figures to PATH;
``--quick`` runs everything at tiny sizes (for the test suite; no target is judged).

Run from the project's root::

    python benchmarks/run_benchmarks.py --json results/benchmarks.json
"""

from __future__ import annotations

import os

# One thread for the measurement: these must be set before numpy is first imported.
BLAS_THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
for _name in BLAS_THREAD_VARIABLES:
    os.environ[_name] = "1"

import argparse  # noqa: E402
import hashlib  # noqa: E402
import inspect  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import mesa  # noqa: E402
import numpy as np  # noqa: E402

from sim.model import AlignmentModel  # noqa: E402
from sim.scenario import Scenario, load_scenario  # noqa: E402
from sim.workers import available_cores  # noqa: E402

SCENARIO = "libya_2014_2019"

#: Issue 3's targets: key -> (comparison, bound, unit).
TARGETS: dict[str, tuple[str, float, str]] = {
    "single_run_ms": ("<=", 50.0, "ms"),
    "runs_per_s_R1000": ("", 0.0, "replicate-runs/s/core"),  # reported, no target
    "runs_per_s_R10000": (">=", 10_000.0, "replicate-runs/s/core"),
    "batch_run_runs_per_s": ("", 0.0, "replicate-runs/s"),  # reported, no target
    "speedup_vs_batch_run": (">=", 200.0, "x"),
    "peak_rss_mb_R10000": ("<=", 2048.0, "MB"),
    # issue 10: N = 1,024 Saltelli points x 8 replicates (311,296 runs) within 2 minutes and 2 GB
    "sweep_replicate_runs_per_s": (">=", 311_296 / 120, "replicate-runs/s"),
    "sweep_peak_rss_mb": ("<=", 2048.0, "MB"),
    # issue 12: exact Shapley attribution over 6 groups x 200 replicates within a minute
    "attribution_6_groups_200_replicates_s": ("<=", 60.0, "s"),
}

FULL_SIZES = {"repeats": 5, "R_small": 1_000, "R_large": 10_000, "batch_runs": 200, "sweep_n": 1024,
              "attribution_replicates": 200}
QUICK_SIZES = {"repeats": 1, "R_small": 8, "R_large": 16, "batch_runs": 3, "sweep_n": 0,
               "attribution_replicates": 2}


# ---------------------------------------------------------------------------- timing


#: Untimed runs before each timed series: the first runs of a process are slower (caches, page
#: faults, CPU frequency ramp-up on this shared VM), which is not the steady state being measured.
WARMUP_RUNS = 3


def median_seconds(work: Callable[[], Any], repeats: int,
                   warmup: int = WARMUP_RUNS) -> tuple[float, list[float]]:
    """Run ``work`` ``warmup`` times untimed, then ``repeats`` times timed; return (median, all)."""
    for _ in range(warmup):
        work()
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        work()
        times.append(time.perf_counter() - started)
    return statistics.median(times), times


def one_run(scenario: Scenario, replicates: int, record: str,
            params: Any = None) -> Callable[[], AlignmentModel]:
    """A closure building the model, running every month and releasing it (the scenario already
    loaded; ``params`` None: the calibrated set).

    Every app releases its finished models (`AlignmentModel.release`): Mesa 3.3 would otherwise
    keep each one alive (mesa issue 3179), and every later model would pay for fresh memory.
    """

    def work() -> AlignmentModel:
        model = AlignmentModel(scenario, params=params, replicates=replicates, seed=0,
                               first_replicate=0, record=record).run()
        model.release()
        return model

    return work


def posterior_run(scenario: Scenario, replicates: int) -> Callable[[], AlignmentModel]:
    """`one_run` (record="tilt") with each replicate on its own draw of the committed posterior
    (``python -m sim.run posterior=calibrated``): the fitted parameters are per-replicate arrays."""
    from sim.params import calibrated_params
    from sim.posterior import load_posterior

    return one_run(scenario, replicates, "tilt",
                   load_posterior("calibrated").applied(calibrated_params(), replicates))


def settled_run(scenario: Scenario, replicates: int) -> Callable[[], AlignmentModel]:
    """`one_run` (record="tilt") at the calibrated parameters with partners' support of this month
    settled instead of anticipated (``partners_now`` 1, ``anticipation`` 0): each month's supports
    settled as a fixed point (docs/ODD.md 7.8)."""
    from sim.params import calibrated_params

    settled = calibrated_params() | {"partners_now": 1.0, "anticipation": 0}
    return one_run(scenario, replicates, "tilt", settled)


def unanticipating_run(scenario: Scenario, replicates: int) -> Callable[[], AlignmentModel]:
    """`one_run` (record="tilt") at the calibrated parameters with no anticipation
    (``anticipation`` 0: each state answers its partners' support of last month, docs/ODD.md 7.8)."""
    from sim.params import calibrated_params

    return one_run(scenario, replicates, "tilt", calibrated_params() | {"anticipation": 0})


def attribution_run(scenario: Scenario, replicates: int) -> Any:
    """Every coalition of the six input groups over 2018-06..2019-08, as ``python -m sim.attribute``
    runs them."""
    from sim.attribute import ATTRIBUTION_GROUPS
    from sim.coalitions import run_coalitions
    from sim.dates import parse_month

    window = (parse_month("2018-06"), parse_month("2019-08"))
    return run_coalitions(scenario, None, ATTRIBUTION_GROUPS, window, replicates=replicates, seed=0)


# ---------------------------------------------------------------------------- mesa.batch_run

_SCENARIO_CACHE: dict[str, Scenario] = {}


def cached_scenario(name: str) -> Scenario:
    """Load each scenario once per process."""
    if name not in _SCENARIO_CACHE:
        _SCENARIO_CACHE[name] = load_scenario(name)
    return _SCENARIO_CACHE[name]


def batch_run_once(runs: int, scenario: str) -> list[dict[str, Any]]:
    """``runs`` single-replicate runs of `AlignmentModel` through `mesa.batch_run`, in this process.

    Seeds 0..runs-1 with Mesa's ``rng=[...]`` where it has it (>= 3.5); with ``iterations=``
    (Mesa 3.3) each run draws its own seed, as Mesa does.
    """
    parameters = inspect.signature(mesa.batch_run).parameters
    per_run: dict[str, Any] = {"rng": list(range(runs))} if "rng" in parameters else {"iterations": runs}
    results = mesa.batch_run(AlignmentModel, parameters={"scenario": scenario, "record": "tilt"},
                             number_processes=1, max_steps=10_000, data_collection_period=-1,
                             display_progress=False, **per_run)
    if len(results) != runs or "tilt_ITA" not in results[0]:
        raise RuntimeError(f"batch_run returned {len(results)} rows for {runs} runs")
    return results


# ---------------------------------------------------------------------------- memory


def _status_kb(field: str) -> int | None:
    """A ``kB`` field of /proc/self/status (Linux), or None."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _peak_rss_kb() -> int:
    """Peak resident memory of this process in kB (VmHWM; ru_maxrss where /proc is missing)."""
    peak = _status_kb("VmHWM")
    if peak is not None:
        return peak
    import resource

    scale = 1024 if sys.platform == "darwin" else 1  # macOS reports bytes
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // scale


def memory_child(scenario_name: str, replicates: int) -> None:
    """Inside the fresh subprocess: load, run R replicates, print JSON with the memory figures."""
    scenario = load_scenario(scenario_name)
    before_kb = _status_kb("VmRSS")
    one_run(scenario, replicates, "tilt")()
    print(json.dumps({"peak_kb": _peak_rss_kb(), "before_run_kb": before_kb,
                      "threads": _thread_names()}))


def _thread_names() -> list[str]:
    """Names of this process's OS threads (Linux), e.g. ``python`` and allocator helpers."""
    try:
        return sorted((task / "comm").read_text().strip() for task in Path("/proc/self/task").iterdir())
    except OSError:
        return []


def measure_peak_rss(scenario_name: str, replicates: int) -> dict[str, Any]:
    """Peak RSS of a fresh process running R replicates (so the number is that run's own)."""
    command = [sys.executable, str(Path(__file__).resolve()), "--scenario", scenario_name,
               "--_memory-child", str(replicates)]
    proc = subprocess.run(command, capture_output=True, text=True, env=os.environ.copy(),
                          check=False, timeout=1800)
    if proc.returncode != 0:
        raise RuntimeError(f"memory measurement failed:\n{proc.stderr}")
    child = json.loads(proc.stdout.strip().splitlines()[-1])
    mb = 1024.0
    return {
        "peak_rss_mb": child["peak_kb"] / mb,
        "rss_before_run_mb": (child["before_run_kb"] or 0) / mb,
        "threads": child["threads"],
    }


# ---------------------------------------------------------------------------- background load


class BackgroundLoad:
    """CPU used by *other* processes while the benchmark runs (Linux ``/proc/stat``), in cores.

    Timings on a small machine move a lot when something else runs on the other core; this says
    whether they were taken on a quiet machine.
    """

    def __init__(self) -> None:
        self.start_busy, self.start_own, self.start_wall = self._busy(), self._own(), time.monotonic()

    @staticmethod
    def _busy() -> float | None:
        try:
            fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        except (OSError, ValueError):
            return None
        idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
        busy = sum(fields[:8]) - idle  # user nice system idle iowait irq softirq steal
        return busy / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _own() -> float:
        t = os.times()
        return t.user + t.system + t.children_user + t.children_system

    def cores(self) -> float | None:
        """Average number of cores other processes kept busy since construction."""
        busy = self._busy()
        if busy is None or self.start_busy is None:
            return None
        wall = max(time.monotonic() - self.start_wall, 1e-9)
        return max(0.0, (busy - self.start_busy) - (self._own() - self.start_own)) / wall


# ---------------------------------------------------------------------------- machine


def measure_sweep(n: int) -> dict[str, Any]:
    """``python -m sim.sweep sweep=italy_sobol sweep.n=N`` in a fresh process: its replicate-runs
    per second (from its sweep.json) and the process's peak resident memory."""
    import json
    import resource
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "sweep"
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        proc = subprocess.run([sys.executable, "-m", "sim.sweep", "sweep=italy_sobol", f"sweep.n={n}",
                               "sweep.progress=false", f"hydra.run.dir={out}"],
                              capture_output=True, text=True, timeout=1800)
        if proc.returncode != 0:
            raise RuntimeError(f"the sweep failed: {proc.stderr.strip().splitlines()[-1:]}")
        peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        report = json.loads((out / "sweep.json").read_text(encoding="utf-8"))
    return {"runs_per_s": report["replicate_runs_per_s"], "runs": report["replicate_runs"],
            "seconds": report["wall_time_s"], "peak_rss_mb": max(peak_kb, before) / 1024}


def machine_info() -> dict[str, Any]:
    """CPU model, cores, Python, numpy and mesa versions (and the BLAS thread settings)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = available_cores()
    blas = None
    try:
        config = np.show_config(mode="dicts")
        blas = config["Build Dependencies"]["blas"]["name"]
    except Exception:  # older numpy: no dict mode
        pass
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": np.__version__,
        "mesa": mesa.__version__,
        "blas": blas,
        "thread_env": {name: os.environ.get(name) for name in BLAS_THREAD_VARIABLES},
    }


def code_fingerprint() -> str:
    """sha256 (first 12 hex digits) of the ``sim`` package's sources: which code was measured."""
    import sim

    digest = hashlib.sha256()
    package = Path(sim.__file__).resolve().parent
    for path in sorted(package.rglob("*.py")):
        digest.update(path.relative_to(package).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


# ---------------------------------------------------------------------------- report


def verdict(key: str, value: float, judged: bool) -> str:
    op, bound, unit = TARGETS[key]
    if not op:
        return "(no target)"
    target = f"target {op} {bound:,.0f} {unit}"
    if not judged:
        return f"{target}: not judged (--quick)"
    ok = value <= bound if op == "<=" else value >= bound
    return f"{target}: {'PASS' if ok else 'MISS'}"


def spread(times: list[float], scale: float, unit: str) -> str:
    """``min-max`` of the timed repetitions, for judging the noise of a median."""
    return f"range {min(times) * scale:,.3g}-{max(times) * scale:,.3g} {unit}"


def line(key: str, value: float, unit: str, detail: str, judged: bool) -> None:
    print(f"{key:<22} {value:>12,.2f} {unit:<22} {verdict(key, value, judged):<40} {detail}", flush=True)


def run(args: argparse.Namespace) -> dict[str, Any]:
    sizes = dict(QUICK_SIZES if args.quick else FULL_SIZES)
    if args.repeats is not None:
        sizes["repeats"] = args.repeats
    if args.batch_runs is not None:
        sizes["batch_runs"] = args.batch_runs
    repeats, R_small, R_large, N = (sizes[k] for k in ("repeats", "R_small", "R_large", "batch_runs"))
    judged = not args.quick
    load = BackgroundLoad()

    scenario = cached_scenario(args.scenario)
    machine = machine_info()
    print(f"machine: {machine['cpu']}, {machine['cores']} cores; Python {machine['python']}, "
          f"numpy {machine['numpy']}, mesa {machine['mesa']}; BLAS threads = 1", flush=True)
    print(f"scenario {scenario.name}: {scenario.n_months} months, {len(scenario.states)} states, "
          f"{len(scenario.factions)} factions; median of {repeats} after {WARMUP_RUNS} warm-up runs"
          f"{' (QUICK: tiny sizes, nothing judged)' if args.quick else ''}", flush=True)

    figures: dict[str, Any] = {}
    extra: dict[str, Any] = {}

    # 1. one historical run, R = 1 (record="full"; "tilt" for information)
    seconds, times = median_seconds(one_run(scenario, 1, "full"), repeats)
    figures["single_run_ms"] = seconds * 1e3
    extra["times_s"] = {"single_run_ms": times}
    line("single_run_ms", figures["single_run_ms"], "ms",
         f"R=1, record=full, build + all steps; {spread(times, 1e3, 'ms')}", judged)
    seconds, times = median_seconds(one_run(scenario, 1, "tilt"), repeats)
    extra["single_run_ms_tilt"] = seconds * 1e3
    extra["times_s"]["single_run_ms_tilt"] = times
    print(f"{'  (record=tilt)':<22} {extra['single_run_ms_tilt']:>12,.2f} ms {'':<63} "
          f"R=1, record=tilt; {spread(times, 1e3, 'ms')}", flush=True)

    # 2. throughput of one batched model, record="tilt"
    for key, R in (("runs_per_s_R1000", R_small), ("runs_per_s_R10000", R_large)):
        seconds, times = median_seconds(one_run(scenario, R, "tilt"), repeats)
        figures[key] = R / seconds
        extra["times_s"][key] = times
        line(key, figures[key], "replicate-runs/s/core",
             f"R={R:,}, record=tilt, {seconds:.3f} s/model run; {spread(times, 1.0, 's')}", judged)

    # the same throughput with each replicate on its own posterior draw, and with each month's
    # supports settled (for information: the ratio to runs_per_s_R1000, measured in the same run,
    # is what to read)
    for key, label, work, detail in (
            ("runs_per_s_R1000_posterior", "(posterior draws)", posterior_run,
             "each replicate its own posterior draw: {ratio:.2f} x the same R at the fitted parameters"),
            ("runs_per_s_R1000_partners_now", "(partners_now 1)", settled_run,
             "each month's supports settled, not anticipated: {ratio:.2f} x the same R anticipated"),
            ("runs_per_s_R1000_no_anticipation", "(anticipation 0)", unanticipating_run,
             "partners' support not anticipated: {ratio:.2f} x the same R anticipated two levels deep")):
        seconds, times = median_seconds(work(scenario, R_small), repeats)
        extra[key] = R_small / seconds
        extra["times_s"][key] = times
        ratio = extra[key] / figures["runs_per_s_R1000"]
        print(f"{'  ' + label:<22} {extra[key]:>12,.0f} replicate-runs/s/core {'':<41} R={R_small:,}, "
              f"{detail.format(ratio=ratio)}; {spread(times, 1.0, 's')}", flush=True)

    # 3. peak memory at R = R_large, in a fresh process
    memory = measure_peak_rss(args.scenario, R_large)
    figures["peak_rss_mb_R10000"] = memory["peak_rss_mb"]
    extra["rss_before_run_mb"] = memory["rss_before_run_mb"]
    extra["threads_in_memory_child"] = memory["threads"]
    line("peak_rss_mb_R10000", figures["peak_rss_mb_R10000"], "MB",
         f"R={R_large:,}, record=tilt, fresh process ({memory['rss_before_run_mb']:.0f} MB before the "
         f"run; threads: {', '.join(memory['threads']) or 'n/a'})", judged)

    # 4. the same N runs as one batched model and through mesa.batch_run (last: batch_run may set
    #    the multiprocessing start method globally)
    seconds, times = median_seconds(one_run(scenario, N, "tilt"), repeats)
    extra["runs_per_s_same_N"] = N / seconds
    extra["times_s"]["runs_per_s_same_N"] = times
    batch_run_once(min(N, 5), args.scenario)  # warm-up: a few runs through batch_run
    seconds, times = median_seconds(lambda: batch_run_once(N, args.scenario), repeats, warmup=0)
    figures["batch_run_runs_per_s"] = N / seconds
    extra["times_s"]["batch_run_runs_per_s"] = times
    line("batch_run_runs_per_s", figures["batch_run_runs_per_s"], "replicate-runs/s",
         f"{N} runs x 1 replicate, number_processes=1, {seconds:.2f} s; {spread(times, 1.0, 's')}",
         judged)
    # The headline ratio compares the two throughput figures: the batched engine at R = 10,000
    # (how sweeps and calibration run it) against batch_run's one-replicate runs. The ratio at
    # equal small N (one model with R = N against N batch_run runs) is printed and kept too.
    figures["speedup_vs_batch_run"] = figures["runs_per_s_R10000"] / figures["batch_run_runs_per_s"]
    line("speedup_vs_batch_run", figures["speedup_vs_batch_run"], "x",
         f"runs/s at R={R_large:,} vs batch_run over {N} runs", judged)
    extra["speedup_same_N_vs_batch_run"] = extra["runs_per_s_same_N"] / figures["batch_run_runs_per_s"]
    print(f"{'  (R=' + str(N) + ' vs batch_run)':<22} "
          f"{extra['speedup_same_N_vs_batch_run']:>12,.2f} x {'':<63} one model with R={N} "
          f"({extra['runs_per_s_same_N']:,.0f} runs/s) vs batch_run over the same {N} runs", flush=True)

    # 5. a Sobol sweep of Italy's course (issue 10), in a fresh process
    if sizes["sweep_n"]:
        sweep = measure_sweep(sizes["sweep_n"])
        figures["sweep_replicate_runs_per_s"] = sweep["runs_per_s"]
        figures["sweep_peak_rss_mb"] = sweep["peak_rss_mb"]
        line("sweep_replicate_runs_per_s", sweep["runs_per_s"], "replicate-runs/s",
             f"sweep=italy_sobol, N={sizes['sweep_n']}: {sweep['runs']:,} runs in {sweep['seconds']:.1f} s",
             judged)
        line("sweep_peak_rss_mb", sweep["peak_rss_mb"], "MB",
             "peak of the largest child process so far (the sweep outgrows the memory child)", judged)

    # 6. the Shapley attribution of issue 12: 2**6 coalitions x 200 replicates as one model
    replicates = sizes["attribution_replicates"]
    seconds, times = median_seconds(lambda: attribution_run(cached_scenario(args.scenario), replicates),
                                    repeats, warmup=1)
    figures["attribution_6_groups_200_replicates_s"] = seconds
    line("attribution_6_groups_200_replicates_s", seconds, "s",
         f"64 coalitions x {replicates} replicates, 2018-06..2019-08; {spread(times, 1, 's')}", judged)

    background = load.cores()
    extra["background_cpu_cores"] = background
    if background is not None:
        warning = "  WARNING: the machine was not quiet, timings pessimistic" if background > 0.2 else ""
        print(f"background load: other processes used {background:.2f} cores on average{warning}", flush=True)
    settings = {**sizes, "scenario": args.scenario, "quick": args.quick, "warmup": WARMUP_RUNS,
                "record_throughput": "tilt", "record_single_run": "full", "sim_sha256": code_fingerprint()}
    return {**figures, "machine": machine, "settings": settings, "extra": extra}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write the figures to PATH")
    parser.add_argument("--quick", action="store_true", help="tiny sizes, for the test suite")
    parser.add_argument("--scenario", default=SCENARIO, help=f"scenario name or path (default {SCENARIO})")
    parser.add_argument("--repeats", type=int,
                        help="timed repetitions per figure (default 5; 1 with --quick)")
    parser.add_argument("--batch-runs", type=int, help="runs through mesa.batch_run (default 200)")
    parser.add_argument("--only-run", type=int, metavar="R",
                        help="no benchmark: just build and run a model with R replicates (--times "
                        "times, --record mode), e.g. under `python -m cProfile`")
    parser.add_argument("--record", default="tilt", choices=("full", "tilt"), help="with --only-run")
    parser.add_argument("--times", type=int, default=1, help="with --only-run: how many runs")
    parser.add_argument("--_memory-child", type=int, dest="memory_child", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.memory_child is not None:
        memory_child(args.scenario, args.memory_child)
        return 0
    if args.only_run is not None:
        work = one_run(cached_scenario(args.scenario), args.only_run, args.record)
        for _ in range(args.times):
            work()
        return 0
    if not args.quick and (args.repeats or 5) < 5:
        parser.error("--repeats must be at least 5 (use --quick for a smoke run)")

    result = run(args)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
