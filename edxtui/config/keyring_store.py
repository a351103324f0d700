"""The system keyring, when a real one works: the client secret's first choice.

Every call is safe: a missing, failing or plaintext keyring reads as "no keyring" (None or
False) and the secret then goes to the 0600 config file instead.
"""

from __future__ import annotations

import contextlib
from typing import Literal

KEYRING_SERVICE = "edxtui"


def _backend():
    """The keyring backend if a real one is configured, else None (never raises)."""
    try:
        import keyring
        from keyring.backends import chainer, fail, null

        backend = keyring.get_keyring()
    except Exception:
        return None
    if isinstance(backend, fail.Keyring | null.Keyring):
        return None
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return None
    # keyrings.alt's plaintext file is no safer than our own 0600 file.
    if (
        type(backend).__module__.startswith("keyrings.alt")
        and "Plaintext" in type(backend).__name__
    ):
        return None
    return keyring


def keyring_available() -> bool:
    """True when a system keyring backend is configured and answers a read."""
    kr = _backend()
    if kr is None:
        return False
    try:
        kr.get_password(KEYRING_SERVICE, "__edxtui_probe__")
    except Exception:
        return False
    return True


def keyring_get(name: str) -> str | None:
    kr = _backend()
    if kr is None:
        return None
    try:
        return kr.get_password(KEYRING_SERVICE, name)
    except Exception:
        return None


def keyring_set(name: str, secret: str) -> Literal["saved", "no keyring", "failed"]:
    """Store a secret and read it back: "saved" only when the keyring really kept it.

    "failed" is a keyring that refused, raised, or said yes and kept something else (or
    nothing): the caller falls back to the 0600 file and says so.
    """
    kr = _backend()
    if kr is None:
        return "no keyring"
    try:
        kr.set_password(KEYRING_SERVICE, name, secret)
        kept = kr.get_password(KEYRING_SERVICE, name) == secret
    except Exception:
        return "failed"
    return "saved" if kept else "failed"


def keyring_delete(name: str) -> None:
    kr = _backend()
    if kr is None:
        return
    with contextlib.suppress(Exception):
        kr.delete_password(KEYRING_SERVICE, name)
