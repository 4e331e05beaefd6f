import os
import random
import sys

import pytest

sys.path.insert(0, os.path.dirname(__file__))

from loops import Loops  # noqa: E402
from presenter import Presenter  # noqa: E402

FUZZ_SEED_VARIABLE = "APART_FUZZ_SEED"
_shown = []  # user properties named "shown": outcomes a test reports, whichever way it passed


# -- what a run shows besides pass and fail ----------------------------------------------------


# Set by sudo or pkexec when the suite itself was started through them (scripts/as-root.sh): a
# core would give its images to that user. The suite's cores are root's unless a test says so.
STARTER_VARIABLES = ("PKEXEC_UID", "SUDO_UID", "SUDO_GID", "SUDO_USER", "SUDO_COMMAND")


def pytest_configure(config):
    for variable in STARTER_VARIABLES:
        os.environ.pop(variable, None)
    """Chooses the fuzz seed once, in the controlling process: it is printed at the top of the run
    whatever happens later, and pytest-xdist's workers, started afterwards, inherit it."""
    if not hasattr(config, "workerinput") and not os.environ.get(FUZZ_SEED_VARIABLE):
        os.environ[FUZZ_SEED_VARIABLE] = str(random.SystemRandom().randrange(1, 1 << 32))


def pytest_report_header(config):
    seed = os.environ.get(FUZZ_SEED_VARIABLE)
    return f"fuzz seed {seed}: replay with {FUZZ_SEED_VARIABLE}={seed} ./test.sh -k fuzz"


def pytest_runtest_logreport(report):
    # pytest-xdist hands the workers' reports, user properties included, to the controlling
    # process: a test's own print would never reach the terminal from a worker.
    if report.when == "call":
        _shown.extend(value for name, value in report.user_properties if name == "shown")


def pytest_terminal_summary(terminalreporter):
    for line in _shown:
        terminalreporter.write_line(line)


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
