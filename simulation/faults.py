"""Faults injected into a simulated day (``--faults``), each under its own name so the
report can say which fault a violation followed.

- ``broker_down``: for one whole day every send of a task fails as it does when Redis is
  not answering (kombu ``OperationalError``): the beat cannot start that day's runs, and
  the services' queued recomputes stay behind as ``PendingRecompute`` for the next
  nightly catch-up.
- ``worker_killed``: the worker running one chunk of a run dies after recomputing and
  before its bookkeeping; the message is gone (nothing in-process redelivers it), so
  whatever the beat runs must notice the stale chunk and recover it.
- ``two_nightly_runs``: at the nightly hour two beat instances send the nightly task at
  once, and an administrator presses "recompute now" at the same moment: three runs
  started concurrently, in three threads.
- ``chunk_raises``: one chunk's recompute raises an error: a bug (RuntimeError), or, every
  second time, an error the task retries (ConnectionError), once.
- ``db_connection_dropped``: one chunk's database connection is closed under it, mid-run,
  as when the database restarts; the worker's connection is then replaced (Celery's Django
  fixup closes an unusable connection after a task).

Chunk faults hit the first chunk of the first run of their target kind (``nightly`` or
``month_close``) on their day, once.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import random
import threading
from dataclasses import dataclass
from unittest import mock

from django.conf import settings
from django.db import connection, connections

FAULTS = ("broker_down", "worker_killed", "two_nightly_runs", "chunk_raises", "db_connection_dropped")
CHUNK_FAULTS = ("worker_killed", "chunk_raises", "db_connection_dropped")
# Faults the scheduler on this branch does not recover from within the invariants' deadlines:
# a chunk lost with its worker or its database connection leaves its run unfinished (and,
# in a month close, the team's cases unclosed) until something re-sends it; a chunk that
# raises in a month close leaves the team's cases open until the next day's close run.
# Their violations are reported under the fault's name (see README, "Agency simulation").
NOT_YET_RECOVERED: tuple[str, ...] = ()  # every fault is recovered from (the runs watchdog, redelivery)
# A violation first seen this many days after an injection is put down to it.
ATTRIBUTION_DAYS = 3


class WorkerKilled(BaseException):
    """The worker process died: nothing in the task catches this (it is not an Exception)."""


@dataclass(frozen=True)
class Injection:
    day: dt.date
    fault: str
    target: str = ""  # the run kind a chunk fault hits
    transient: bool = False  # chunk_raises: an error Celery retries (ConnectionError), not a bug

    def as_json(self) -> dict:
        return {"day": self.day.isoformat(), "fault": self.fault, **({"target": self.target} if self.target else {}),
                **({"error": "transient"} if self.transient else {})}


def close_days(start: dt.date, days: int) -> list[dt.date]:
    """The days a month-close run is due: the day after each grace day."""
    return [start + dt.timedelta(days=n) for n in range(days)
            if (start + dt.timedelta(days=n)).day == settings.MONTH_CLOSE_GRACE_DAYS + 1]


def plan(seed: int, start: dt.date, days: int, names: list[str]) -> list[Injection]:
    """Each named fault once per 100 days (at least once), on days at least four apart,
    after the first week and before the last ten days; drawn from their own random
    stream, so the story is told the same with or without faults."""
    rng = random.Random(f"casework-simulation-faults:{seed}")
    first, last = 7, max(8, days - 10)
    taken: list[int] = []

    def free(candidates):
        choices = [n for n in candidates if first <= n < last and all(abs(n - t) >= 4 for t in taken)]
        return rng.choice(choices) if choices else None

    closing = [(d - start).days for d in close_days(start, days)]
    injections = []
    for name in names:
        for k in range(max(1, days // 100)):
            target = ""
            if name in CHUNK_FAULTS:
                # Alternate between the month close and the nightly run, the close first for a
                # killed worker and a raising chunk (the harder case), the nightly first otherwise.
                close_first = name in ("worker_killed", "chunk_raises")
                target = "month_close" if (k % 2 == 0) == close_first else "nightly"
            n = free(closing) if target == "month_close" else free(range(first, last))
            if n is None:
                n = free(range(first, last))
                target = "nightly" if target else ""
            if n is None:
                continue
            taken.append(n)
            # Every second raising chunk raises an error the task retries (a moment's ConnectionError).
            transient = name == "chunk_raises" and k % 4 in (1, 2)
            injections.append(Injection(start + dt.timedelta(days=n), name, target, transient))
    return sorted(injections, key=lambda i: (i.day, i.fault))


_chunk_fault = contextvars.ContextVar("simulated_chunk_fault", default=None)


class Faults:
    """The plan, and the patches that make one day's faults happen."""

    def __init__(self, injections: list[Injection]):
        self.injections = injections
        self.hit: list[dict] = []  # what each injection did, for the report
        self._lock = threading.Lock()
        self._armed: dict[str, Injection] = {}

    def on(self, day: dt.date) -> list[Injection]:
        return [i for i in self.injections if i.day == day]

    def attribute(self, moment: dt.datetime) -> str | None:
        """The fault a violation first seen at ``moment`` follows, if any."""
        day = moment.date()
        recent = [i for i in self.injections if 0 <= (day - i.day).days <= ATTRIBUTION_DAYS]
        return recent[-1].fault if recent else None

    def two_nightly_runs_today(self, day: dt.date) -> bool:
        return any(i.fault == "two_nightly_runs" for i in self.on(day))

    @contextlib.contextmanager
    def day(self, day: dt.date):
        """The day's faults in force."""
        today = self.on(day)
        with contextlib.ExitStack() as stack:
            if any(i.fault == "broker_down" for i in today):
                stack.enter_context(broker_down())
                self.hit.append({"day": day.isoformat(), "fault": "broker_down"})
            chunk = [i for i in today if i.fault in CHUNK_FAULTS]
            if chunk:
                self._armed = {i.target: i for i in chunk}
                stack.enter_context(self._chunk_patches())
            try:
                yield
            finally:
                for injection in self._armed.values():
                    self.hit.append({"day": day.isoformat(), "fault": injection.fault, "target": injection.target,
                                     "outcome": "no such run that day"})
                self._armed = {}

    # -- chunk faults ------------------------------------------------------------------------

    def _take(self, run_id: int) -> Injection | None:
        from contacts.models import ComplianceRun

        kind = ComplianceRun.objects.filter(pk=run_id).values_list("kind", flat=True).first()
        with self._lock:
            injection = self._armed.pop(kind, None)
        return injection

    @contextlib.contextmanager
    def _chunk_patches(self):
        from contacts import compliance

        real_chunk = compliance.chunk_process
        real_work = compliance.chunk_work
        real_freeze, real_warnings = compliance.month_freeze, compliance.warnings_refresh

        def chunk_process(*, run_id: int, team_id: int) -> int:
            injection = self._take(run_id)
            if injection is None:
                return real_chunk(run_id=run_id, team_id=team_id)
            from contacts.models import ComplianceRun

            run = ComplianceRun.objects.get(pk=run_id)
            self.hit.append({"day": injection.day.isoformat(), "fault": injection.fault, "target": injection.target,
                             "run": f"{run.get_kind_display()} {run.month:%Y-%m}"})
            token = _chunk_fault.set(injection.fault + ("_transient" if injection.transient else ""))
            try:
                return real_chunk(run_id=run_id, team_id=team_id)
            except WorkerKilled:
                return None  # the worker is gone; so is the message
            finally:
                _chunk_fault.reset(token)
                if injection.fault == "db_connection_dropped":
                    # After a task, Celery's Django fixup closes a connection that is no longer
                    # usable (SQLite reports every connection usable, so close it here).
                    connection.close()

        def chunk_work(**kwargs):
            # The chunk's work itself, not the recompute inside it: a nightly chunk with
            # nothing changed recomputes nothing, and must still be able to fail.
            fault = _chunk_fault.get()
            if fault == "chunk_raises":
                _chunk_fault.set("")  # once: a retry of the chunk runs normally
                raise RuntimeError("Simulated fault: the chunk raised while recomputing")
            if fault == "chunk_raises_transient":
                _chunk_fault.set("")
                raise ConnectionError("Simulated fault: the cache went away for a moment")
            return real_work(**kwargs)

        def after_recompute(real):
            def step(**kwargs):
                fault = _chunk_fault.get()
                if fault == "worker_killed":
                    raise WorkerKilled("Simulated fault: the worker was killed mid-run")
                if fault == "db_connection_dropped":
                    connection.connection.close()  # the server went away under the open connection
                return real(**kwargs)
            return step

        with mock.patch.object(compliance, "chunk_process", chunk_process), \
                mock.patch.object(compliance, "chunk_work", chunk_work), \
                mock.patch.object(compliance, "month_freeze", after_recompute(real_freeze)), \
                mock.patch.object(compliance, "warnings_refresh", after_recompute(real_warnings)):
            yield

    # -- two nightly runs at once -------------------------------------------------------------

    def fire_concurrently(self, beat, entry, now: dt.datetime, administrator) -> bool:
        """Two beat instances send ``entry`` at once while an administrator starts "recompute
        now" (what the runs page does), each in its own thread."""
        from django.db import transaction

        from contacts import compliance
        from contacts.models import RunKind
        from contacts.tasks import run_fan_out

        sent, errors = [], []

        def beat_instance():
            try:
                sent.append(beat.fire(entry, now))
            except Exception as error:  # noqa: BLE001 — reported, not raised into another thread
                errors.append(error)
            finally:
                connections.close_all()

        def recompute_now():
            try:
                with transaction.atomic():
                    run = compliance.run_start(kind=RunKind.MANUAL, month=now.date().replace(day=1), by=administrator)
                    transaction.on_commit(lambda: run_fan_out.delay(run.pk))
            except Exception as error:  # noqa: BLE001
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=beat_instance), threading.Thread(target=beat_instance),
                   threading.Thread(target=recompute_now)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        from contacts.models import ComplianceRun

        started = ComplianceRun.objects.filter(run_on=now.date()).values_list("kind", flat=True)
        self.hit.append({"day": now.date().isoformat(), "fault": "two_nightly_runs",
                         "outcome": f"{sum(sent)} beat sends, runs started: {', '.join(sorted(started))}"
                                    + (f", {len(errors)} errors" if errors else "")})
        if errors:
            raise errors[0]
        return any(sent)


@contextlib.contextmanager
def broker_down():
    """Every task send fails as with Redis not answering."""
    from celery.app.task import Task
    from kombu.exceptions import OperationalError

    def apply_async(self, *args, **kwargs):
        raise OperationalError("Simulated fault: Error 111 connecting to the broker. Connection refused.")

    with mock.patch.object(Task, "apply_async", apply_async):
        yield


def names(option: str | None) -> list[str]:
    """The faults named by ``--faults`` (all of them when given without names)."""
    if option is None:
        return []
    chosen = [n.strip() for n in option.split(",") if n.strip()] if option != "all" else list(FAULTS)
    unknown = set(chosen) - set(FAULTS)
    if unknown:
        raise ValueError(f"Unknown fault(s): {', '.join(sorted(unknown))}. Known: {', '.join(FAULTS)}.")
    return chosen or list(FAULTS)


def no_faults() -> Faults:
    return Faults([])
