"""`habilita dev`, what `make run` starts: the whole stack comes up, and a
process survives stopping and restarting it."""
from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from habilita.adapters.temporal import connect
from habilita.settings import Settings
from habilita.workflows.einvoicing import DianRegistration, EInvoicingEnablement
from tests.harness import free_port

TEST_SET_ID = "8f1b3c2a-4d5e-4f60-9a7b-0c1d2e3f4a5b"
DEMO_WORKFLOW = "einvoicing-CO-900123456"


class RunningStack:
    """`habilita dev` in a subprocess, its output collected."""

    def __init__(self, env: dict, *options: str):
        self.output: list[str] = []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "habilita.cli", "dev", *options], env=env, start_new_session=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        )
        threading.Thread(target=self._collect, daemon=True).start()

    def _collect(self) -> None:
        for line in self.process.stdout:
            self.output.append(line)

    def wait_until_running(self, timeout: float = 120) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any("habilita is running" in line for line in self.output):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.3)
        raise AssertionError("the stack did not come up:\n" + "".join(self.output[-60:]))

    def pids(self) -> dict[str, int]:
        """Each child's latest pid, as the supervisor announced it."""
        found = {}
        for line in self.output:
            started = re.match(r"\[dev\] (\S+) started \(pid (\d+)\)", line)
            if started:
                found[started[1]] = int(started[2])
        return found

    def wait_for_line(self, text: str, *, after: int = 0, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.output[after:]):
                return
            time.sleep(0.2)
        raise AssertionError(f"no {text!r} within {timeout:.0f} s:\n" + "".join(self.output[-40:]))

    def stop(self) -> int:
        """Ctrl-C, as a person at the terminal would; the exit code."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGINT)
        return self.process.wait(timeout=60)


@pytest.fixture
def stack_env(tmp_path):
    env = dict(os.environ)
    env.update({
        "HABILITA_VAR": str(tmp_path / "var"),
        "TEMPORAL_DEV_PORT": str(free_port()), "TEMPORAL_DEV_UI_PORT": str(free_port()),
        "ADMIN_PORT": str(free_port()), "DIAN_SIM_PORT": str(free_port()), "BILLING_SIM_PORT": str(free_port()),
        "ERP_SIM_PORT": str(free_port()), "MARKETPLACE_SIM_PORT": str(free_port()), "RECEIVER_PORT": str(free_port()),
    })
    env.pop("DATABASE_URL", None)
    return env


def get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.status


async def register_demo_company(settings: Settings) -> None:
    client = await connect(settings)
    handle = client.get_workflow_handle(DEMO_WORKFLOW)
    await handle.execute_update(
        EInvoicingEnablement.submit_dian_registration,
        DianRegistration(actor="ana@example.co", operation_mode="provider", test_set_id=TEST_SET_ID),
    )
    for _ in range(100):
        if (await handle.query(EInvoicingEnablement.status)).step != "dian_registration":
            return
        await asyncio.sleep(0.1)


async def demo_status(settings: Settings):
    client = await connect(settings)
    return await client.get_workflow_handle(DEMO_WORKFLOW).query(EInvoicingEnablement.status)


@pytest.mark.timeout(300)
def test_the_stack_comes_up_and_a_process_survives_a_restart(stack_env):
    settings = Settings.from_env({**stack_env, "TEMPORAL_ADDRESS": f"127.0.0.1:{stack_env['TEMPORAL_DEV_PORT']}"})

    first = RunningStack(stack_env)
    try:
        first.wait_until_running()
        assert get(f"http://127.0.0.1:{stack_env['ADMIN_PORT']}/auth/login") == 200
        assert get(f"http://127.0.0.1:{stack_env['TEMPORAL_DEV_UI_PORT']}/") == 200
        password = (Path(stack_env["HABILITA_VAR"]) / "initial-admin-password").read_text().strip()
        assert any("admin@habilita.local  password in " in line for line in first.output)
        assert not any(password in line for line in first.output), "the password stays out of the stack's log"
        asyncio.run(register_demo_company(settings))
    finally:
        assert first.stop() == 0, "".join(first.output[-40:])

    second = RunningStack(stack_env)
    try:
        second.wait_until_running()
        status = asyncio.run(demo_status(settings))
        assert status.step != "dian_registration"
        assert status.registration.test_set_id == TEST_SET_ID
        assert not any("first admin:" in line for line in second.output), "the admin is seeded only once"
    finally:
        assert second.stop() == 0, "".join(second.output[-40:])


def state_in(stat: str) -> str:
    """The state letter of a ``/proc/.../stat`` line (after the name, which may hold spaces and parentheses)."""
    return stat.rsplit(")", 1)[1].split()[0]


def alive(pid: int) -> bool:
    """Whether ``pid`` still runs (a zombie waiting for a reaper does not)."""
    try:
        state = state_in(Path(f"/proc/{pid}/stat").read_text())
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state != "Z"


@pytest.mark.timeout(300)
def test_a_killed_child_comes_back_and_every_child_dies_with_a_killed_supervisor(stack_env):
    ports = {"temporal": stack_env["TEMPORAL_DEV_PORT"], "dian-sim": stack_env["DIAN_SIM_PORT"],
             "billing-sim": stack_env["BILLING_SIM_PORT"], "admin": stack_env["ADMIN_PORT"]}
    stack = RunningStack(stack_env, "--no-seed")
    try:
        stack.wait_until_running()
        for name in ("worker", "admin", "dian-sim", "billing-sim", "temporal"):
            before, mark = stack.pids()[name], len(stack.output)
            os.kill(before, signal.SIGKILL)
            stack.wait_for_line(f"[dev] {name} exited with code -9; restarting it in 1 s", after=mark)
            stack.wait_for_line(f"[dev] {name} is back", after=mark)
            assert stack.pids()[name] != before and alive(stack.pids()[name])
            if name in ports:
                assert stack_port_answers(int(ports[name])), f"{name} does not listen again"
        assert stack.process.poll() is None, "the supervisor keeps running"

        children = stack.pids()
        os.kill(stack.process.pid, signal.SIGKILL)
        stack.process.wait(timeout=10)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(alive(pid) for pid in children.values()):
            time.sleep(0.2)
        survivors = {name: pid for name, pid in children.items() if alive(pid)}
        assert not survivors, "children outlived their supervisor: " + "; ".join(
            f"{name} {where_it_stands(pid)}" for name, pid in survivors.items()) + "\n" + "".join(stack.output[-40:])
        # A server shutting down on SIGTERM may hold its port a moment longer than its pid: the next
        # `make run` must find every port free, within the same half minute.
        while time.monotonic() < deadline and any(stack_port_answers(int(port)) for port in ports.values()):
            time.sleep(0.2)
        assert not [name for name, port in ports.items() if stack_port_answers(int(port))], "a port is still held"
    finally:
        if stack.process.poll() is None:
            os.killpg(stack.process.pid, signal.SIGKILL)
        for pid in stack.pids().values():
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


def where_it_stands(pid: int) -> str:
    """Each thread of ``pid`` with its state and the kernel function it sleeps in, to tell a hang from a slow exit."""
    threads = []
    for task in sorted(Path(f"/proc/{pid}/task").glob("*")):
        try:
            stat = (task / "stat").read_text()
            wchan = (task / "wchan").read_text() or "-"
        except OSError:
            continue
        threads.append(f"{stat[stat.index('(') + 1:stat.rindex(')')]}:{state_in(stat)}:{wchan}")
    return f"(pid {pid}: {', '.join(threads)})"


def stack_port_answers(port: int) -> bool:
    from habilita.devstack import port_is_open

    return port_is_open("127.0.0.1", port)
