"""Random numbers addressed by (month, replicate): replicate r is the same in any batch.

One PCG64 bit generator, seeded once, is the model's only source of randomness. Month t's draws for
replicate r start at position ``(t * MAX_REPLICATES + r) * width`` of its stream of 32-bit outputs,
reached with ``advance`` (jump-ahead, O(log n)); so a batch of replicates ``[first, first + R)``
draws one contiguous block per month, and replicate r's numbers do not depend on which batch it runs
in. Single-precision uniforms consume exactly one 32-bit half of a 64-bit output each (``advance``
counts 64-bit outputs and clears the buffered half), which is what makes the addressing exact; the
width is kept even so that every replicate starts on a whole output.
"""

from __future__ import annotations

import numpy as np

#: Upper bound on replicate indices; fixes the stream layout.
MAX_REPLICATES = 2**40


class ReplicateStreams:
    """Addressed uniform draws.

    Args:
        seed: non-negative integer seed of the one generator.
        width: uniforms each replicate uses per month (rounded up to an even number).
    """

    def __init__(self, seed: int, width: int) -> None:
        if seed is None or isinstance(seed, bool) or int(seed) != seed or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)
        self.width = int(width) + int(width) % 2
        self._origin = np.random.PCG64(self.seed).state
        self._bit_generator = np.random.PCG64(self.seed)

    def uniforms(self, month: int, first_replicate: int, replicates: int) -> np.ndarray:
        """Uniforms in (0, 1) for ``replicates`` replicates from ``first_replicate``, month ``month``.

        Returns:
            Shape (replicates, width), float32.
        """
        if first_replicate + replicates > MAX_REPLICATES:
            raise ValueError(f"replicate indices must stay below {MAX_REPLICATES}")
        bit_generator = self._bit_generator
        bit_generator.state = self._origin
        bit_generator.advance((month * MAX_REPLICATES + first_replicate) * (self.width // 2))
        draws = np.random.Generator(bit_generator).random((replicates, self.width), dtype=np.float32)
        # random() is in [0, 1): nudge exact zeros so logit transforms stay finite.
        return np.maximum(draws, np.finfo(np.float32).tiny, out=draws)
