import os
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from loops import Loops  # noqa: E402
from presenter import Presenter  # noqa: E402


@pytest.fixture
def loops():
    created = Loops()
    try:
        yield created
    finally:
        created.cleanup()


@pytest.fixture
def presenters(loops):
    """Starts presenters (each with its own core) and closes them all after the test.

    Depends on `loops` so that cores always stop before the test's loop devices are detached."""
    started = []

    def start(**kwargs):
        presenter = Presenter(**kwargs)
        started.append(presenter)
        return presenter

    try:
        yield start
    finally:
        for presenter in started:
            presenter.close()


@pytest.fixture
def core(presenters):
    """A presenter over ipc:// with a core that has sent status: started."""
    presenter = presenters()
    presenter.wait_for(lambda m: m.get("type") == "status" and m.get("status") == "started", timeout=10)
    return presenter


@pytest.fixture
def workdir(tmp_path):
    return str(tmp_path)
