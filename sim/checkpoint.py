"""Atomic file writes, and the checkpoint that lets an interrupted calibration resume exactly.

A checkpoint is one JSON file, ``checkpoint.json``, in a checkpoint folder, rewritten atomically
after every generation of every fit::

    {"format": 1,
     "started": "2026-11-30T05:22:31Z",          # when the first attempt began (the files' stamp)
     "fingerprint": {"calibrate": {...}, "params": {...}},   # the settings the results depend on
     "finished": {"main": {"x": [...], "objective": ..., ...}, "restart 1": {...}},
     "current": {"restart 2": {...}, "restart 3": {...}}}   # every fit under way: its state

A state is `sim.calibration.Calibrator.fit`'s state after its last finished generation (the
population, its objectives and the optimiser's random generator). JSON keeps every float exactly
(Python writes the shortest text that reads back to the same double) and stays readable. Fits run
side by side (`sim.parallel_fits`) are each under way at once; the parent process alone writes the
file. A checkpoint of format 1 (one fit under way, ``"current": {"key": ..., "state": ...}``) is
read as the same progress.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from sim.errors import InputError

#: The checkpoint's file name inside its folder.
CHECKPOINT_FILE = "checkpoint.json"
#: Bumped when the file's layout changes; a checkpoint of another format is refused.
FORMAT = 2
#: Formats read on resume: 1 kept one fit under way as ``{"key": ..., "state": ...}``.
READABLE_FORMATS = (1, 2)
#: Where the settings behind the messages live.
WHERE = "configs/calibrate"


def write_atomic(path: Path, data: str | bytes) -> None:
    """Write ``path`` so that it is always either the old file or the whole new one.

    Args:
        path: the file written.
        data: its whole contents (text is written as UTF-8).

    The data goes to a temporary file in the same folder (same file system), is flushed to disk,
    then renamed over ``path`` (`os.replace` is atomic on POSIX and Windows). A write cut short,
    by an exception, a signal or ``kill -9``, leaves at most a stray ``.NAME.*.tmp`` beside it.
    """
    path = Path(path)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    temp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}.tmp")
    try:
        # os.open with 0o666 lets the umask set the permissions, as for a plain write
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            temp.unlink()
        raise
    with contextlib.suppress(OSError):  # make the rename itself durable (POSIX; not on Windows)
        folder = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(folder)
        finally:
            os.close(folder)


def default_folder(run_dir: Path) -> Path:
    """Where a run's checkpoint goes unless ``calibrate.checkpoint_dir`` says otherwise:
    ``.checkpoints/NAME`` beside the run folder (``results/calibrate/.checkpoints/<time>``), so
    the results folder only ever receives results."""
    return run_dir.parent / ".checkpoints" / run_dir.name


def locate(given: Path) -> Path:
    """The checkpoint folder named by ``calibrate.resume``: the folder itself or a run folder."""
    for folder in (given, default_folder(given)):
        if (folder / CHECKPOINT_FILE).is_file():
            return folder
    raise InputError(WHERE, "calibrate.resume", f"no {CHECKPOINT_FILE} in {given} nor in "
                     f"{default_folder(given)}; give a checkpoint folder or the interrupted run's folder")


def differences(stored: Any, current: Any, name: str = "") -> list[str]:
    """What differs between two plain nested values: ``NAME is A there, B here`` for each entry."""
    if isinstance(stored, dict) and isinstance(current, dict):
        found = []
        for key in sorted(set(stored) | set(current), key=str):
            inner = f"{name}.{key}" if name else str(key)
            found.extend(differences(stored.get(key, ABSENT), current.get(key, ABSENT), inner))
        return found
    if stored == current:
        return []
    return [f"{name} is {_short(stored)} there, {_short(current)} here"]


#: Stands for an entry one side lacks, in `differences`.
ABSENT = "(absent)"


def _short(value: Any) -> str:
    text = value if value is ABSENT else json.dumps(value)
    return text if len(text) <= 40 else text[:37] + "..."


class Checkpoint:
    """The progress of one calibration: its finished fits and the state of the fit under way.

    Args:
        folder: the checkpoint folder (created on the first save).
        fingerprint: the settings the results depend on, as plain data (JSON-able).
        started: when the first attempt began, ISO 8601 in UTC (``2026-11-30T05:22:31Z``).
        finished: fit key -> that fit's result (`sim.calibration.Calibrator.fit`, ``x`` a list).
        current: fit key -> the state of that fit, for each fit under way.
    """

    def __init__(self, folder: Path, fingerprint: dict, started: str,
                 finished: dict[str, dict] | None = None, current: dict[str, dict] | None = None) -> None:
        self.folder = Path(folder)
        self.fingerprint = json.loads(json.dumps(fingerprint))  # as it reads back from the file
        self.started = started
        self.finished = dict(finished or {})
        self.current = dict(current or {})

    @property
    def path(self) -> Path:
        return self.folder / CHECKPOINT_FILE

    @property
    def digest(self) -> str:
        """The settings' fingerprint as 16 hex digits of its SHA-256: the same for every attempt of
        one calibration and for any calibration made with the same settings, whenever it ran."""
        canonical = json.dumps(self.fingerprint, sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]

    @classmethod
    def create(cls, folder: Path, fingerprint: dict, started: str) -> Checkpoint:
        """A new checkpoint, saved at once; refuses a folder holding an unfinished run's."""
        checkpoint = cls(folder, fingerprint, started)
        if checkpoint.path.exists():
            raise InputError(WHERE, "calibrate.checkpoint_dir", f"{checkpoint.folder} holds the "
                             "checkpoint of an unfinished run: resume it with "
                             f"calibrate.resume={checkpoint.folder}, or remove that folder")
        checkpoint.folder.mkdir(parents=True, exist_ok=True)
        checkpoint.save()
        return checkpoint

    @classmethod
    def resume(cls, folder: Path, fingerprint: dict) -> Checkpoint:
        """The checkpoint in ``folder``; refused unless it was made with the same fingerprint
        (settings, parameters, data digests)."""
        try:
            data = json.loads((Path(folder) / CHECKPOINT_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(WHERE, "calibrate.resume", f"cannot read {folder / CHECKPOINT_FILE}: "
                             f"{exc}") from None
        if not isinstance(data, dict) or data.get("format") not in READABLE_FORMATS:
            found = data.get("format") if isinstance(data, dict) else None
            raise InputError(WHERE, "calibrate.resume", f"{folder} holds no checkpoint of format "
                             f"{' or '.join(map(str, READABLE_FORMATS))} (found format {found!r})")
        try:
            current = data["current"]
            if data["format"] == 1:
                current = {current["key"]: current["state"]} if current else {}
            checkpoint = cls(folder, fingerprint, data["started"], data["finished"], current)
            changed = differences(data["fingerprint"], checkpoint.fingerprint)
        except (KeyError, TypeError) as exc:
            raise InputError(WHERE, "calibrate.resume", f"{folder / CHECKPOINT_FILE} is damaged "
                             f"({exc!r})") from None
        if changed:
            more = f"; and {len(changed) - 3} more" if len(changed) > 3 else ""
            raise InputError(WHERE, "calibrate.resume", f"the checkpoint in {folder} was made with "
                             f"other settings or data: {'; '.join(changed[:3])}{more}. Resume with the "
                             "settings and data it was made with, or start afresh without "
                             "calibrate.resume")
        return checkpoint

    def save(self) -> None:
        data = {"format": FORMAT, "started": self.started, "fingerprint": self.fingerprint,
                "finished": self.finished, "current": self.current}
        write_atomic(self.path, json.dumps(data, indent=1) + "\n")

    def run(self, key: str, fit: Callable[..., dict]) -> dict:
        """A fit's result: from the checkpoint if it finished, else run (or continued) and saved.

        Args:
            key: the fit's name, unique within the run (``main``, ``restart 1``, ...).
            fit: `sim.calibration.Calibrator.fit` with its arguments bound except ``state`` (the
                state to continue from, or None) and ``on_generation``.

        Returns:
            The fit's result, ``x`` as an array.
        """
        if key in self.finished:
            return {**self.finished[key], "x": np.asarray(self.finished[key]["x"], dtype=float)}
        result = fit(state=self.current.get(key), on_generation=lambda state: self.progress(key, state))
        self.finish(key, result)
        return result

    def progress(self, key: str, state: dict) -> None:
        """Save ``state``, the fit ``key``'s state after a finished generation."""
        self.current[key] = state
        self.save()

    def finish(self, key: str, result: dict) -> None:
        """Save the fit ``key``'s ``result`` (`sim.calibration.Calibrator.fit`); it is no longer
        under way."""
        self.finished[key] = {**result, "x": np.asarray(result["x"], dtype=float).tolist()}
        self.current.pop(key, None)
        self.save()

    def remove(self) -> None:
        """Delete the checkpoint (the run is complete), its folder if left empty, and the default
        ``.checkpoints`` folder if left empty."""
        for stray in [self.path, *self.folder.glob(f".{CHECKPOINT_FILE}.*.tmp")]:  # left by kill -9
            with contextlib.suppress(FileNotFoundError):
                stray.unlink()
        folders = [self.folder] + ([self.folder.parent] if self.folder.parent.name == ".checkpoints"
                                   else [])
        for folder in folders:
            with contextlib.suppress(OSError):
                folder.rmdir()
