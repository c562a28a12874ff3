"""The pure numerical core: arrays in, arrays out. Nothing here reads files or knows about Hydra.

Shapes use R = replicates, S = states, F = factions, A = assets, C = companies, K = interests.
"""
