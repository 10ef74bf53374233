"""The three roles' daily pages, for locust (run by `manage.py loadtest`, README "Load benchmark").

Locust runs this file in its own process (gevent patches the standard library), so it imports
nothing from the project: it signs in through the real sign-in form with the demo agency's
users and follows the links of the pages it reads, as a browser would.

It stands in for a browser behind the TLS-terminating proxy of production: every request says
`X-Forwarded-Proto: https`, the sign-in sends the `Origin` a browser sends, and the Secure
cookies Django sets are sent back over the plain-HTTP hop to gunicorn (the proxy's hop). The
server keeps its production settings (Secure cookies, TLS redirect) unchanged; the sign-in
fails unless Django marked its session cookie Secure.

Environment: LOADTEST_WAIT=0 sends requests with no pause (capacity phases); otherwise each
simulated user waits 1–3 s between requests. LOADTEST_ONE_PER_ROLE=1 runs exactly one user of
each role (a smoke run; otherwise locust shares the users 7:2:1 by weight).
LOADTEST_PASSWORD overrides the demo password.
"""

import html
import itertools
import os
import random
import re

import gevent
from locust import HttpUser, between, constant, task

PASSWORD = os.environ.get("LOADTEST_PASSWORD", "demo-casework-2026")
WAIT = constant(0) if os.environ.get("LOADTEST_WAIT") == "0" else between(1, 3)
ONE_PER_ROLE = 1 if os.environ.get("LOADTEST_ONE_PER_ROLE") == "1" else 0
SIGN_IN = "/accounts/login/"

CASEWORKERS = [f"cw.{team}.{n}" for team in ("nth1", "nth2", "rvb1", "rvb2") for n in range(1, 5)]
TEAM_LEADERS = ["tl.nth1", "tl.nth2", "tl.rvb1", "tl.rvb2"]
MANAGERS = ["manager", "finance"]

CASE_LINK = re.compile(r'href="/cases/([A-Z0-9]+-\d{4}-\d+)/"')
MONTH_LINK = re.compile(r'href="(/contacts/case/[^"/]+/month/\d{4}-\d{2}/)"')
DRILL_DOWN_LINK = re.compile(r'href="(/contacts/dashboard/cases/[^"]*)"')
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Signed(HttpUser):
    """A member of staff: signs in once, then reads pages. Every page must answer 200 itself
    (redirects are not followed, so a lost session shows as a failure, not as the sign-in page)."""

    abstract = True
    wait_time = WAIT
    usernames: list[str] = []
    first_round: tuple = ()
    _next = None

    def on_start(self):
        cls = type(self)
        if cls._next is None:
            cls._next = itertools.cycle(self.usernames)
        self.username = next(cls._next)
        self.client.headers["X-Forwarded-Proto"] = "https"
        self.sign_in()
        # The day starts with a look at each of the role's pages; then they come at random, by weight.
        for page in self.first_round:
            page(self)
            gevent.sleep(self.wait_time())

    def _over_plain_hop(self):
        """requests sends a Secure cookie only over https (and copies the session's cookies into a
        jar of its default policy for each request, so a cookie policy cannot change that): drop
        the flag in the jar before each request. Django sets it again on every cookie it sends."""
        for cookie in self.client.cookies:
            cookie.secure = False

    def sign_in(self):
        page = self.client.get(SIGN_IN, name="sign-in page", allow_redirects=False)
        token = CSRF_FIELD.search(page.text or "")
        self._over_plain_hop()
        with self.client.post(SIGN_IN, name="sign in", allow_redirects=False, catch_response=True,
                              headers={"Origin": self.origin, "Referer": self.origin + SIGN_IN},
                              data={"username": self.username, "password": PASSWORD,
                                    "csrfmiddlewaretoken": token.group(1) if token else ""}) as answer:
            session = next((c for c in self.client.cookies if c.name == "sessionid"), None)
            if answer.status_code != 302 or answer.headers.get("Location", "").startswith(SIGN_IN):
                answer.failure(f"{self.username} was not signed in: {answer.status_code}")
            elif session is None or not session.secure:
                answer.failure("the session cookie is missing or not Secure")

    @property
    def origin(self):
        # The address the proxy would serve: https, the same host and port.
        return "https://" + self.host.split("://", 1)[1].rstrip("/")

    def page(self, url, name):
        """GET a page; it must answer 200 (not a redirect, not 404)."""
        self._over_plain_hop()
        with self.client.get(url, name=name, allow_redirects=False, catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code} {answer.headers.get('Location', '')}".strip())
            return answer.text if answer.status_code == 200 else ""


def fixed_page(url, name, *, weight):
    """A task reading a page whose address depends on nothing the user has read."""
    @task(weight)
    def read(self):
        self.page(url, name)
    return read


class Caseworker(Signed):
    """A caseworker's day: their cases, a case's page, timeline and months, alerts and visits."""

    weight = 7
    fixed_count = ONE_PER_ROLE
    usernames = CASEWORKERS

    def on_start(self):
        self.months = {}  # reference → month page links, read from the case page
        self.references = []
        super().on_start()

    @task(3)
    def my_cases(self):
        found = sorted(set(CASE_LINK.findall(self.page("/cases/", "my cases"))))
        if found:
            self.references = found

    def _reference(self):
        return random.choice(self.references) if self.references else None

    @task(4)
    def case_page(self, reference=None):
        reference = reference or self._reference()
        if reference:
            self.months[reference] = MONTH_LINK.findall(self.page(f"/cases/{reference}/", "case page"))

    @task(2)
    def timeline(self):
        reference = self._reference()
        if reference:
            self.page(f"/contacts/case/{reference}/timeline/", "timeline")

    @task(2)
    def month_page(self):
        reference = self._reference()
        if reference and reference not in self.months:
            self.case_page(reference)
        if self.months.get(reference):
            self.page(random.choice(self.months[reference]), "month page")

    alerts = fixed_page("/alerts/", "alerts", weight=2)
    my_visits = fixed_page("/contacts/visits/", "my visits", weight=1)

    first_round = (my_cases, case_page, timeline, month_page, alerts, my_visits)


class TeamLeader(Signed):
    """A team leader: the teams' cases, the approvals queue, the team dashboard."""

    weight = 2
    fixed_count = ONE_PER_ROLE
    usernames = TEAM_LEADERS

    team_cases = fixed_page("/cases/", "team's cases", weight=3)
    approvals = fixed_page("/contacts/approvals/", "approvals", weight=2)
    dashboard = fixed_page("/contacts/dashboard/", "team dashboard", weight=2)

    first_round = (team_cases, approvals, dashboard)


class Manager(Signed):
    """A manager: the compliance dashboard, then a drill-down it links to."""

    weight = 1
    fixed_count = ONE_PER_ROLE
    usernames = MANAGERS

    def on_start(self):
        self.drill_downs = []
        super().on_start()

    @task(2)
    def dashboard(self):
        links = DRILL_DOWN_LINK.findall(self.page("/contacts/dashboard/", "manager dashboard"))
        if links:
            self.drill_downs = [html.unescape(link) for link in links if "export=" not in link]

    @task(3)
    def drill_down(self):
        if self.drill_downs:
            self.page(random.choice(self.drill_downs), "drill-down")

    first_round = (dashboard, drill_down)


class Floor(HttpUser):
    """The floor: the same server's sign-in page, signed out (no database work beyond the
    middleware), for the capacity comparison."""

    wait_time = WAIT

    def on_start(self):
        self.client.headers["X-Forwarded-Proto"] = "https"

    @task
    def sign_in_page(self):
        with self.client.get(SIGN_IN, name="floor: sign-in page", allow_redirects=False,
                             catch_response=True) as answer:
            if answer.status_code != 200:
                answer.failure(str(answer.status_code))

