"""Parameter sweeps: designs (`design`), outcomes (`outcomes`), chunked evaluation with checkpoints
(`evaluate`), where the chunks run (`cluster`), sensitivity analysis (`analysis`), figures (`plots`)
and the app's schema (`settings`). ``python -m sim.sweep`` is the Hydra app on top of them; the
model knows nothing of sweeps."""
