"""Random numbers addressed by (month, replicate): replicate r is the same in any batch.

One PCG64 bit generator, seeded once, is the model's only source of randomness. Month t's draws for
replicate r start at position ``(t * MAX_REPLICATES + r) * width`` of its stream, reached with
``advance`` (jump-ahead, O(log n)); so a batch of replicates ``[first, first + R)`` draws one
contiguous block per month, and replicate r's numbers do not depend on which batch it runs in.
Uniform doubles consume exactly one 64-bit output each, which is what makes the addressing exact.
"""

from __future__ import annotations

import numpy as np

#: Upper bound on replicate indices; fixes the stream layout.
MAX_REPLICATES = 2**40


class ReplicateStreams:
    """Addressed uniform draws.

    Args:
        seed: non-negative integer seed of the one generator.
        width: uniforms each replicate uses per month.
    """

    def __init__(self, seed: int, width: int) -> None:
        if seed is None or isinstance(seed, bool) or int(seed) != seed or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)
        self.width = int(width)
        self._origin = np.random.PCG64(self.seed).state

    def uniforms(self, month: int, first_replicate: int, replicates: int) -> np.ndarray:
        """Uniforms in (0, 1) for ``replicates`` replicates from ``first_replicate``, month ``month``.

        Returns:
            Shape (replicates, width).
        """
        if first_replicate + replicates > MAX_REPLICATES:
            raise ValueError(f"replicate indices must stay below {MAX_REPLICATES}")
        bit_generator = np.random.PCG64()
        bit_generator.state = self._origin
        bit_generator.advance((month * MAX_REPLICATES + first_replicate) * self.width)
        draws = np.random.Generator(bit_generator).random((replicates, self.width))
        # random() is in [0, 1): nudge exact zeros so logit transforms stay finite.
        return np.maximum(draws, np.finfo(float).tiny)
