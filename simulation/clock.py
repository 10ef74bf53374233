"""The simulated agency's clock and its beat.

``AgencyClock`` is one time-machine traveller, moved forward only, in agency time
(settings.TIME_ZONE): every ``timezone.now()``, ``localdate()`` and ``auto_now`` in the
product reads it, in this thread and in any other of the process.

``Beat`` reads ``casework.schedule.SCHEDULE`` (the one definition of periodic work) and
runs each entry at its crontab hour and minute of agency time, in order, by sending the
real task. Whatever is in the schedule runs: a task added there is simulated without a
change here. Two dispatchers send the tasks: ``InProcess`` (Celery eager, the default)
and ``ThroughBroker`` (the real Redis and a Celery worker in this process, ``--broker``).
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field

import time_machine
from celery import signals
from celery.schedules import crontab
from django.conf import settings
from django.utils.module_loading import import_string

log = logging.getLogger(__name__)


def agency_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.TIME_ZONE)


def at(day: dt.date, hour: int = 0, minute: int = 0, second: int = 0) -> dt.datetime:
    """An aware moment of agency time."""
    return dt.datetime.combine(day, dt.time(hour, minute, second), tzinfo=agency_zone())


class AgencyClock:
    """A controlled clock: frozen between moves (``tick=False``), so what happens at a
    moment is the same on every run, and moved only forward."""

    def __init__(self, start: dt.datetime):
        self._now = start
        self._travel = time_machine.travel(start, tick=False)
        self._coordinates = None

    def __enter__(self) -> AgencyClock:
        self._coordinates = self._travel.start()
        return self

    def __exit__(self, *exc) -> None:
        self._travel.stop()
        self._coordinates = None

    @property
    def now(self) -> dt.datetime:
        return self._now

    @property
    def today(self) -> dt.date:
        return self._now.astimezone(agency_zone()).date()

    def move_to(self, moment: dt.datetime) -> None:
        if moment < self._now:
            raise ValueError(f"The agency clock only moves forward ({self._now} → {moment}).")
        self._now = moment
        self._coordinates.move_to(moment)


# --- The schedule -----------------------------------------------------------------------------

@dataclass(frozen=True)
class BeatEntry:
    name: str
    task: str  # dotted path of the task
    schedule: crontab

    def times_on(self, day: dt.date) -> list[dt.time]:
        """The moments of ``day`` (agency time) at which the entry is due, in order."""
        s = self.schedule
        if day.month not in s.month_of_year or day.day not in s.day_of_month:
            return []
        if day.isoweekday() % 7 not in s.day_of_week:  # crontab: 0 is Sunday
            return []
        return [dt.time(hour, minute) for hour in sorted(s.hour) for minute in sorted(s.minute)]


def beat_entries(schedule: dict | None = None) -> list[BeatEntry]:
    """The entries of casework.schedule.SCHEDULE (name → (task, crontab fields))."""
    if schedule is None:
        from casework.schedule import SCHEDULE as schedule
    return [BeatEntry(name, task, crontab(**fields)) for name, (task, fields) in schedule.items()]


def due_on(entries: list[BeatEntry], day: dt.date) -> list[tuple[dt.time, BeatEntry]]:
    """(time, entry) of every run due on ``day``, in time order (then name, for ties)."""
    return sorted(((moment, entry) for entry in entries for moment in entry.times_on(day)),
                  key=lambda item: (item[0], item[1].name))


# --- Task failures, however the task was sent ---------------------------------------------------

@dataclass
class TaskFailure:
    task: str
    at: dt.datetime
    error: str


class FailureLog:
    """Every task that failed (Celery's task_failure signal: sent by eager tasks and by the
    worker alike), in the order they failed."""

    def __init__(self):
        self.failures: list[TaskFailure] = []
        self._lock = threading.Lock()

    def __enter__(self):
        signals.task_failure.connect(self._failed, weak=False)
        return self

    def __exit__(self, *exc):
        signals.task_failure.disconnect(self._failed)

    def _failed(self, sender=None, exception=None, **kwargs):
        from django.utils import timezone

        with self._lock:
            self.failures.append(TaskFailure(getattr(sender, "name", str(sender)), timezone.now(),
                                             f"{type(exception).__name__}: {exception}"))


# --- Dispatchers ------------------------------------------------------------------------------

class InProcess:
    """Tasks run in this process as they are sent (Celery eager), like a worker that is
    always free. Exceptions are kept by Celery, not raised into the sender, as a worker
    would: a failing chunk does not stop the others."""

    name = "in-process"

    def __enter__(self):
        from casework.celery import app

        self._before = app.conf.task_always_eager, app.conf.task_eager_propagates
        app.conf.task_always_eager, app.conf.task_eager_propagates = True, False
        return self

    def __exit__(self, *exc):
        from casework.celery import app

        app.conf.task_always_eager, app.conf.task_eager_propagates = self._before

    def send(self, task_path: str) -> None:
        import_string(task_path).apply_async()

    def wait_idle(self) -> None:
        return None


class ThroughBroker:
    """Tasks go through the real broker (Redis) to a Celery worker running in this process
    (a thread pool, so it reads the same controlled clock and the faults' patches). After
    each send, and before the clock moves on, it waits until nothing is queued, nothing is
    unacknowledged (tasks acknowledge late, after they finish) and the worker holds
    nothing: a worker that keeps up, so a run is repeatable."""

    name = "broker"
    KEYS = ("celery", "unacked", "unacked_index")  # kombu's Redis queue and its unacknowledged messages

    def __init__(self, broker_url: str, *, concurrency: int = 2, idle_timeout: float = 600.0):
        self.broker_url = broker_url
        self.concurrency = concurrency
        self.idle_timeout = idle_timeout

    def __enter__(self):
        from celery.contrib.testing.worker import start_worker

        from casework.celery import app

        self._before = (app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport_options)
        app.conf.task_always_eager = False
        app.conf.broker_url = self.broker_url
        app.conf.broker_transport_options = {"max_retries": 1, "visibility_timeout": 3600}
        app._pool = None  # connections made for the in-memory broker are not reused
        app.loader.import_default_modules()
        self._connection = app.connection_for_write()
        self._client = self._connection.default_channel.client
        self._client.delete(*self.KEYS)  # nothing left from an earlier run
        self._worker = start_worker(app, pool="threads", concurrency=self.concurrency, perform_ping_check=False,
                                    loglevel="WARNING", shutdown_timeout=60)
        self._worker.__enter__()
        return self

    def __exit__(self, *exc):
        from casework.celery import app

        try:
            self._worker.__exit__(*exc)
        finally:
            self._connection.release()
            app.conf.task_always_eager, app.conf.broker_url, app.conf.broker_transport_options = self._before
            app._pool = None

    def send(self, task_path: str) -> None:
        import_string(task_path).apply_async()
        self.wait_idle()

    def _busy(self) -> bool:
        from celery.worker import state

        return bool(self._client.llen("celery") or self._client.hlen("unacked") or state.active_requests
                    or state.reserved_requests)

    def wait_idle(self) -> None:
        deadline = time.monotonic() + self.idle_timeout
        quiet = 0
        while time.monotonic() < deadline:
            quiet = 0 if self._busy() else quiet + 1
            if quiet >= 2:  # twice in a row, a moment apart: nothing between the queue and the worker
                return
            time.sleep(0.002 if quiet else 0.005)
        raise TimeoutError(f"The worker did not finish within {self.idle_timeout:.0f} s.")


# --- The beat ---------------------------------------------------------------------------------

@dataclass
class Beat:
    """Sends each schedule entry at its time; remembers when each task was sent, and
    which sends failed (the broker down)."""

    dispatcher: object
    entries: list[BeatEntry] = field(default_factory=beat_entries)
    sent: dict[str, list[dt.datetime]] = field(default_factory=lambda: defaultdict(list))
    not_sent: dict[str, list[dt.datetime]] = field(default_factory=lambda: defaultdict(list))

    def due_on(self, day: dt.date) -> list[tuple[dt.time, BeatEntry]]:
        return due_on(self.entries, day)

    def fire(self, entry: BeatEntry, now: dt.datetime) -> bool:
        """Send one entry's task, as celery beat would; False when it could not be sent."""
        from kombu.exceptions import OperationalError

        try:
            self.dispatcher.send(entry.task)
        except OperationalError as error:
            log.info("Beat could not send %s: %s", entry.task, error)
            self.not_sent[entry.task].append(now)
            return False
        self.sent[entry.task].append(now)
        return True

    def first_sent(self, task: str, since: dt.datetime) -> dt.datetime | None:
        """When ``task`` was first sent at or after ``since``, if it has been."""
        return next((moment for moment in self.sent.get(task, ()) if moment >= since), None)

    def task_of(self, suffix: str) -> str | None:
        """The task path in the schedule ending in ``suffix`` (e.g. "close_due_months")."""
        return next((e.task for e in self.entries if e.task.endswith(suffix)), None)
