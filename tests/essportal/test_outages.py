"""An outage is told when it starts and when it ends, not once per call that meets it."""

import logging

from kombu.exceptions import OperationalError

from essportal.outages import Outage, task_delay


def warnings(caplog):
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]


def test_the_first_failure_warns_the_rest_are_quiet_and_the_first_success_ends_it(caplog):
    caplog.set_level(logging.DEBUG)
    outage = Outage("Broker", "tasks wait")
    for _ in range(50):
        outage.failed(OperationalError("refused"), "queueing a task")
    assert outage.is_down
    assert warnings(caplog) == [
        "Broker unreachable (OperationalError while queueing a task); tasks wait, until it "
        "answers again"
    ]
    caplog.clear()
    for _ in range(5):
        outage.answered()
    assert warnings(caplog) == ["Broker reachable again"]
    assert not outage.is_down


def test_no_outage_no_line(caplog):
    Outage("Broker", "tasks wait").answered()
    assert warnings(caplog) == []


def test_a_failed_delay_says_false_and_a_later_one_true(caplog):
    class Task:
        name = "tests.a_task"

        def __init__(self, fails):
            self.fails = fails

        def delay(self, *args):
            if self.fails:
                raise OperationalError("Error 111 connecting to 127.0.0.1:6399")

    assert task_delay(Task(fails=True), 1) is False
    assert task_delay(Task(fails=True), 2) is False
    assert task_delay(Task(fails=False), 3) is True
    lines = warnings(caplog)
    assert len(lines) == 2
    assert lines[0].startswith("Broker unreachable (OperationalError while queueing tests.a_task)")
    assert lines[1] == "Broker reachable again"
    assert all(r.exc_info is None for r in caplog.records)
