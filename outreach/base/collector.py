"""Pausing Python's cyclic garbage collector around bulk work that makes no cycles.

Parsing a 10,000-contact roster or drafting thousands of emails allocates
hundreds of thousands of small objects and frees none of them in cycles, yet
each allocation burst sets off collections that walk every object alive, the
whole roster again and again, for nothing: they took more than half of a
cold roster load (0.61 s against 0.25 s) and a quarter of planning a batch.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection inside the block; the previous state after it."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
