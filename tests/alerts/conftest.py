import pytest


@pytest.fixture(autouse=True)
def nightly_chunks_of_one_team(monkeypatch):
    """These tests follow runs chunk by chunk, team by team (redelivery, the watchdog, lost
    workers). A nightly run puts teams together until enough of their case-months need a
    recompute (contacts.compliance.NIGHTLY_CHUNK_CASES, tested in
    tests/contacts/test_nightly_incremental.py); with a limit of one, each team with
    something to compute has its chunk, as the teams of a big agency have on its first night."""
    from contacts import compliance

    monkeypatch.setattr(compliance, "NIGHTLY_CHUNK_CASES", 1)
