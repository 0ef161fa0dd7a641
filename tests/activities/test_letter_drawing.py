"""The worker draws letters in a helper process: the PDF is the one drawn in-process, byte for byte, for
every script the form accepts; a letter the helper cannot draw fails naming why and the helper draws the
next; a helper killed or hung is replaced; and the worker's own process imports neither fpdf2 nor fontTools'
subsetter."""
from __future__ import annotations

import dataclasses
import os
import signal
import subprocess
import sys
import time

import pytest

from habilita.activities.letter_pdf import render_letter
from habilita.activities.letters import LetterDrawer
from habilita.adapters.helper_process import HelperFailed, HelperUnavailable
from tests.activities.test_letter_faces import CONTENTS, SPANISH


@pytest.fixture
def drawer():
    drawer = LetterDrawer(seconds=5)
    yield drawer
    drawer.close()


def test_the_helper_draws_the_letter_drawn_in_process_byte_for_byte(drawer):
    for content in CONTENTS:
        assert drawer.draw(content) == render_letter(content), content.company_name

    assert drawer.pid is not None and drawer.pid != os.getpid()


def test_a_letter_the_helper_cannot_draw_fails_naming_why_and_the_next_is_drawn(drawer):
    drawer.draw(SPANISH)
    helper = drawer.pid

    with pytest.raises(HelperFailed, match="letter drawing helper failed: KeyError: 'unknown purpose'"):
        drawer.draw(dataclasses.replace(SPANISH, purpose="unknown purpose"))

    assert drawer.draw(SPANISH) == render_letter(SPANISH)
    assert drawer.pid == helper, "the helper went on serving"


def test_a_killed_helper_is_replaced_by_the_next_letter(drawer):
    drawer.draw(SPANISH)
    killed = drawer.pid
    os.kill(killed, signal.SIGKILL)

    with pytest.raises(HelperUnavailable, match="letter drawing helper stopped"):
        drawer.draw(SPANISH)
    assert drawer.draw(SPANISH) == render_letter(SPANISH)
    assert drawer.pid not in (None, killed)


def test_a_hung_helper_is_killed_in_time_and_replaced():
    drawer = LetterDrawer(seconds=2)
    try:
        drawer.draw(SPANISH)
        stuck = drawer.pid
        os.kill(stuck, signal.SIGSTOP)

        started = time.monotonic()
        with pytest.raises(HelperUnavailable, match="did not answer within 2 s"):
            drawer.draw(SPANISH)
        took = time.monotonic() - started

        assert 2 <= took < 5, took
        with pytest.raises(ProcessLookupError):  # killed, and reaped
            os.kill(stuck, 0)
        assert drawer.draw(SPANISH) == render_letter(SPANISH)
    finally:
        drawer.close()


def test_drawing_a_letter_does_not_import_fpdf_or_the_subsetter_into_the_worker():
    # Not SPANISH imported from test_letter_faces, which imports fpdf2 itself: its contents, written out.
    program = ("import datetime, sys\n"
               "from habilita.activities.letter_content import LetterContent\n"
               "from habilita.activities.letters import LetterDrawer\n"
               f"content = {SPANISH!r}\n"
               "drawer = LetterDrawer()\n"
               "assert drawer.draw(content).startswith(b'%PDF-')\n"
               "drawer.close()\n"
               "print(sorted(m for m in sys.modules\n"
               "             if m.split('.')[0] == 'fpdf' or m.startswith('fontTools.subset')))\n")
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True)

    assert done.stdout.strip() == "[]", done.stdout
