"""Reconnect delays: exponential backoff with jitter and a cap.

Pure apart from the random source it is given: the caller sleeps (or rather
waits on its wake-up pipe) for the delay; nothing here reads a clock.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class Backoff:
    """Delays that double from `base` up to `cap`, each jittered into its upper half.

    "Equal jitter" keeps a floor under every delay (no tight retry loop) while
    spreading many clients' reconnects after a server restart.
    """

    base: float
    cap: float
    factor: float = 2.0
    rng: random.Random = field(default_factory=random.Random)
    attempts: int = 0

    def next_delay(self) -> float:
        ceiling = min(self.cap, self.base * self.factor**self.attempts)
        self.attempts += 1
        return self.rng.uniform(ceiling / 2, ceiling)

    def reset(self) -> None:
        self.attempts = 0


def network_backoff(rng: random.Random | None = None) -> Backoff:
    """After a dropped connection or an unreachable server: 1 s, 2 s, 4 s… up to 5 min."""
    return Backoff(base=1.0, cap=300.0, rng=rng or random.Random())


def auth_backoff(rng: random.Random | None = None) -> Backoff:
    """After a refused login: slower, 1 min doubling to an hour, so a wrong
    password never turns into a tight retry loop that locks the account."""
    return Backoff(base=60.0, cap=3600.0, rng=rng or random.Random())


__all__ = ["Backoff", "auth_backoff", "network_backoff"]
