"""The lasting history's file (edxtui.api.history_store) and the request bar's memory
(edxtui.api.recent_requests): what they keep, what they never write, how they are written.

The sentinel test runs a real session against the sandbox with a client whose secret is a
known string, records every token the sandbox issued, writes the history and searches the
file for each: none may appear. A control first shows the search finds a token where one is.
"""

from __future__ import annotations

import json
import os
import stat

import pytest
from sandbox_fixtures import sentinel_sandbox

from edxtui.api import Session
from edxtui.api.errors import ApiError
from edxtui.api.exchange import Exchange
from edxtui.api.history_store import HISTORY_FILE, HistoryStore
from edxtui.api.recent_requests import RecentRequests
from edxtui.api.redaction import REDACTED

SECRET = "Sentinel-History-S3cret-5b0d"
CLIENT_ID = "sentinel-history-client"


def exchange(ident: int, *, url: str = "http://h/api/v1/courses/", body: bytes = b"{}", **kw):
    return Exchange(
        id=ident,
        kind=kw.pop("kind", "api"),
        method="GET",
        url=url,
        request_headers=kw.pop("request_headers", [("Authorization", "JWT <redacted>")]),
        request_body=b"",
        started_at=1_700_000_000.0 + ident,
        status=200,
        reason="OK",
        http_version="HTTP/1.1",
        response_headers=[("content-type", "application/json")],
        body=body,
        elapsed=0.01,
        **kw,
    )


def private(path) -> bool:
    return os.name == "nt" or stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_run_reads_back_what_an_earlier_run_wrote(tmp_path):
    path = tmp_path / "data" / HISTORY_FILE
    first = HistoryStore(path)
    first.save([exchange(1), exchange(2, body=b"\xff\x00 not utf-8")])
    assert private(path)
    assert os.name == "nt" or stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    second = HistoryStore(path)
    assert second.earlier() == second.load()  # nothing of the second run yet
    second.save([exchange(1, url="http://h/api/v1/programs/")])
    saved = second.load()
    assert [(s.run == first.run, s.exchange.url) for s in saved] == [
        (True, "http://h/api/v1/courses/"),
        (True, "http://h/api/v1/courses/"),
        (False, "http://h/api/v1/programs/"),
    ]
    assert saved[1].exchange.body == b"\xff\x00 not utf-8"  # bytes kept exactly
    assert [s.exchange.url for s in second.earlier()] == ["http://h/api/v1/courses/"] * 2
    # A save replaces this run's records, it does not add them again.
    second.save([exchange(1, url="http://h/api/v1/programs/"), exchange(2)])
    assert len(second.load()) == 4


def test_edxtuis_saving_at_once_lose_nothing(tmp_path, monkeypatch):
    """Twelve runs save together. Each read of the file waits (up to a moment) until all have
    read it: without the file's lock every save then writes what it read plus its own and
    the last one wins; with it, the others wait their turn and each save keeps the rest."""
    import contextlib
    import threading

    path = tmp_path / HISTORY_FILE
    runs = 12
    everyone_read = threading.Barrier(runs, timeout=0.5)
    read = HistoryStore._records

    def read_then_wait(self):
        records = read(self)
        # with the lock only one at a time gets here: the wait breaks, and the save goes on
        with contextlib.suppress(threading.BrokenBarrierError):
            everyone_read.wait()
        return records

    monkeypatch.setattr(HistoryStore, "_records", read_then_wait)
    stores = [HistoryStore(path) for _ in range(runs)]
    threads = [threading.Thread(target=store.save, args=([exchange(1)],)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    monkeypatch.undo()
    assert sorted(s.run for s in HistoryStore(path).load()) == sorted(s.run for s in stores)


def test_the_newest_entries_are_kept_and_bodies_are_cut(tmp_path):
    path = tmp_path / HISTORY_FILE
    store = HistoryStore(path, max_entries=5, max_body=10)
    store.save([exchange(i, body=b"0123456789abcdef") for i in range(1, 9)])
    saved = store.load()
    assert [s.exchange.id for s in saved] == [4, 5, 6, 7, 8]
    assert saved[0].exchange.body == b"0123456789"
    assert saved[0].truncated and saved[0].size == 16


def test_a_broken_file_is_no_history_and_is_replaced(tmp_path):
    path = tmp_path / HISTORY_FILE
    for junk in (b"", b"not json", b"[1, 2]", b'{"format": 1, "exchanges": [{"run": "x"}, 3]}'):
        path.write_bytes(junk)
        assert HistoryStore(path).load() == []
    HistoryStore(path).save([exchange(1)])
    assert len(HistoryStore(path).load()) == 1


def test_secrets_are_scrubbed_before_the_body_is_cut(tmp_path):
    token = "eyJ.sentinel-token-" + "x" * 40
    body = b"a" * 20 + token.encode() + b"z" * 20
    store = HistoryStore(tmp_path / HISTORY_FILE, max_body=40)
    store.save(
        [
            exchange(
                1,
                url=f"http://h/api/v1/courses/?echo={token}",
                body=body,
                request_headers=[("Authorization", f"JWT {token}"), ("X-Echo", token)],
            ),
            exchange(
                2, kind="token", body=json.dumps({"access_token": token, "expires_in": 3}).encode()
            ),
        ],
        secrets=[token, SECRET],
    )
    text = (tmp_path / HISTORY_FILE).read_text()
    assert token not in text and token[:20] not in text
    saved = store.load()
    assert saved[0].exchange.body.startswith(b"a" * 20 + REDACTED.encode())
    assert ("Authorization", f"JWT {REDACTED}") in saved[0].exchange.request_headers
    # the token response: access_token replaced even without being told the token
    plain = HistoryStore(tmp_path / "other.json")
    plain.save([exchange(2, kind="token", body=json.dumps({"access_token": token}).encode())])
    assert token not in (tmp_path / "other.json").read_text()


def test_recent_requests_newest_first_once_and_never_a_secret(tmp_path):
    path = tmp_path / "data" / "requests.json"
    recent = RecentRequests(path, limit=3)
    assert recent.load() == []
    recent.remember("courses/?q=python")
    recent.remember("catalogs/1/")
    assert private(path)
    assert recent.remember("courses/?q=python") == ["courses/?q=python", "catalogs/1/"]
    assert recent.remember(f"courses/?x={SECRET}", [SECRET]) == [
        "courses/?q=python",
        "catalogs/1/",
    ]
    for extra in ("a/", "b/", "c/"):
        recent.remember(extra)
    assert RecentRequests(path, limit=3).load() == ["c/", "b/", "a/"]
    assert SECRET not in path.read_text()


# --- the sentinel: a real session, its history file -----------------------------------------


@pytest.fixture
def server(make_sandbox, monkeypatch):
    """A sandbox that knows the sentinel client and records every token it issues."""
    # short-lived tokens: the session refreshes, so there are several tokens to look for
    return sentinel_sandbox(make_sandbox, monkeypatch, CLIENT_ID, SECRET, expires_in=3)


async def test_sentinel_the_history_file_holds_no_secret_and_no_token(server, tmp_path):
    creds = server.credentials("openedx", client_id=CLIENT_ID, client_secret=SECRET)
    path = tmp_path / "data" / HISTORY_FILE
    store = HistoryStore(path)
    async with Session(creds) as session:
        await session.get_json("catalogs/")
        await session.tokens.refresh()  # a second token response in the log
        await session.get_json("courses/", {"limit": 2})
        with pytest.raises(ApiError):
            await session.get("courses/no-such-course/")
        # control: the search finds a token where one is (the log itself never holds it)
        leaked = HistoryStore(tmp_path / "control.json")
        leaked.save([exchange(1, url=f"http://h/?t={session.tokens.current_token}")])
        assert session.tokens.current_token in (tmp_path / "control.json").read_text()
        store.save(session.log, session.secrets())
    assert len(server.issued) >= 2
    text = path.read_text()
    assert SECRET not in text
    for token in server.issued:
        assert token not in text
        assert token.split(".")[2] not in text  # not even the signature part
    saved = store.load()
    assert {s.exchange.kind for s in saved} == {"token", "api"}
    tokens = [s.exchange for s in saved if s.exchange.kind == "token"]
    assert all(json.loads(t.body)["access_token"] == REDACTED for t in tokens)
    assert any(s.exchange.status == 404 for s in saved)
    assert private(path)
