"""The type checker passes on edxtui/ (strict on edxtui.api), so the README's test command
covers it too; .ci/run also runs it on its own after pytest. Settings: pyproject's [tool.mypy].

A cold run takes ~10 s on 2 cores; mypy's cache (.mypy_cache in the project) makes the next
runs well under a second, so the test costs little after the first.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_mypy_finds_no_errors_in_edxtui():
    result = subprocess.run(
        [sys.executable, "-m", "mypy"],  # the files and switches come from pyproject.toml
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    # Exactly one line: a warning (e.g. an override naming a module that no longer exists)
    # fails the test as an error does.
    assert result.stdout.startswith("Success: no issues found"), result.stdout + result.stderr
    assert result.stdout.count("\n") == 1 and result.stderr == "", result.stdout + result.stderr
    assert result.returncode == 0
