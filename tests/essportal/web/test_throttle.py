"""The fixed-window counter behind every throttle."""

import time
from unittest import mock

import time_machine
from django.core.cache import cache

from essportal.web import throttle
from essportal.web.throttle import throttle_hit

HOUR = 3600


def hit(key="198.51.100.7", limit=3):
    return throttle_hit("test", key, limit=limit, window_seconds=HOUR)


def test_a_limit_allows_exactly_that_many_hits_in_a_window_and_again_in_the_next():
    start = (int(time.time()) // HOUR + 1) * HOUR  # the first second of a window
    with time_machine.travel(start, tick=False):
        assert [hit() for _ in range(4)] == [True, True, True, False]
    with time_machine.travel(start + HOUR - 1, tick=False):
        assert hit() is False
    with time_machine.travel(start + HOUR, tick=False):
        assert hit() is True


def test_each_key_has_a_counter_of_its_own():
    assert [hit("a", limit=1), hit("b", limit=1), hit("a", limit=1)] == [True, True, False]


def test_when_the_cache_cannot_be_reached_the_limit_counts_as_used_up(unreachable_cache):
    assert hit() is False


def test_the_cache_never_holds_the_counted_address_in_clear():
    with mock.patch.object(throttle, "cache", wraps=cache) as spy:
        hit("anna@bakkerij-jansen.test")
    keys = [call.args[0] for call in spy.method_calls]
    assert keys and not any("anna" in key or "bakkerij" in key for key in keys)
