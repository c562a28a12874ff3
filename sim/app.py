"""The interactive app: ``solara run sim/app.py`` (then open the address it prints).

Choose a scenario, switch groups of events off (a counterfactual), move a state's interest weights
and the dynamics parameters; each change re-runs the batched ensemble (`sim.webapp.ensemble`) and
redraws the chosen state's tilt band against its coded points, every state's tilt, and who holds
each asset. The calibrated parameters are the defaults. Its parts live in `sim.webapp`.
"""

from sim.webapp import TITLE
from sim.webapp.page import Page

__all__ = ["TITLE", "Page"]
