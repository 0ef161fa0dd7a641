"""`habilita worker` in a process of its own, as production runs it, and what it costs the machine."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def worker_env(settings, client, task_queue: str, **extra: str) -> dict[str, str]:
    """The environment that points `habilita worker` at this bench's server, database, queue and simulators."""
    return {**os.environ, "DATABASE_URL": settings.database_url, "HABILITA_VAR": str(settings.var_dir),
            "TEMPORAL_ADDRESS": client.service_client.config.target_host, "TEMPORAL_NAMESPACE": client.namespace,
            "TEMPORAL_TASK_QUEUE": task_queue, "HABILITA_ENCRYPTION_KEY": settings.encryption_key,
            "SECRET_KEY": "bench", "DIAN_URL": settings.dian_url, "BILLING_URL": settings.billing_url, **extra}


def start_worker(env: dict[str, str], *, log: Path) -> subprocess.Popen:
    """`python -m habilita.cli worker`, its output kept in ``log``; returns once it polls its queue."""
    out = open(log, "ab")
    process = subprocess.Popen([sys.executable, "-m", "habilita.cli", "worker"], cwd=ROOT, env=env,
                               stdout=out, stderr=subprocess.STDOUT)
    out.close()
    deadline = time.monotonic() + 60
    while b"worker on task queue" not in log.read_bytes():
        if process.poll() is not None:
            raise RuntimeError(f"`habilita worker` exited at start: {log.read_text()[-2000:]}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"`habilita worker` did not start within a minute: {log.read_text()[-2000:]}")
        time.sleep(0.05)
    return process


@contextmanager
def running_worker(env: dict[str, str], *, log: Path):
    """A worker process for the block; stopped as an operator would (SIGTERM) at its end."""
    process = start_worker(env, log=log)
    try:
        yield process
    finally:
        stop(process)


def stop(process: subprocess.Popen, *, seconds: float = 30) -> None:
    """Stop ``process`` as an operator would (SIGTERM); killed if it has not ended after ``seconds``."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=seconds)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def rss_bytes(pid: int) -> int:
    """Resident memory of process ``pid`` now (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    raise LookupError(f"no VmRSS for {pid}")


def machine_cpu_seconds() -> float:
    """CPU seconds every core of the machine has been busy so far, whoever ran (Linux ``/proc/stat``)."""
    fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")
