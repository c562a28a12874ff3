"""Allocating the model's large arrays."""

from __future__ import annotations

import numpy as np


def zeros(shape, dtype) -> np.ndarray:
    """``np.zeros(shape, dtype)``, with its memory made ready at once.

    ``np.zeros`` takes lazily zeroed pages from the system: the first write to each 4 KiB page
    then faults, about 7 microseconds each on a virtual machine, which cost a run of R = 10,000
    replicates a tenth of its time in its monthly records alone. ``np.empty`` asks for huge pages
    for large arrays (numpy's madvise), and filling them at once costs a few milliseconds.
    """
    array = np.empty(shape, dtype)
    array.fill(0)
    return array
