"""Results folders: checked before a run, filled all at once after it, never overwritten."""

from __future__ import annotations

import contextlib
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from omegaconf import OmegaConf

from sim.errors import InputError

STAGING = ".incomplete"


def check_fresh(run_dir: Path) -> None:
    """Refuse a folder that already holds results (results are never overwritten)."""
    if run_dir.exists() and any(p.name != STAGING for p in run_dir.iterdir()):
        raise InputError(str(run_dir), "results folder", "already holds results; results are never "
                         "overwritten: choose another hydra.run.dir (or let it default to a new one)")


def discard_if_empty(run_dir: Path) -> None:
    """Remove a run folder that received nothing (a run stopped by bad input)."""
    with contextlib.suppress(OSError):
        if run_dir.exists() and not any(run_dir.iterdir()):
            run_dir.rmdir()


@contextlib.contextmanager
def staged(run_dir: Path) -> Iterator[Path]:
    """Write into ``run_dir/.incomplete``; move everything up only when the block succeeds.

    On failure the staging folder is removed, so a results folder is either complete or absent.
    """
    staging = run_dir / STAGING
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        discard_if_empty(run_dir)
        raise
    for item in sorted(staging.iterdir()):
        item.rename(run_dir / item.name)
    staging.rmdir()


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
