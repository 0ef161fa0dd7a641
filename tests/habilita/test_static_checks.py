"""Static security checks: bandit finds nothing unexplained in habilita/, and `make test` (what CI runs)
runs it first, so a new finding fails the build until it is fixed or accepted on its line."""
from __future__ import annotations

import subprocess  # nosec B404 # the test runs bandit and make, fixed argument lists
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_bandit_finds_nothing_left_unexplained_in_habilita():
    bandit = Path(sys.executable).with_name("bandit")
    assert bandit.exists(), "bandit is a dev dependency (pyproject's [dev] extra)"
    done = subprocess.run([str(bandit), "-r", "habilita", "-q"], cwd=ROOT, capture_output=True, text=True,
                          timeout=240)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "WARNING" not in done.stderr, "a nosec that silences nothing, or a malformed one: " + done.stderr[-2000:]


def test_make_test_runs_the_static_checks_before_the_suite():
    plan = subprocess.run(["make", "-n", "test"], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          env={"PATH": "/usr/bin:/bin", "POSTGRES_TEST_URL": ""}).stdout
    bandit_at, pytest_at = plan.find("bandit -r habilita"), plan.find("bin/pytest")
    assert -1 < bandit_at < pytest_at, plan
