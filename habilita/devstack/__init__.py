"""`habilita dev`: the whole local stack under one supervisor.

Starts, in order, the Temporal dev server (from ``temporal-dev.yaml``), the
local simulators, the worker and the admin console; seeds demo data once;
restarts a child that dies, waiting longer after each quick death; and on
Ctrl-C stops every child, last started first. The children also die with
the supervisor when it is killed outright (the kernel sends them SIGTERM), so
no orphan keeps a port. Everything durable lives under ``var/``, so the next
start comes back with the same data and the same running processes.
"""
from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess  # nosec B404 # starts the stack's own parts from plan(): argument lists, no shell
import sys
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

import secrets

import requests

from habilita.demo.channels import SELLER as DEMO_SELLER
from habilita.settings import Settings

from .devserver import DevServerConfig, temporal_binary

STOP_GRACE_SECONDS = 15
# A dead child comes back after these pauses, one per quick death in a row; one that ran
# STABLE_SECONDS before dying starts over at the first.
RESTART_BACKOFF_SECONDS = (1, 2, 4, 8, 15, 30)
STABLE_SECONDS = 60


class DevStackError(RuntimeError):
    """A part of the stack could not start."""


@dataclass
class Child:
    name: str
    command: list[str]
    port: int | None = None
    process: subprocess.Popen | None = field(default=None, repr=False)
    started_at: float = 0.0
    quick_deaths: int = 0  # deaths in a row, each within STABLE_SECONDS of its start
    restart_at: float | None = None  # when a dead child is due to start again


def dying_with_parent(command: list[str]) -> list[str]:
    """``command`` run so that the kernel sends it SIGTERM when the supervisor dies, even by SIGKILL.

    ``setpriv`` (util-linux, on every Debian) sets the parent-death signal
    and execs the command, which keeps it across the exec.
    """
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "TERM", "--", *command] if setpriv else command


def port_is_open(host: str, port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def wait_for_port(host: str, port: int, *, name: str, timeout: float, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise DevStackError(f"{name} exited with code {process.returncode} before listening on {host}:{port}")
        if port_is_open(host, port):
            return
        time.sleep(0.2)
    raise DevStackError(f"{name} did not listen on {host}:{port} within {timeout:.0f} s")


def _pump(prefix: str, stream) -> None:
    for line in iter(stream.readline, b""):
        sys.stdout.write(f"{prefix} {line.decode(errors='replace')}")
        sys.stdout.flush()


class DevStack:
    def __init__(self, settings: Settings, *, root: Path | None = None):
        self.settings = settings
        self.root = root or Path.cwd()  # where `habilita dev` runs: its var/ and relative paths
        config = DevServerConfig.load()
        # Ports can move (a second stack, the tests) without editing the YAML.
        self.config = replace(
            config,
            port=int(os.environ.get("TEMPORAL_DEV_PORT", config.port)),
            ui_port=int(os.environ.get("TEMPORAL_DEV_UI_PORT", config.ui_port)),
            db_filename=str(settings.var_dir / Path(config.db_filename).name),
        )
        self.dian_port = int(os.environ.get("DIAN_SIM_PORT", 8090))
        self.billing_port = int(os.environ.get("BILLING_SIM_PORT", 8091))
        self.erp_port = int(os.environ.get("ERP_SIM_PORT", 8093))
        self.marketplace_port = int(os.environ.get("MARKETPLACE_SIM_PORT", 8094))
        self.receiver_port = int(os.environ.get("RECEIVER_PORT", 8095))
        # The marketplace simulator's token for the demo seller: made anew at each start, handed to the
        # simulator and the worker, never written to a file or a log.
        self.marketplace_token = secrets.token_urlsafe(24)
        self.children: list[Child] = []
        self._env: dict = {}

    def environment(self) -> dict:
        env = dict(os.environ)
        env.update({
            "HABILITA_VAR": str(self.settings.var_dir),
            "DATABASE_URL": self.settings.database_url,
            "TEMPORAL_ADDRESS": f"{self.config.ip}:{self.config.port}",
            "TEMPORAL_NAMESPACE": self.config.namespace,
            "DIAN_URL": f"http://127.0.0.1:{self.dian_port}/WcfDianCustomerServices.svc",
            "BILLING_URL": f"http://127.0.0.1:{self.billing_port}",
            "ERP_URL": f"http://127.0.0.1:{self.erp_port}",
            "MARKETPLACE_URL": f"http://127.0.0.1:{self.marketplace_port}",
            "MARKETPLACE_TOKEN": self.marketplace_token,
            "RECEIVER_PORT": str(self.receiver_port),
            "TEMPORAL_UI_URL": f"http://{self.config.ip}:{self.config.ui_port}",
            # The console serves plain http on loopback and shows the mail outbox to admins.
            "HABILITA_DEV_STACK": "1",
            "PYTHONUNBUFFERED": "1",
        })
        return env

    def plan(self) -> list[Child]:
        """The children to start, in order; simulators only where installed."""
        var = self.settings.var_dir
        python = sys.executable
        children = [Child("temporal", self.config.command(temporal_binary(), root=self.root), self.config.port)]
        if importlib.util.find_spec("habilita.simulators.dian.__main__"):
            children.append(Child("dian-sim", [python, "-m", "habilita.simulators.dian", "--port", str(self.dian_port),
                                               "--state", str(var / "dian-sim.db")], self.dian_port))
        if importlib.util.find_spec("habilita.simulators.billing.__main__"):
            children.append(Child("billing-sim", [python, "-m", "habilita.simulators.billing", "--port",
                                                  str(self.billing_port), "--state", str(var / "billing-sim.db")],
                                  self.billing_port))
        dian_url = f"http://127.0.0.1:{self.dian_port}/WcfDianCustomerServices.svc"
        if importlib.util.find_spec("habilita.simulators.erp.__main__"):
            children.append(Child("erp-sim", [python, "-m", "habilita.simulators.erp", "--port", str(self.erp_port),
                                              "--dian-url", dian_url], self.erp_port))
        if importlib.util.find_spec("habilita.simulators.marketplace.__main__"):
            children.append(Child("marketplace-sim", [
                python, "-m", "habilita.simulators.marketplace", "--port", str(self.marketplace_port),
                "--notify-url", f"http://127.0.0.1:{self.receiver_port}/notifications",
                "--dev-seller", DEMO_SELLER,
                # One argument with its option: a token may begin with "-", which argparse would take for one.
                f"--dev-token={self.marketplace_token}",
                "--application-id", self.settings.marketplace_app_id], self.marketplace_port))
        # The receiver before the worker: the demo seeding (once the worker runs) makes the marketplace notify.
        children.append(Child("receiver", [python, "-m", "habilita.receiver", "--port", str(self.receiver_port)],
                              self.receiver_port))
        children.append(Child("worker", [python, "-m", "habilita.cli", "worker"]))
        children.append(Child("admin", [python, "-m", "habilita.cli", "admin"], self.settings.admin_port))
        return children

    def start(self, *, seed) -> None:
        (self.settings.var_dir / "log").mkdir(parents=True, exist_ok=True)
        self._env = self.environment()
        for child in self.plan():
            if child.port and port_is_open("127.0.0.1", child.port):
                raise DevStackError(f"port {child.port} for {child.name} is already in use: is another stack running?")
            self.children.append(child)
            self._launch(child)
            if child.name == "dian-sim":
                self._env.update(self.provider_software())
            if child.name == "worker":
                # Demo processes need a worker to advance past their first step.
                seed(self._env)

    def provider_software(self) -> dict:
        """The provider's software registered at the DIAN simulator (once; later starts get the same),
        as the settings the worker and the console read, unless they are set already."""
        if os.environ.get("PROVIDER_SOFTWARE_ID"):
            return {}
        answer = requests.post(f"http://127.0.0.1:{self.dian_port}/portal/providers",
                               json={"nit": self.settings.provider_nit}, timeout=10)
        answer.raise_for_status()
        software = answer.json()
        print(f"[dev] provider software {software['software_id']} registered at the DIAN simulator", flush=True)
        return {"PROVIDER_SOFTWARE_ID": software["software_id"], "PROVIDER_SOFTWARE_PIN": software["pin"]}

    def _launch(self, child: Child) -> None:
        """Start ``child`` and wait until it listens on its port (if it has one)."""
        child.process = subprocess.Popen(  # nosec B603 # argv from plan(): this interpreter, the Temporal binary
            dying_with_parent(child.command), cwd=self.root, env=self._env, start_new_session=True,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        )
        child.started_at = time.monotonic()
        threading.Thread(target=_pump, args=(f"[{child.name}]", child.process.stdout), daemon=True).start()
        print(f"[dev] {child.name} started (pid {child.process.pid})", flush=True)
        if child.port:
            wait_for_port("127.0.0.1", child.port, name=child.name, timeout=60, process=child.process)

    def watch(self) -> int:
        """Keep every child running until Ctrl-C or SIGTERM; returns the exit code to use."""
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        try:
            while not stop.wait(0.5):
                for child in self.children:
                    self._tend(child, time.monotonic())
        except KeyboardInterrupt:
            print("\n[dev] stopping")
        return 0

    def _tend(self, child: Child, now: float) -> None:
        """Notice a dead child and schedule its restart; restart it when it is due."""
        if child.restart_at is None:
            if child.process.poll() is None:
                return
            if now - child.started_at >= STABLE_SECONDS:
                child.quick_deaths = 0
            pause = RESTART_BACKOFF_SECONDS[min(child.quick_deaths, len(RESTART_BACKOFF_SECONDS) - 1)]
            child.quick_deaths += 1
            child.restart_at = now + pause
            print(f"[dev] {child.name} exited with code {child.process.returncode}; "
                  f"restarting it in {pause} s (death {child.quick_deaths} in a row)", flush=True)
        elif now >= child.restart_at:
            child.restart_at = None
            try:
                self._launch(child)
            except DevStackError as error:  # it died again at once: the next tick backs off further
                print(f"[dev] {error}", flush=True)
                return
            print(f"[dev] {child.name} is back", flush=True)

    def stop(self) -> None:
        for child in reversed(self.children):
            child.restart_at = None
            if child.process and child.process.poll() is None:
                os.killpg(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_GRACE_SECONDS
        for child in reversed(self.children):
            if not child.process:
                continue
            try:
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                print(f"[dev] {child.name} did not stop in {STOP_GRACE_SECONDS} s; killing it")
                os.killpg(child.process.pid, signal.SIGKILL)
                child.process.wait()
        self.children.clear()
