"""The `shopmcp` command as a person meets it: `--version`, and `serve` started at a terminal."""

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from shopmcp import __version__
from shopmcp.cli import main
from shopmcp.serving.stdio import WAITING

SHOPMCP = str(Path(sys.executable).parent / "shopmcp")
TIMEOUT_SECONDS = 60


def _environment(tmp_path: Path) -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if not key.startswith("SHOPMCP_")} | {
        "SHOPMCP_ENV": "development",
        "SHOPMCP_DATA_DIR": str(tmp_path / "data"),
        "SHOPMCP_SEED_DEMO_CATALOG": "false",
        "SHOPMCP_LOG_LEVEL": "WARNING",
    }


def test_version_prints_the_package_version(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--version"])

    assert exited.value.code == 0
    assert capsys.readouterr().out == f"shopmcp {__version__}\n"


def _stderr_until(process: "subprocess.Popen[bytes]", wanted: str) -> str:
    """What the process wrote on stderr until a line holding `wanted` (or the timeout, or its exit)."""
    assert process.stderr is not None
    seen = b""
    deadline = time.monotonic() + TIMEOUT_SECONDS
    while wanted.encode() not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([process.stderr], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(process.stderr.fileno(), 4096)
        if not chunk:
            break
        seen += chunk
    return seen.decode()


def test_serve_at_a_terminal_says_on_stderr_that_it_waits_for_a_client(tmp_path: Path) -> None:
    terminal, its_end = pty.openpty()
    process = subprocess.Popen(
        [SHOPMCP, "serve"], stdin=its_end, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_environment(tmp_path)
    )
    os.close(its_end)
    try:
        written = _stderr_until(process, WAITING)
    finally:
        os.close(terminal)  # the terminal hangs up: stdin ends
        try:
            process.wait(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=TIMEOUT_SECONDS)
    assert process.stdout is not None

    assert WAITING in written.splitlines()
    assert process.stdout.read() == b"", "stdout carries the protocol only"


def test_serve_for_a_client_writes_nothing_but_the_protocol(tmp_path: Path) -> None:
    done = subprocess.run(
        [SHOPMCP, "serve"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        env=_environment(tmp_path),
        timeout=TIMEOUT_SECONDS,
        check=False,
    )

    assert done.stdout == b""
    assert WAITING.encode() not in done.stderr
