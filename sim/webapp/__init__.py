"""The parts of the interactive app (``solara run sim/app.py``), one job per module.

- `sim.webapp.choices`: what a visitor can choose (scenario, event groups removed, a state's
  interest weights, dynamics parameters) as one immutable `Choices`, and the scenario and
  parameters it stands for. Pure: no Solara.
- `sim.webapp.ensemble`: runs the batched ensemble for a `Choices` and draws its figures with
  `sim.plotting`. Pure: no Solara.
- `sim.webapp.page`: the Solara page. The sliders are Mesa's (`mesa.visualization.Slider` drawn by
  Mesa's ``UserInputs``); the rest is Solara's own components (see that module for why Mesa's
  ``SolaraViz`` page itself does not fit a batched ensemble).
"""

#: The page's title (browser tab and app bar).
TITLE = "Libya 2014–2019: who backs whom"
