"""Reconnect delays: doubling, jittered into their upper half, capped, reset."""

from __future__ import annotations

import random

import pytest

from outreach.daemon.backoff import Backoff, auth_backoff, network_backoff


@pytest.mark.parametrize("seed", range(5))
def test_delays_double_within_their_upper_half_up_to_the_cap(seed: int) -> None:
    backoff = Backoff(base=1.0, cap=20.0, rng=random.Random(seed))
    ceilings = [1.0, 2.0, 4.0, 8.0, 16.0, 20.0, 20.0, 20.0]
    for ceiling in ceilings:
        delay = backoff.next_delay()
        assert ceiling / 2 <= delay <= ceiling


def test_jitter_spreads_clients_that_failed_together() -> None:
    delays = {round(Backoff(1.0, 300.0, rng=random.Random(s)).next_delay(), 6) for s in range(20)}
    assert len(delays) == 20


def test_reset_starts_again_from_the_base() -> None:
    backoff = Backoff(base=1.0, cap=300.0, rng=random.Random(1))
    for _ in range(6):
        backoff.next_delay()
    backoff.reset()
    assert 0.5 <= backoff.next_delay() <= 1.0


def test_a_refused_login_waits_far_longer_than_a_dropped_connection() -> None:
    network, auth = network_backoff(random.Random(2)), auth_backoff(random.Random(2))
    first_network, first_auth = network.next_delay(), auth.next_delay()
    assert first_network <= 1.0
    assert first_auth >= 30.0
    for _ in range(20):
        assert network.next_delay() <= 300.0
        assert auth.next_delay() <= 3600.0
