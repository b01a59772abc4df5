import logging
import logging.config
import os

from celery import Celery
from celery.signals import beat_init, before_task_publish, setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "essportal.settings")

app = Celery("essportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

logger = logging.getLogger(__name__)


@setup_logging.connect
def _log_as_the_web_does(**kwargs):
    """With a receiver on this signal Celery leaves logging alone instead of putting its own
    handler and format (local time without an offset) on the root logger: the worker and beat
    write the same lines as the web (essportal/logging.py). LOG_LEVEL sets the level."""
    from django.conf import settings

    logging.config.dictConfig(settings.LOGGING)


# Set in the beat process only, so that what it publishes counts as beat's heartbeat and what
# the web or a worker publishes does not.
_process = {"beat": False}


@beat_init.connect
def _this_process_is_beat(**kwargs):
    _process["beat"] = True


@before_task_publish.connect
def _beat_heartbeat(**kwargs):
    """Beat's heartbeat for the operator's status: it tells a dead beat from a dead worker."""
    if not _process["beat"]:
        return
    from django.db import close_old_connections

    from essportal.operations import BEAT, heartbeat_record

    try:
        # Beat keeps one connection for its whole life; one broken by a database restart is
        # replaced here instead of failing every heartbeat after it.
        close_old_connections()
        heartbeat_record(name=BEAT)
    except Exception as exc:  # noqa: BLE001 - a heartbeat must never stop the schedule
        logger.warning("Could not record beat's heartbeat: %r", exc)
