"""Concurrent `edxtui profile save` and `delete` processes lose nothing: the config's lock.

Real processes: each save is held at the moment it reads its secret (a FIFO as its
--client-secret-file) until all of them are there, then all are let go at once, so without
the lock around the whole read-modify-write they would overwrite each other's config.toml
(the issue saw 1 profile of 12 survive).
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from edxtui import config

pytestmark = pytest.mark.skipif(os.name == "nt", reason="FIFOs")

TOKEN_URL = "https://lms.example.com/oauth2/access_token"
API_ROOT = "https://discovery.example.com/api/v1/"


def edxtui(*argv: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "edxtui", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def held_saves(tmp_path, names: list[str]) -> tuple[list[subprocess.Popen[str]], list[int]]:
    """A `profile save` per name, each stopped while reading its secret from a FIFO; returns
    the processes and the FIFOs' write ends (open: every save has reached its read)."""
    children, fifos = [], []
    for name in names:
        fifo = tmp_path / f"{name}.secret"
        os.mkfifo(fifo, 0o600)
        fifos.append(fifo)
        children.append(
            edxtui(
                "profile",
                "save",
                name,
                "--token-url",
                TOKEN_URL,
                "--api-url",
                API_ROOT,
                "--client-id",
                f"id-{name}",
                "--client-secret-file",
                str(fifo),
            )  # fmt: skip
        )
    # Opening a FIFO's write end waits for its reader: when all are open, all saves wait.
    return children, [os.open(fifo, os.O_WRONLY) for fifo in fifos]


def release(write_ends: list[int], names: list[str]) -> None:
    for fd, name in zip(write_ends, names, strict=True):
        os.write(fd, f"secret-of-{name}\n".encode())
    for fd in write_ends:
        os.close(fd)


def finish(children: list[subprocess.Popen[str]]) -> None:
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        assert "secret-of-" not in out + err


def test_twelve_concurrent_saves_keep_every_profile_and_secret(tmp_path):
    names = [f"p{n:02}" for n in range(12)]
    children, write_ends = held_saves(tmp_path, names)
    release(write_ends, names)
    finish(children)
    saved = config.load_config()
    assert sorted(saved.profiles) == names
    assert saved.file_secrets == {name: f"secret-of-{name}" for name in names}
    assert all(saved.profiles[n].client_id == f"id-{n}" for n in names)
    assert saved.default in names


def test_concurrent_saves_and_deletes_lose_nothing(tmp_path):
    old = [f"old{n}" for n in range(6)]
    for name in old:
        config.save_profile(config.Profile(name, TOKEN_URL, API_ROOT, "id"), f"secret-of-{name}")
    names = [f"new{n:02}" for n in range(12)]
    children, write_ends = held_saves(tmp_path, names)
    deletes = [edxtui("profile", "delete", name) for name in old]
    release(write_ends, names)
    finish(children + deletes)
    saved = config.load_config()
    assert sorted(saved.profiles) == names
    assert saved.file_secrets == {name: f"secret-of-{name}" for name in names}
    assert saved.default in names
