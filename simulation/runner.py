"""One simulation: the agency set up before go-live, then day after day the beat, the
staff and the checks, on the controlled clock; at the end, the figures.

A simulated day, in agency time:
  00:00–07:00  the beat sends what casework.schedule.SCHEDULE has due (02:00 nightly
               recompute, 02:30 month close, 03:00 escalation, …), each at its minute;
  07:00        the invariants are checked (after the night's runs);
  08:00        the story decides the day's actions, which run from 08:30 to 17:30 at their
               own minutes, interleaved with anything the beat has due meanwhile;
  22:00        the invariants are checked again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import heapq
import itertools
import logging
from collections import Counter
from dataclasses import dataclass, field
from unittest import mock

from django.db.models import Count
from django.test.utils import override_settings

from alerts.models import Alert, AlertKind, AlertStatus
from cases.models import Case
from contacts import compliance
from contacts.models import (
    CaseMonth,
    CaseMonthAmendment,
    ComplianceRun,
    Contact,
    PendingRecompute,
    RequestStatus,
    RequirementChange,
)
from simulation.clock import AgencyClock, Beat, FailureLog, InProcess, ThroughBroker, agency_zone, at
from simulation.faults import Faults, plan
from simulation.invariants import NIGHTLY_TASK, Invariants, Tally, Violation
from simulation.story import Story

log = logging.getLogger(__name__)

DEFAULT_START = dt.date(2026, 1, 5)
# The stages of a day (see the module docstring), and their order at the same moment.
BEAT, CHECK, PLAN, ACT = 0, 1, 2, 3


@dataclass(frozen=True)
class Options:
    days: int = 120
    cases: int = 40
    seed: int = 1
    start: dt.date = DEFAULT_START
    faults: tuple[str, ...] = ()
    broker_url: str | None = None


@contextlib.contextmanager
def _quiet_queue():
    """Before go-live nothing is evaluated: the services' queued recomputes go nowhere."""
    from contacts.tasks import recompute_case_months

    with mock.patch.object(recompute_case_months, "delay", lambda *args, **kwargs: None):
        yield


@contextlib.contextmanager
def _scratch_database():
    """The simulation's database is scratch: on SQLite, commits do not wait for the disk
    (each waited ~4 ms, most of a simulated day). Nothing changes on PostgreSQL."""
    from django.db import connection
    from django.db.backends.signals import connection_created

    def fast(sender, connection, **kwargs):
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous = OFF")

    connection_created.connect(fast, weak=False)
    try:
        if connection.connection is not None:
            fast(None, connection)
        yield
    finally:
        connection_created.disconnect(fast)
        if connection.vendor == "sqlite" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("PRAGMA synchronous = FULL")


@dataclass
class Simulation:
    options: Options
    progress: object = None  # called with (day number, date) after each day
    story: Story = field(init=False)
    faults: Faults = field(init=False)
    tally: Tally = field(default_factory=Tally)
    expected_failures: Counter = field(default_factory=Counter)

    def __post_init__(self):
        o = self.options
        self.story = Story(seed=o.seed, target_open=o.cases, go_live=o.start)
        self.faults = Faults(plan(o.seed, o.start, o.days, list(o.faults)))

    def run(self) -> dict:
        o = self.options
        history_from = compliance.month_to_close(o.start)
        dispatcher = ThroughBroker(o.broker_url) if o.broker_url else InProcess()
        email = override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
        setup_at = at(history_from - dt.timedelta(days=1), 8)
        with _scratch_database(), email, AgencyClock(setup_at) as clock, FailureLog() as failures, dispatcher:
            self._before_go_live(clock, history_from)
            beat = Beat(dispatcher)
            invariants = Invariants(beat=beat, first_month=history_from, acknowledged=self.story.acknowledged)
            seen_failures = 0
            for n in range(o.days):
                day = o.start + dt.timedelta(days=n)
                with self.faults.day(day):
                    self._day(day, clock, beat, dispatcher, invariants)
                    dispatcher.wait_idle()
                seen_failures = self._failures(failures.failures, seen_failures)
                if self.progress:
                    self.progress(n + 1, day)
            clock.move_to(at(o.start + dt.timedelta(days=o.days - 1), 23, 59))
            self.tally.add(invariants.check(clock.now, full=True), self.faults.attribute)
            self._failures(failures.failures, seen_failures)
            return self.report(clock)

    # -- before go-live --------------------------------------------------------------------------

    def _before_go_live(self, clock: AgencyClock, history_from: dt.date) -> None:
        """The agency's cases, then their contacts from the first month the product will
        close up to go-live, recorded on their days. Nothing is evaluated before go-live."""
        with _quiet_queue():
            self.story.setup(self.options.cases)
            day = history_from
            while day < self.options.start:
                for moment, kind, thunk in self.story.plan_day(day, history=True):
                    clock.move_to(max(moment, clock.now))
                    self.story.act(kind, thunk, clock.now)
                day += dt.timedelta(days=1)
        PendingRecompute.objects.all().delete()
        self.story.done.clear()
        self.story.refused.clear()

    # -- a day -------------------------------------------------------------------------------------

    def _day(self, day: dt.date, clock: AgencyClock, beat: Beat, dispatcher, invariants: Invariants) -> None:
        sequence = itertools.count()
        events = [(at(day, t.hour, t.minute), BEAT, next(sequence), entry) for t, entry in beat.due_on(day)]
        events += [(at(day, 7), CHECK, next(sequence), None), (at(day, 8), PLAN, next(sequence), None),
                   (at(day, 22), CHECK, next(sequence), None)]
        heapq.heapify(events)
        while events:
            moment, stage, _, payload = heapq.heappop(events)
            clock.move_to(max(moment, clock.now))
            now = clock.now
            if stage == BEAT:
                self._fire(beat, payload, now, day)
                dispatcher.wait_idle()
                self.tally.add(invariants.after_beat(now, now - dt.timedelta(seconds=1)), self.faults.attribute)
            elif stage == CHECK:
                dispatcher.wait_idle()
                self.tally.add(invariants.check(now, after_staff=now.hour >= 12), self.faults.attribute)
            elif stage == PLAN:
                for when, kind, thunk in self.story.plan_day(day):
                    heapq.heappush(events, (when, ACT, next(sequence), (kind, thunk)))
            else:
                kind, thunk = payload
                self.story.act(kind, thunk, now)
                dispatcher.wait_idle()

    def _fire(self, beat: Beat, entry, now: dt.datetime, day: dt.date) -> None:
        if entry.task == NIGHTLY_TASK and self.faults.two_nightly_runs_today(day):
            self.faults.fire_concurrently(beat, entry, now, self.story.agency.administrator)
        else:
            beat.fire(entry, now)

    def _failures(self, failures, seen: int) -> int:
        """Task and staff-action failures since the last look: expected on a day a fault was
        injected, a violation otherwise."""
        for failure in failures[seen:]:
            if self.faults.on(failure.at.astimezone(agency_zone()).date()):
                self.expected_failures[failure.task] += 1
            else:
                local = failure.at.astimezone(agency_zone())
                self.tally.add([Violation("no_unexpected_failure", f"{failure.task} {local:%Y-%m-%d}",
                                          failure.at, failure.error)], self.faults.attribute)
        for kind, moment, error in self.story.failed:
            self.tally.add([Violation("no_unexpected_failure", f"staff action {kind} {moment:%Y-%m-%d %H:%M}", moment,
                                      error)], self.faults.attribute)
        self.story.failed.clear()
        return len(failures)

    # -- the figures --------------------------------------------------------------------------------

    def report(self, clock: AgencyClock) -> dict:
        o = self.options
        go_live = at(o.start)
        runs = dict(ComplianceRun.objects.values_list("kind").annotate(n=Count("pk")).order_by("kind"))
        alerts = Alert.objects.all()
        shortfall = alerts.filter(kind=AlertKind.CONTACT_SHORTFALL)

        def alert_figures(qs) -> dict:
            return {"raised": qs.count(), "resolved": qs.filter(status=AlertStatus.RESOLVED).count(),
                    "acknowledged": qs.filter(acknowledged_at__isnull=False).count(),
                    "escalated": qs.filter(escalated_at__isnull=False).count()}

        requests = {f"{kind}_{status}": n for kind, status, n in RequirementChange.objects.values_list(
            "kind", "status").annotate(n=Count("pk")).order_by("kind", "status")}
        closed = CaseMonth.objects.filter(closed_at__isnull=False)
        return {
            "seed": o.seed,
            "start": o.start.isoformat(),
            "days": o.days,
            "mode": "broker" if o.broker_url else "in-process",
            "cases": Case.objects.count(),
            "cases_open_at_end": Case.objects.filter(closed_on__isnull=True).count(),
            "contacts": Contact.objects.filter(recorded_at__gte=go_live).count(),
            "contacts_recorded_late": Contact.objects.filter(recorded_at__gte=go_live, recorded_late=True).count(),
            "contacts_before_go_live": Contact.objects.filter(recorded_at__lt=go_live).count(),
            "runs": {"total": sum(runs.values()), **runs,
                     "with_errors": ComplianceRun.objects.exclude(errors=[]).count(),
                     "unfinished": ComplianceRun.objects.filter(finished_at__isnull=True).count()},
            "months_closed": closed.values("month").distinct().count(),
            "case_months_closed": closed.count(),
            "case_months_amended": closed.filter(amended_at__isnull=False).count(),
            "amendments": CaseMonthAmendment.objects.count(),
            "alerts": {**alert_figures(alerts), "shortfall": alert_figures(shortfall)},
            "requests": requests,
            "requests_pending": RequirementChange.objects.filter(status=RequestStatus.PENDING).count(),
            "actions": dict(sorted(self.story.done.items())),
            "refused": dict(sorted(self.story.refused.items())),
            "faults": [i.as_json() for i in self.faults.injections],
            "fault_effects": self.faults.hit,
            "task_failures_from_faults": dict(sorted(self.expected_failures.items())),
            "violations": self.tally.as_json(),
        }


def simulate(options: Options, progress=None) -> dict:
    return Simulation(options, progress).run()
