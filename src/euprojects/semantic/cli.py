"""``euprojects embed``: bring the vectors of semantic search in step with the store."""

from __future__ import annotations

import atexit
import subprocess
import sys
import time
from pathlib import Path

import click

from euprojects.semantic.encoder import NOT_INSTALLED, available
from euprojects.store import Store


class EmbedProgress:
    """A progress bar on the terminal's error stream, redrawn at most ten times a second."""

    def __init__(self) -> None:
        self.enabled = sys.stderr.isatty()
        self.started = time.perf_counter()
        self._last = 0.0

    def show(self, stage: str, done: int, total: int) -> None:
        now = time.perf_counter()
        if not self.enabled or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        width = 30
        filled = int(width * done / total) if total else width
        rate = done / max(now - self.started, 1e-9)
        left = (total - done) / rate if rate else 0
        bar = "#" * filled + "-" * (width - filled)
        click.echo(f"\r{stage} [{bar}] {done:,}/{total:,} {rate:,.0f}/s, {left:,.0f} s left ", nl=False, err=True)
        if done >= total:
            click.echo("", err=True)


def embed_now(store: Store, index_dir: Path, workers: int | None = None) -> str:
    """Embed what changed and update the vector index; a line saying what was done."""
    from euprojects.semantic.embed import refresh

    report = refresh(store, index_dir, EmbedProgress().show, workers)
    if report.mode == "current":
        return f"semantic vectors current: {report.indexed:,} project(s)"
    return (
        f"semantic vectors {report.mode}: {report.embedded:,} embedded, {report.removed:,} removed, "
        f"{report.indexed:,} indexed in {report.seconds:.1f} s"
    )


def update_vectors(store: Store, index_dir: Path, quiet: bool) -> None:
    """After an ingest: embed what changed when there are vectors to keep in step. The first
    embedding of a whole store is left to `euprojects embed` or to the portal, which does it in
    the background, so an ingest never waits for it."""
    if not available():
        return
    from euprojects.semantic import vector_index

    if vector_index.read_state(index_dir) is None:
        if not quiet:
            click.echo("search by meaning: run `euprojects embed` (or `euprojects serve` embeds in the background)")
        return
    click.echo(embed_now(store, index_dir), err=quiet)


@click.command("embed")
@click.option("--workers", type=click.IntRange(1, 64), help="Embedding processes (default: one per core).")
@click.pass_context
def embed_command(click_context: click.Context, workers: int | None) -> None:
    """Embed new and changed projects for semantic search and update the vector index."""
    from euprojects.cli import Context

    if not available():
        raise click.ClickException(NOT_INSTALLED)
    ctx = click_context.ensure_object(Context)
    click.echo(embed_now(ctx.store, ctx.settings.index_dir, workers))


def embed_in_background() -> subprocess.Popen[bytes] | None:
    """Start ``euprojects embed`` beside the portal: the portal serves keyword search at once and
    searches by meaning as soon as the vectors are ready (its searcher sees the new vector index).
    The child ends with the portal."""
    if not available():
        click.echo(f"note: {NOT_INSTALLED}; the portal searches by words", err=True)
        return None
    child = subprocess.Popen([sys.executable, "-m", "euprojects", "embed"])
    atexit.register(_stop, child)
    return child


def _stop(child: subprocess.Popen[bytes]) -> None:
    if child.poll() is None:
        child.terminate()
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
