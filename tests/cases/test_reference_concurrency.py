"""Reference numbers stay unique and gap-free when several requests ask at the same time."""

import threading

import pytest
from django.db import connection

from cases.services import case_references_allocate

pytestmark = pytest.mark.django_db(transaction=True)


def test_simultaneous_requests_never_receive_the_same_reference_number():
    issued, errors = [], []
    start = threading.Barrier(4)

    def worker():
        try:
            start.wait()
            for _ in range(5):
                issued.extend(case_references_allocate(year=2031, count=2))
        except Exception as error:  # reported below; a thread's exception is otherwise lost
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert sorted(issued) == [f"QLD-2031-{n:06d}" for n in range(1, 41)]
