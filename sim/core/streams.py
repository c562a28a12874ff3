"""Random numbers addressed by (month, replicate): replicate r is the same in any batch.

One PCG64 bit generator, seeded once, is the model's only source of randomness. Month t owns a
segment of its stream of ``MAX_REPLICATES * width_t`` 32-bit outputs (the segments follow one
another); replicate r's draws start at ``r * width_t`` inside it, reached with ``advance``
(jump-ahead, O(log n)). So a batch of replicates ``[first, first + R)`` draws one contiguous block
per month, and replicate r's numbers do not depend on which batch it runs in. Single-precision
uniforms consume exactly one 32-bit half of a 64-bit output each (``advance`` counts 64-bit outputs
and clears the buffered half), which is what makes the addressing exact; widths are kept even so
that every replicate starts on a whole output.
"""

from __future__ import annotations

import numpy as np

#: Upper bound on replicate indices; fixes the stream layout.
MAX_REPLICATES = 2**40


class ReplicateStreams:
    """Addressed uniform draws.

    Args:
        seed: non-negative integer seed of the one generator.
        widths: uniforms each replicate uses in each month (a sequence, one per month, or one
            number for every month); odd widths are rounded up.
    """

    def __init__(self, seed: int, widths) -> None:
        if seed is None or isinstance(seed, bool) or int(seed) != seed or seed < 0:
            raise ValueError(f"seed must be a non-negative integer, got {seed!r}")
        self.seed = int(seed)
        widths = np.atleast_1d(np.asarray(widths, dtype=np.int64))
        self.widths = widths + widths % 2
        self._constant = self.widths.size == 1
        # first 64-bit output of each month's segment (Python ints: the offsets exceed 64 bits)
        self._segment = [0]
        for half in (self.widths // 2).tolist():
            self._segment.append(self._segment[-1] + half * MAX_REPLICATES)
        self._origin = np.random.PCG64(self.seed).state
        self._bit_generator = np.random.PCG64(self.seed)

    def width(self, month: int) -> int:
        """Uniforms per replicate in ``month``."""
        return int(self.widths[0 if self._constant else month])

    def uniforms(self, month: int, first_replicate: int, replicates: int,
                 out: np.ndarray | None = None, *, nudged: bool = True) -> np.ndarray:
        """Uniforms in (0, 1) for ``replicates`` replicates from ``first_replicate``, month ``month``.

        Args:
            out: optional float32 buffer of at least ``replicates x width`` numbers, drawn into
                (a caller drawing every month reuses one instead of allocating a block each time).
            nudged: raise exact zeros to `TINY` (the default); False leaves them, in [0, 1), for a
                caller that nudges them while it copies the block anyway (`nudge`).

        Returns:
            Shape (replicates, width of the month), float32 (a view of ``out`` if given).
        """
        if first_replicate + replicates > MAX_REPLICATES:
            raise ValueError(f"replicate indices must stay below {MAX_REPLICATES}")
        width = self.width(month)
        if width == 0:
            return np.empty((replicates, 0), np.float32)
        start = month * MAX_REPLICATES * (width // 2) if self._constant else int(self._segment[month])
        bit_generator = self._bit_generator
        bit_generator.state = self._origin
        bit_generator.advance(start + first_replicate * (width // 2))
        block = None if out is None else out.reshape(-1)[: replicates * width].reshape(replicates, width)
        draws = np.random.Generator(bit_generator).random((replicates, width), dtype=np.float32,
                                                          out=block)
        return nudge(draws, out=draws) if nudged else draws


#: What an exact zero becomes: the smallest normal float32.
TINY = np.finfo(np.float32).tiny


def nudge(draws: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``draws`` with exact zeros raised to `TINY`, written to ``out`` (which may have another
    layout): random() is in [0, 1), and logit transforms need (0, 1)."""
    return np.maximum(draws, TINY, out=out)
