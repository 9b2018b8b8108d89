"""The garbage collector pause used around bulk parsing and drafting."""

from __future__ import annotations

import gc

import pytest

from outreach.base.collector import collector_paused


def test_the_collector_is_paused_then_restored() -> None:
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the inner block does not turn it back on
            pass
        assert not gc.isenabled()
    assert gc.isenabled()


def test_the_collector_comes_back_after_an_error() -> None:
    with pytest.raises(ValueError), collector_paused():
        raise ValueError("bad roster")
    assert gc.isenabled()
