"""Throw-away PostgreSQL servers on loopback ports: a primary made by ``initdb`` and a streaming
replica of it made by ``pg_basebackup``, as docs/deploy.md sets them up.

The server programs refuse to run as root: run as root (CI), they run as the ``postgres`` user,
in a folder of /tmp it owns.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def _bindir() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if found:
        return found[-1].parent
    initdb = shutil.which("initdb")
    if initdb is None:
        pytest.skip("the PostgreSQL server programs (initdb, pg_ctl, pg_basebackup) are not installed")
    return Path(initdb).parent


def _as_server_user(command: list[str]) -> list[str]:
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


def _run(command: list[str]) -> None:
    done = subprocess.run(_as_server_user(command), capture_output=True, text=True, timeout=120)
    if done.returncode:
        raise RuntimeError(f"{' '.join(command)} failed: {done.stdout}{done.stderr}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    def __init__(self, data: Path, port: int) -> None:
        self.data, self.port, self.bin = data, port, _bindir()

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={self.data}"
        _run(
            [str(self.bin / "pg_ctl"), "-D", str(self.data), "-o", options, "-l", str(self.data / "log"), "-w", "start"]
        )

    def stop(self) -> None:
        _run([str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "immediate", "-w", "stop"])


@contextmanager
def primary_and_replica() -> Iterator[tuple[Server, Server]]:
    """A primary that allows replication from loopback, and a hot standby streaming from it."""
    folder = Path(tempfile.mkdtemp(prefix="euprojects-replica-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    primary = Server(folder / "primary", _free_port())
    replica = Server(folder / "replica", _free_port())
    started: list[Server] = []
    try:
        _run([str(primary.bin / "initdb"), "-D", str(primary.data), "-U", "postgres", "--auth=trust", "-E", "UTF8"])
        with (primary.data / "pg_hba.conf").open("a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        primary.start()
        started.append(primary)
        backup = [str(primary.bin / "pg_basebackup"), "-h", "127.0.0.1", "-p", str(primary.port), "-U", "postgres"]
        _run([*backup, "-D", str(replica.data), "-R", "-X", "stream", "-c", "fast"])
        replica.start()
        started.append(replica)
        yield primary, replica
    finally:
        for server in reversed(started):
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)
