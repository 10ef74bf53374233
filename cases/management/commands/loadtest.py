"""Load benchmark: gunicorn as in production, locust driving the three roles' daily pages.

Three phases against one server (README "Load benchmark"): the latency run (N users, 1–3 s
between requests), then two short capacity runs with no pause — the mix, and the floor (the
sign-in page, signed out). Prints JSON. Everything it starts is stopped when it ends, fails
or is interrupted.
"""

import csv
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from cases.models import Case

LOCUSTFILE = Path(settings.BASE_DIR) / "loadtest" / "locustfile.py"
PORTS = range(8450, 8460)
MIX = ["Caseworker", "TeamLeader", "Manager"]
FLOOR = ["Floor"]
SIGN_IN_NAMES = {"sign-in page", "sign in"}
# Lines of gunicorn's log that say a request went wrong (its own stopping at the end is not one).
SERVER_ERROR_SIGNS = ("Traceback", "Internal Server Error", "WORKER TIMEOUT", "[CRITICAL]")
# The targets (README "Load benchmark").
P95_TARGET_MS = 300
CAPACITY_TARGET_RATIO = 0.5


def _free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise CommandError(f"No free port in {PORTS.start}–{PORTS.stop - 1}")


def _database_url() -> str:
    """The database this command uses, as DATABASE_URL for gunicorn (the test database under pytest)."""
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    if connection.vendor == "postgresql":
        auth = quote(db["USER"], safe="") + (f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else "")
        return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    raise CommandError(f"Unsupported database: {connection.vendor}")


def _static_files_current() -> bool:
    """The collected files and their manifest are newer than every source file (collecting
    compresses every file again, a minute of CPU, so it is done only when something changed)."""
    manifest = Path(settings.STATIC_ROOT) / "staticfiles.json"
    if not manifest.exists():
        return False
    newest = max((os.path.getmtime(storage.path(path)) for finder in finders.get_finders()
                  for path, storage in finder.list([])), default=0)
    return manifest.stat().st_mtime >= newest


def _locust_executable(given: str | None) -> str:
    beside = Path(sys.executable).with_name("locust")
    found = given or os.environ.get("LOCUST") or (str(beside) if beside.exists() else shutil.which("locust"))
    if not found:
        raise CommandError("locust is not installed: `pip install -e .[dev]` (or name it with --locust / LOCUST)")
    return found


def _stop(process: subprocess.Popen) -> None:
    """Stop a process and its children (each is started in a session of its own)."""
    if process.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 10), (signal.SIGKILL, 5)):
        try:
            os.killpg(process.pid, sig)
        except ProcessLookupError:
            return
        try:
            process.wait(wait)
            return
        except subprocess.TimeoutExpired:
            continue


@contextmanager
def _terminated_on_sigterm():
    """SIGTERM ends the command like Ctrl-C does, so the `finally` blocks stop what it started."""
    def interrupt(signum, frame):
        raise KeyboardInterrupt
    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _tail(path: Path, lines: int = 20) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def _percentile_ms(row: dict, column: str):
    value = row.get(column, "")
    return None if value in ("", "N/A") else float(value)


def _read_stats(prefix: Path, signed_in: int = 0) -> dict:
    """Locust's CSV files: per page figures of the whole run, and the throughput of the pages
    (not the sign-ins) once `signed_in` users have signed in, from the per-second history."""
    stats_file, failures_file = Path(f"{prefix}_stats.csv"), Path(f"{prefix}_failures.csv")
    if not stats_file.exists():
        raise CommandError(f"locust wrote no statistics ({stats_file})")
    with stats_file.open() as f:
        rows = [row for row in csv.DictReader(f) if row["Name"] != "Aggregated"]
    pages = {row["Name"]: {"requests": int(row["Request Count"]), "errors": int(row["Failure Count"]),
                           "requests_per_second": round(float(row["Requests/s"]), 2),
                           "p50_ms": _percentile_ms(row, "50%"), "p95_ms": _percentile_ms(row, "95%"),
                           "p99_ms": _percentile_ms(row, "99%")} for row in rows}
    failures = []
    if failures_file.exists():
        with failures_file.open() as f:
            failures = [{"page": row["Name"], "error": row["Error"], "count": int(row["Occurrences"])}
                        for row in csv.DictReader(f)]
    return {"pages": pages, "failures": failures, "steady": _steady_throughput(prefix, signed_in)}


def _steady_throughput(prefix: Path, signed_in: int) -> dict | None:
    """Pages answered per second from the moment every user had signed in (sign-ins hash a
    password: they would otherwise take a large, arbitrary share of a short capacity run)."""
    counts: dict[int, dict[str, int]] = {}  # timestamp → page → requests so far
    with Path(f"{prefix}_stats_history.csv").open() as f:
        for row in csv.DictReader(f):
            if row["Name"] != "Aggregated":
                counts.setdefault(int(row["Timestamp"]), {})[row["Name"]] = int(row["Total Request Count"])
    times = sorted(counts)
    ready = next((t for t in times if counts[t].get("sign in", 0) >= signed_in), None)
    if ready is None or times[-1] - ready < 1:
        return None

    def pages_answered(at):
        return sum(n for name, n in counts[at].items() if name not in SIGN_IN_NAMES)
    seconds = times[-1] - ready
    return {"seconds": seconds, "requests": pages_answered(times[-1]) - pages_answered(ready),
            "requests_per_second": round((pages_answered(times[-1]) - pages_answered(ready)) / seconds, 1)}


class Command(BaseCommand):
    help = "Run the load benchmark (gunicorn + locust) against this database and print JSON."

    def add_arguments(self, parser):
        parser.add_argument("--users", type=int, default=50)
        parser.add_argument("--seconds", type=int, default=60, help="Length of the latency run.")
        parser.add_argument("--no-wait", action="store_true", help="No pause between requests in the latency run.")
        parser.add_argument("--capacity-users", type=int, default=10,
                            help="Simulated users of the two capacity runs (no pause).")
        parser.add_argument("--capacity-seconds", type=int, default=15,
                            help="Length of each capacity run; 0 skips them.")
        parser.add_argument("--one-per-role", action="store_true",
                            help="A smoke run: exactly one caseworker, team leader and manager (--users is then 3).")
        parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (production: 3).")
        parser.add_argument("--locust", help="The locust executable (default: beside python, LOCUST, or PATH).")
        parser.add_argument("--collectstatic", action="store_true",
                            help="Collect static files even when the collected ones look current.")
        parser.add_argument("--keep", help="Keep gunicorn's log and locust's CSV files in this directory.")

    def handle(self, *args, **options):
        if min(options["users"], options["seconds"], options["workers"], options["capacity_users"]) < 1:
            raise CommandError("--users, --seconds, --workers and --capacity-users must be at least 1")
        locust = _locust_executable(options["locust"])
        if options["one_per_role"]:
            options["users"] = options["capacity_users"] = len(MIX)
        if connection.vendor != "postgresql":
            self.stderr.write(f"Note: {connection.vendor}, not PostgreSQL: the figures say little about production.")
        if not Case.objects.exists():
            call_command("seed_demo", stdout=self.stderr)
        connection.close()  # gunicorn's workers open their own; an SQLite file stays free to write
        try:
            with tempfile.TemporaryDirectory(prefix="loadtest-") as scratch, _terminated_on_sigterm():
                work = Path(options["keep"] or scratch)
                work.mkdir(parents=True, exist_ok=True)
                result = self._run(locust, work, options)
        except KeyboardInterrupt:
            raise CommandError("Interrupted; gunicorn and locust were stopped.") from None
        self.stdout.write(json.dumps(result, indent=2))

    def _run(self, locust: str, work: Path, options: dict) -> dict:
        self.one_per_role = options["one_per_role"]
        # Production's settings (DEBUG=0: Secure cookies, TLS redirect), a key thrown away after the run.
        environment = {**os.environ, "DEBUG": "0", "SECRET_KEY": "loadtest-" + secrets.token_urlsafe(40),
                       "ALLOWED_HOSTS": "127.0.0.1", "DATABASE_URL": _database_url()}
        if options["collectstatic"] or not _static_files_current():
            # DEBUG=0 serves static files from the manifest, as in the production image (~1 min of CPU).
            self.stderr.write("Collecting static files (DEBUG=0 needs their manifest)…")
            subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                           cwd=settings.BASE_DIR, env=environment, check=True)
        port = _free_port()
        host = f"http://127.0.0.1:{port}"
        log = work / "gunicorn.log"
        load_before = [round(x, 2) for x in os.getloadavg()]
        with log.open("w") as log_file:
            server = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "casework.wsgi:application", "--workers", str(options["workers"]),
                 "--bind", f"127.0.0.1:{port}", "--access-logfile", "-"],
                cwd=settings.BASE_DIR, env=environment, stdout=log_file, stderr=subprocess.STDOUT,
                start_new_session=True)
        try:
            self._wait_until_serving(server, host, log)
            latency = self._locust(locust, host, MIX, options["users"], options["seconds"], work / "latency",
                                   wait=not options["no_wait"])
            capacity = None
            if options["capacity_seconds"] > 0:
                mix = self._locust(locust, host, MIX, options["capacity_users"], options["capacity_seconds"],
                                   work / "capacity_mix", wait=False, signed_in=options["capacity_users"])
                floor = self._locust(locust, host, FLOOR, options["capacity_users"], options["capacity_seconds"],
                                     work / "capacity_floor", wait=False)
                capacity = self._capacity(mix, floor, options)
        finally:
            _stop(server)
        server_errors = [line for line in log.read_text(errors="replace").splitlines()
                         if any(sign in line for sign in SERVER_ERROR_SIGNS)]
        return self._report(latency, capacity, options, load_before, server_errors, port)

    def _wait_until_serving(self, server: subprocess.Popen, host: str, log: Path, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        request = urllib.request.Request(host + "/accounts/login/", headers={"X-Forwarded-Proto": "https"})
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise CommandError(f"gunicorn stopped (exit {server.returncode}):\n{_tail(log)}")
            try:
                with urllib.request.urlopen(request, timeout=5) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.3)
        raise CommandError(f"gunicorn did not answer within {timeout:.0f} s:\n{_tail(log)}")

    def _locust(self, locust: str, host: str, classes: list[str], users: int, seconds: int, prefix: Path, *,
                wait: bool, signed_in: int = 0) -> dict:
        command = [locust, "-f", str(LOCUSTFILE), "--headless", "--host", host, "--users", str(users),
                   # With pauses, people arrive over ten seconds; without, all at once.
                   "--spawn-rate", str(users if not wait else max(1, users / 10)), "--run-time", f"{seconds}s",
                   "--stop-timeout", "5", "--csv", str(prefix), "--csv-full-history", "--only-summary",
                   "--loglevel", "WARNING", *classes]
        environment = {**os.environ, "LOADTEST_WAIT": "1" if wait else "0",
                       "LOADTEST_ONE_PER_ROLE": "1" if self.one_per_role else "0"}
        with (prefix.parent / f"{prefix.name}.log").open("w") as log_file:
            runner = subprocess.Popen(command, env=environment, stdout=log_file, stderr=subprocess.STDOUT,
                                      start_new_session=True)
            try:
                runner.wait(seconds + 60)
            except subprocess.TimeoutExpired:
                raise CommandError(f"locust did not stop after {seconds} s") from None
            finally:
                _stop(runner)
        stats = _read_stats(prefix, signed_in)
        if not stats["pages"]:
            raise CommandError(f"locust made no requests:\n{_tail(prefix.parent / f'{prefix.name}.log')}")
        return stats

    def _capacity(self, mix: dict, floor: dict, options: dict) -> dict:
        if mix["steady"] is None or floor["steady"] is None:
            raise CommandError("A capacity run was too short to measure once everyone had signed in: "
                               "give --capacity-seconds more time")
        mix_rps, floor_rps = mix["steady"]["requests_per_second"], floor["steady"]["requests_per_second"]
        return {"users": options["capacity_users"], "seconds": options["capacity_seconds"],
                "measured_seconds": {"mix": mix["steady"]["seconds"], "floor": floor["steady"]["seconds"]},
                "mix_requests_per_second": mix_rps, "floor_requests_per_second": floor_rps,
                "ratio": round(mix_rps / floor_rps, 3) if floor_rps else None,
                "errors": sum(page["errors"] for stats in (mix, floor) for page in stats["pages"].values()),
                "mix_pages": mix["pages"], "floor_pages": floor["pages"],
                "failures": mix["failures"] + floor["failures"]}

    def _report(self, latency: dict, capacity: dict | None, options: dict, load_before: list, server_errors: list,
                port: int) -> dict:
        pages = latency["pages"]
        errors = sum(page["errors"] for page in pages.values())
        measured = {name: page for name, page in pages.items() if name not in SIGN_IN_NAMES}
        targets = {
            f"p95_under_{P95_TARGET_MS}_ms_on_every_page": all(
                page["p95_ms"] is not None and page["p95_ms"] < P95_TARGET_MS for page in measured.values()),
            "no_errors": errors == 0 and not server_errors and (capacity is None or capacity["errors"] == 0),
        }
        if capacity is not None:
            targets["mix_at_least_half_of_floor"] = bool(capacity["ratio"] and capacity["ratio"] >= CAPACITY_TARGET_RATIO)
        return {
            "users": options["users"], "seconds": options["seconds"],
            "wait_between_requests": "none" if options["no_wait"] else "1-3 s",
            "database": connection.vendor, "gunicorn_workers": options["workers"], "port": port,
            "cpus": os.cpu_count(), "load_average_before": load_before,
            "load_average_after": [round(x, 2) for x in os.getloadavg()],
            "requests_per_second": round(sum(page["requests_per_second"] for page in pages.values()), 1),
            "errors": errors, "pages": pages, "failures": latency["failures"],
            "server_errors": server_errors[:20], "capacity": capacity, "targets_met": targets,
        }
