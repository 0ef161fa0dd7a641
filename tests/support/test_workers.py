"""Whether a worker serves the task queue, from Temporal's own record of who polled it: the queue of stuck
processes says so above the processes, in the console and in `habilita support queue`."""
from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

from habilita.messages.catalog import render
from habilita.messages.locale import gettext_for
from habilita.support.workers import SILENCE, worker_presence
from habilita.worker import build_worker, worker_identity
from tests.support.test_cli import cli_env, habilita


async def serving(client, task_queue: str, seconds: float = 20):
    for _ in range(int(seconds / 0.1)):
        presence = await worker_presence(client, task_queue)
        if presence.serving:
            return presence
        await asyncio.sleep(0.1)
    raise AssertionError(f"no worker seen polling {task_queue}")


async def test_a_task_queue_no_worker_ever_polled_says_no_process_moves(client, task_queue):
    presence = await worker_presence(client, task_queue)

    assert not presence.serving and presence.last_poll is None and presence.identities == ()
    assert render(presence.problem(), gettext_for("es")) == (
        f"Ningún worker atiende la cola de tareas {task_queue}: ningún proceso avanza hasta que uno arranque "
        "(habilita worker).")


async def test_a_running_worker_serves_and_once_stopped_falls_silent_after_one_long_poll(
        client, settings, task_queue, db):
    async with build_worker(client, settings, task_queue=task_queue):
        presence = await serving(client, task_queue)
        assert presence.problem() is None
        assert worker_identity() in presence.identities
    stopped = await worker_presence(client, task_queue)
    assert stopped.last_poll is not None and stopped.serving, "a worker just stopped polled within the long poll"

    later = dataclasses.replace(stopped, checked_at=stopped.last_poll + SILENCE + dt.timedelta(seconds=1))
    assert not later.serving
    assert render(later.problem(), gettext_for("es")) == (
        f"Ningún worker ha pedido trabajo en la cola de tareas {task_queue} desde hace 2 min: ningún proceso "
        "avanza hasta que uno vuelva a arrancar (habilita worker).")


async def test_the_support_queue_command_says_first_that_no_worker_serves_and_still_lists(
        client, settings, task_queue, db):
    env = cli_env(settings, client) | {"TEMPORAL_TASK_QUEUE": task_queue}

    code, output = await habilita(env, "support", "queue")

    assert code == 0
    assert output.splitlines()[0] == (f"Ningún worker atiende la cola de tareas {task_queue}: ningún proceso avanza "
                                      "hasta que uno arranque (habilita worker).")
    assert "0 stuck process(es)" in output

    async with build_worker(client, settings, task_queue=task_queue):
        await serving(client, task_queue)
        code, output = await habilita(env, "support", "queue")
    assert code == 0 and "worker" not in output, output
