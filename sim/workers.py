"""Independent work side by side: how many worker processes, how each starts, and a pool that maps
one task over many inputs.

Workers are started with ``spawn`` (nothing inherited from the parent's threads) and each builds its
own context from plain settings: a `sim.scenario.Scenario` does not pickle, and rebuilding it costs
less than a second. They ignore Ctrl-C from birth (it reaches the whole process group; the parent
decides and terminates them) and exit within ``WATCH_S`` seconds of their parent's death, even a
``kill -9``.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from tqdm import tqdm

from sim.errors import InputError, brief

#: Seconds between a worker's checks that its parent is still alive.
WATCH_S = 0.5


def available_cores() -> int:
    """The cores this process may run on (its CPU affinity where the system tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def checked_workers(value: Any, file: str, key: str) -> int:
    """A ``workers`` setting checked: processes running side by side (None: one per core).

    Args:
        value: the setting as configured.
        file: the configuration file an error names.
        key: the setting's name an error names.
    """
    if value is None:
        return available_cores()
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InputError(file, key, f"is {brief(value)}; a positive integer, or null for one process "
                         "per core")
    return value


@contextlib.contextmanager
def ctrl_c_held() -> Iterator[None]:
    """Start worker processes in the block ignoring Ctrl-C from birth, and hold back (not lose) a
    Ctrl-C pressed meanwhile until the block ends, when this process gets it.

    A spawned worker inherits the parent's ignored signals (not its signal mask), and Python keeps
    an inherited ``SIG_IGN`` for SIGINT, so a Ctrl-C while a worker imports cannot stop it with a
    traceback of its own. Meanwhile SIGINT is also blocked in this thread, so that one arriving is
    kept pending (Linux keeps a blocked signal even while it is ignored) and delivered once the
    handler is back and the signal unblocked. Outside the main thread nothing is changed."""
    if threading.current_thread() is not threading.main_thread():  # signal.signal works there only
        yield
        return
    blockable = hasattr(signal, "pthread_sigmask")  # not on every system
    if blockable:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, signal.default_int_handler if previous is None else previous)
        if blockable:
            signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGINT})


def spawn_pool(processes: int, initializer: Callable[..., None], initargs: tuple) -> Any:
    """A `multiprocessing.pool.Pool` of ``processes`` spawned workers, each first running
    ``initializer(*initargs)`` (which calls `prepare_worker`), started with Ctrl-C held back
    (`ctrl_c_held`); a Ctrl-C pressed meanwhile terminates it and is raised here."""
    pool = None
    try:
        with ctrl_c_held():
            pool = multiprocessing.get_context("spawn").Pool(processes, initializer=initializer,
                                                             initargs=initargs)
    except BaseException:
        if pool is not None:
            pool.terminate()
        raise
    return pool


def prepare_worker(parent: int) -> None:
    """Set up a freshly spawned worker: Ctrl-C ignored, tqdm's lock a thread lock, Mesa's log quiet,
    and a watcher that ends the process once its parent is gone.

    Args:
        parent: the process id of the process that started the pool (its ``os.getpid()``, passed
            along: a parent killed before the worker started is then seen gone too).
    """
    # Ctrl-C reaches the whole group and the parent decides; a worker of `spawn_pool` ignores it
    # from birth already (`ctrl_c_held`), this covers a pool started otherwise
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # tqdm would make its lock a semaphore of the process (a worker's bars are off): one left behind
    # by a worker terminated on Ctrl-C is reported as leaked when the parent exits
    tqdm.set_lock(threading.RLock())
    logging.getLogger("MESA").setLevel(logging.WARNING)
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="parent-watch").start()


def _watch(parent: int) -> None:
    # a busy worker would otherwise carry its task (a fit: minutes) to the end for nobody
    while os.getppid() == parent:
        time.sleep(WATCH_S)
    os._exit(1)


class TaskPool:
    """Maps ``task(context, spec)`` over inputs, in this process or in worker processes.

    With fewer than 2 workers every call runs here, on ``context``. Otherwise a pool of ``workers``
    spawned processes is started at the first `map` with 2 inputs or more; each worker builds its
    own context once, ``build_context(settings)``, which must equal ``context`` in every respect
    ``task`` reads. ``task`` and ``build_context`` are module-level functions (they are pickled by
    name) and every spec and result pickles. Use as a context manager: leaving it stops the
    workers, terminating them when an exception (Ctrl-C, SIGTERM) leaves it.

    Args:
        task: the work on one input, ``task(context, spec) -> result``.
        context: this process's context (the scenario, the settings, ...).
        build_context: builds a worker's context from ``settings``.
        settings: plain data from which ``build_context`` builds it.
        workers: processes at most.
    """

    def __init__(self, task: Callable[[Any, Any], Any], context: Any, *,
                 build_context: Callable[[Any], Any], settings: Any, workers: int) -> None:
        self.task, self.context = task, context
        self.build_context, self.settings, self.workers = build_context, settings, workers
        self._pool: Any = None

    def map(self, specs: Iterable[Any], *, desc: str, progress: bool) -> list[Any]:
        """``task`` on every spec, results in the specs' order.

        Args:
            specs: the inputs.
            desc: the progress bar's label.
            progress: whether to show the progress bar (stderr).
        """
        specs = list(specs)
        here = self.workers < 2 or len(specs) < 2
        results = ((self.task(self.context, spec) for spec in specs) if here
                   else self._started().imap(_run, specs))
        with tqdm(total=len(specs), desc=desc, unit="run", disable=not progress) as bar:
            found = []
            for result in results:
                found.append(result)
                bar.update()
        return found

    def _started(self) -> Any:
        if self._pool is None:
            self._pool = spawn_pool(self.workers, _start, (self.task, self.build_context, self.settings,
                                                           os.getpid()))
        return self._pool

    def __enter__(self) -> TaskPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        if self._pool is None:
            return
        if kind is None:
            self._pool.close()
        else:
            self._pool.terminate()
        self._pool.join()
        self._pool = None


#: A worker's task and context.
_WORKER: dict[str, Any] = {}


def _start(task: Callable[[Any, Any], Any], build_context: Callable[[Any], Any], settings: Any,
           parent: int) -> None:
    prepare_worker(parent)
    _WORKER.update(task=task, context=build_context(settings))


def _run(spec: Any) -> Any:
    return _WORKER["task"](_WORKER["context"], spec)

