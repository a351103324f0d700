"""edxtui.api imports and works with Textual absent (the core never imports it)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

SCRIPT = textwrap.dedent(
    """
    import asyncio, sys

    class BlockTextual:
        def find_spec(self, name, path=None, target=None):
            if name == "textual" or name.startswith("textual.") or name == "rich" \\
                    or name.startswith("rich."):
                raise ImportError(f"{name} is blocked in this test")
            return None

    sys.meta_path.insert(0, BlockTextual())

    import httpx
    import edxtui.api
    from edxtui.api import Credentials, Session, catalog, iter_pages

    def handler(request):
        if request.url.path.endswith("/access_token"):
            return httpx.Response(200, json={"access_token": "a.b.c", "expires_in": 60,
                                             "token_type": "JWT"})
        assert request.headers["authorization"] == "JWT a.b.c"
        return httpx.Response(200, json={"count": 1, "next": None, "previous": None,
                                         "results": [{"id": 1}]})

    async def main():
        creds = Credentials("https://lms.example.edu/oauth2/access_token",
                            "https://d.example.org/api/v1/", "id", "secret")
        async with Session(creds, transport=httpx.MockTransport(handler)) as session:
            pages = [p async for p in iter_pages(session, catalog.catalogs())]
        assert pages[0].results == [{"id": 1}]
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("textual", "rich"))
        assert not loaded, loaded
        print("ok")

    asyncio.run(main())
    """
)


def test_api_works_without_textual():
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=root, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


def test_blocking_really_blocks():
    """The finder above does stop an import of textual (so the test above can fail)."""
    script = SCRIPT.split("import httpx")[0] + "import textual\n"
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert result.returncode != 0 and "blocked in this test" in result.stderr, result.stderr


def _run(code: str) -> str:
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_core_does_not_load_httpx_command_line_client():
    # ~80 ms of every CLI command: httpx's own CLI pulls in click and pygments.
    out = _run(
        "import sys, edxtui.api.session, httpx\n"
        "print(sorted(m for m in ('click', 'pygments', 'httpx._main') if sys.modules.get(m)))\n"
        "print(callable(httpx.main), httpx.AsyncClient.__name__)"
    )
    assert out.splitlines() == ["[]", "True AsyncClient"]


def test_a_process_that_imported_httpx_first_keeps_its_command_line_client():
    out = _run(
        "import sys, httpx, edxtui.api.session\n"
        "print(httpx.main is sys.modules['httpx._main'].main, 'click' in sys.modules)"
    )
    assert out == "True True"
