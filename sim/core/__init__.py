"""The pure numerical core: arrays in, arrays out. Nothing here reads files or knows about Hydra.

Shapes use R = replicates (always the last axis), S = states, F = factions, A = assets,
C = candidates (factions a state can back), K = interests.
"""
