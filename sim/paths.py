"""Where the project's data lives: the Hydra configs, the scenarios and the documented targets.

They ship inside the package (``sim/configs``, ``sim/scenarios``: in the source tree, links to the
top-level ``configs/`` and ``scenarios/``), so an installed package finds them from any directory.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
#: The Hydra config directory (``configs/`` of the source tree).
CONFIG_DIR = (PACKAGE_DIR / "configs").resolve()
#: Where a bare scenario name ``NAME`` is looked up as ``NAME.yaml``.
SCENARIO_DIR = (PACKAGE_DIR / "scenarios").resolve()
#: Where a bare target name ``NAME`` is looked up as ``NAME.csv``.
TARGET_DIR = SCENARIO_DIR / "targets"
