"""Results folders: claimed by one run, staged privately, published whole by one atomic rename.

A run claims its folder ``run_dir`` by creating, with an exclusive ``mkdir``, a private staging
folder beside it (``.<name>.incomplete``), writes everything there, and publishes it with one
``rename`` onto ``run_dir``: a results folder is complete or absent, never half-written, and two runs
can never write into the same folder. Results are never overwritten.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import shutil
import signal
import socket
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NoReturn

from hydra.experimental.callback import Callback
from omegaconf import DictConfig, OmegaConf

from sim.errors import InputError

#: Suffix of the staging folder a run writes into before it publishes its results folder.
STAGING_SUFFIX = ".incomplete"
#: The file in a staging folder that names the run owning it.
OWNER_FILE = ".owner"


def run_token() -> str:
    """A token unique to this process, appended to default folder names (``${sim_run_id:}``):
    two runs started in the same second get different folders."""
    return _TOKEN


_TOKEN = f"{os.getpid()}{secrets.token_hex(2)}"
if not OmegaConf.has_resolver("sim_run_id"):
    OmegaConf.register_new_resolver("sim_run_id", run_token)


def staging_dir(run_dir: Path) -> Path:
    """Where a run writes before publishing ``run_dir`` (beside it, so the rename is atomic)."""
    return run_dir.parent / f".{run_dir.name}{STAGING_SUFFIX}"


def check_fresh(run_dir: Path) -> None:
    """Refuse a folder that already holds results, or a path that is not a folder."""
    if run_dir.exists() and not run_dir.is_dir():
        raise InputError(str(run_dir), "results folder", "is a file, not a folder: choose another "
                         "hydra.run.dir")
    if run_dir.is_dir() and any(run_dir.iterdir()):
        raise InputError(str(run_dir), "results folder", "already holds results; results are never "
                         "overwritten: choose another hydra.run.dir (or let it default to a new one)")


def discard_if_empty(run_dir: Path) -> None:
    """Remove a run folder that received nothing (a run stopped by bad input)."""
    with contextlib.suppress(OSError):
        if run_dir.is_dir() and not any(run_dir.iterdir()):
            run_dir.rmdir()


def _owner_alive(staging: Path) -> bool:
    """Whether the run that owns ``staging`` may still be running (False if it is known dead)."""
    try:
        host, pid = (staging / OWNER_FILE).read_text(encoding="utf-8").split()
        if host != socket.gethostname():
            return True  # another machine's run: cannot tell, assume alive
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except (OSError, ValueError):
        return True  # unreadable: assume alive rather than delete another run's files
    return True


def claim(run_dir: Path) -> Path:
    """Claim ``run_dir`` for this run: create its private staging folder exclusively.

    Returns:
        The staging folder.

    Raises:
        InputError: the folder holds results, another live run is writing it, or it cannot be
            written (a read-only parent, a path through a file).
    """
    check_fresh(run_dir)
    staging = staging_dir(run_dir)
    for _attempt in range(2):
        try:
            run_dir.parent.mkdir(parents=True, exist_ok=True)
            staging.mkdir()
            (staging / OWNER_FILE).write_text(f"{socket.gethostname()} {os.getpid()}\n",
                                              encoding="utf-8")
            return staging
        except FileExistsError:
            if _owner_alive(staging):
                raise InputError(str(run_dir), "results folder", f"is being written by another run "
                                 f"(its staging folder {staging} exists): choose another "
                                 "hydra.run.dir, or let it default to a new one") from None
            shutil.rmtree(staging, ignore_errors=True)  # left by a run that was killed
        except OSError as exc:
            raise InputError(str(run_dir), "results folder", f"cannot be written ({exc.strerror}: "
                             f"{exc.filename}); choose a writable hydra.run.dir") from None
    raise InputError(str(run_dir), "results folder", f"could not be claimed ({staging})")


def publish(staging: Path, run_dir: Path) -> None:
    """Move the staging folder onto ``run_dir`` in one rename (an empty ``run_dir`` is replaced)."""
    (staging / OWNER_FILE).unlink(missing_ok=True)
    try:
        os.rename(staging, run_dir)
    except OSError as exc:
        raise InputError(str(run_dir), "results folder", f"could not be published ({exc.strerror}); "
                         f"the results are in {staging}") from None


def abandon(staging: Path, run_dir: Path) -> None:
    """Remove the staging folder and an empty ``run_dir``: nothing is left of a failed run."""
    shutil.rmtree(staging, ignore_errors=True)
    discard_if_empty(run_dir)


@contextlib.contextmanager
def _terminate_as_exit() -> Iterator[None]:
    """While the block runs, SIGTERM raises SystemExit (so cleanup runs) instead of killing; an app
    that handles SIGTERM itself keeps its handler."""
    if (threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL):
        yield
        return

    def handler(signum, frame):
        raise SystemExit(128 + signum)

    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextlib.contextmanager
def claimed(run_dir: Path) -> Iterator[Path]:
    """Claim ``run_dir``, yield its private staging folder, publish it whole when the block ends.

    Whatever stops the block (an error, Ctrl-C, SIGTERM), the staging folder is removed and an
    empty ``run_dir`` with it: a results folder is either complete or absent.
    """
    staging = claim(run_dir)
    with _terminate_as_exit():
        try:
            yield staging
        except BaseException:
            abandon(staging, run_dir)
            raise
        try:
            publish(staging, run_dir)
        except BaseException:
            abandon(staging, run_dir)
            raise


def check_writable_parent(folder: Path) -> None:
    """Refuse a results path that cannot become a folder: one that runs through a file, or whose
    nearest existing ancestor is not writable."""
    for ancestor in [folder, *folder.parents]:
        if ancestor.exists():
            if not ancestor.is_dir():
                raise InputError(str(folder), "results folder", f"cannot be created: {ancestor} is a "
                                 "file, not a folder; choose another hydra.run.dir")
            if not os.access(ancestor, os.W_OK | os.X_OK):
                raise InputError(str(folder), "results folder", f"cannot be created: {ancestor} is "
                                 "not writable; choose another hydra.run.dir")
            return


class ResultsFolderCheck(Callback):
    """Hydra callback: check the results folder before Hydra creates it, so that a bad
    ``hydra.run.dir`` (through a file, read-only, already holding results) gets one clear message
    and exit code 2 instead of Hydra's traceback."""

    def on_run_start(self, config: DictConfig, **kwargs: Any) -> None:
        self._check(Path(str(config.hydra.run.dir)), fresh=True)

    def on_multirun_start(self, config: DictConfig, **kwargs: Any) -> None:
        self._check(Path(str(config.hydra.sweep.dir)), fresh=False)

    @staticmethod
    def _check(folder: Path, *, fresh: bool) -> None:
        try:
            check_writable_parent(folder)
            if fresh:
                check_fresh(folder)
        except InputError as exc:
            print(f"error: {exc}", file=sys.stderr)
            sys.exit(2)


#: What the apps answer with one line on stderr, exit code 2 and no folder: bad input
#: (`InputError` is a `ValueError`) and results that could not be written.
BAD_INPUT = (ValueError, OSError)


def failure_message(exc: Exception, run_dir: Path) -> str:
    """The one line an app prints for ``exc`` (one of `BAD_INPUT`); removes an empty ``run_dir``."""
    discard_if_empty(run_dir)
    if isinstance(exc, OSError):
        exc = InputError(str(run_dir), "results folder", f"could not be written ({exc.strerror}: "
                         f"{exc.filename}); nothing was published")
    return f"error: {exc}"


def exit_with(exc: Exception, run_dir: Path) -> NoReturn:
    """Print `failure_message` to stderr and exit with code 2."""
    print(failure_message(exc, run_dir), file=sys.stderr)
    sys.exit(2)


def write_config(cfg: Any, path: Path) -> None:
    """The resolved configuration that produced a folder, as YAML."""
    if OmegaConf.is_config(cfg):
        text = OmegaConf.to_yaml(cfg, resolve=True)
    else:
        text = OmegaConf.to_yaml(OmegaConf.create(cfg))
    path.write_text(text, encoding="utf-8")


def write_json(data: dict, path: Path) -> None:
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False, default=_jsonable) + "\n",
                    encoding="utf-8")


def _jsonable(value: Any) -> Any:
    if hasattr(value, "tolist"):
        return value.tolist()
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"{type(value)} is not JSON-serialisable")
