"""App nodes as the deployment runs them: ``euprojects serve`` processes, each with its own home
and index folder, on one PostgreSQL store."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

START_SECONDS = 60.0


@dataclass
class Node:
    home: Path
    env: dict[str, str]
    base: str = ""

    def run(self, *args: str) -> subprocess.CompletedProcess[str]:
        """An ``euprojects`` command as this node runs it."""
        return subprocess.run(
            [sys.executable, "-m", "euprojects", *args], env=self.env, cwd=self.home, capture_output=True, text=True
        )

    def get(self, path: str) -> object:
        with urllib.request.urlopen(self.base + path, timeout=10) as response:
            return json.loads(response.read())


def node(home: Path, url: str, **settings: str) -> Node:
    home.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "EUPROJECTS_HOME": str(home),
        "EUPROJECTS_DATABASE_URL": url,
        "EUPROJECTS_INDEX_DIR": str(home / "index"),
        **{f"EUPROJECTS_{name.upper()}": value for name, value in settings.items()},
    }
    return Node(home, env)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)
    except OSError:
        return False


@contextmanager
def serving(nodes: list[Node]) -> Iterator[list[Node]]:
    """Each node's ``euprojects serve`` on a free loopback port, stopped at the end."""
    processes = []
    try:
        for each in nodes:
            port = _free_port()
            each.base = f"http://127.0.0.1:{port}"
            log = (each.home / "serve.log").open("wb")
            command = [sys.executable, "-m", "euprojects", "serve", "--host", "127.0.0.1", "--port", str(port)]
            processes.append(
                subprocess.Popen(
                    [*command, "--no-embed"], env=each.env, cwd=each.home, stdout=log, stderr=subprocess.STDOUT
                )
            )
        for each, process in zip(nodes, processes, strict=True):
            # serving, with its index built from the store (until then searches answer 503)
            wait_for(lambda each=each: _answers(f"{each.base}/api/v1/search"), f"{each.base} to answer", process, each)
        yield nodes
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_for(
    condition: Callable[[], bool],
    what: str,
    process: subprocess.Popen[bytes] | None = None,
    where: Node | None = None,
    seconds: float = START_SECONDS,
) -> None:
    """Poll ``condition`` until it holds; fail naming ``what`` (with the node's log) after ``seconds``."""
    deadline = time.monotonic() + seconds
    while not condition():
        if (process is not None and process.poll() is not None) or time.monotonic() > deadline:
            log = (where.home / "serve.log").read_text(errors="replace") if where else ""
            pytest.fail(f"waited in vain for {what}:\n{log[-3000:]}")
        time.sleep(0.2)
