"""The CLI against the real sandbox over loopback HTTP: token, get, export, errors.

Most tests call cli.main(argv) in-process (capsys); test_cli_subprocess.py proves the same
through `python -m edxtui`. Every test checks that no token reaches the output it did not ask
for, and the secret never does.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import jwt
import pytest
from sandbox_fixtures import http, sandbox_token

from edxtui import cli
from edxtui.api import catalog

CATALOG_ALL, CATALOG_RESTRICTED, CATALOG_EMPTY, CATALOG_LARGE = 1, 4, 5, 6


def conn(sb, layout: str = "openedx") -> list[str]:
    """Flags that point the CLI at a sandbox; the secret comes from the environment."""
    return [
        "--token-url", sb.token_url(layout),
        "--api-url", sb.api_root(layout),
        "--client-id", sb.client_id,
    ]  # fmt: skip


@pytest.fixture(autouse=True)
def sandbox_secret(monkeypatch, request):
    if "sandbox" in request.fixturenames or "make_sandbox" in request.fixturenames:
        monkeypatch.setenv("EDXTUI_CLIENT_SECRET", SECRET)


JWT_HEADER = "eyJhbGciOiJIUzI1NiIs"  # base64 of '{"alg":"HS256",': every sandbox token
SECRET = "sandbox-secret"


def run(capsys, *argv: str) -> tuple[int, str, str]:
    """cli.main in-process; no traceback, no secret, and a token only where asked for."""
    code = cli.main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in err
    assert SECRET not in out + err
    assert JWT_HEADER not in err and (argv[0] == "token" or JWT_HEADER not in out)
    return code, out, err


# --- token ---------------------------------------------------------------------------------


def test_token_prints_only_a_live_token(sandbox, capsys, isolated_config):
    code, out, err = run(capsys, "token", *conn(sandbox))
    assert code == 0 and err == ""
    token = out.removesuffix("\n")
    assert "\n" not in token and out.endswith("\n")
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["preferred_username"] == "edxtui_sandbox_worker"
    # It works as the guide says: Authorization: JWT <token>
    response = http.get(sandbox.api_root() + "catalogs/", headers={"Authorization": f"JWT {token}"})
    assert response.status_code == 200
    # and it was never written to disk
    for path in isolated_config.rglob("*") if isolated_config.exists() else []:
        assert token not in path.read_text(errors="replace")


def test_token_header_is_ready_for_curl(sandbox, capsys):
    code, out, err = run(capsys, "token", "--header", *conn(sandbox, "edx"))
    assert code == 0 and err == ""
    scheme, token = out.strip().split(" ")
    assert scheme == "JWT"
    response = http.get(
        sandbox.api_root("edx") + "catalogs/", headers={"Authorization": out.strip()}
    )
    assert response.status_code == 200
    assert sandbox.counters.token_requests == 1


def test_the_sandbox_preset_matches_a_running_sandbox(sandbox, capsys, monkeypatch):
    # The preset supplies the client id and the demo secret; only the port differs here.
    monkeypatch.delenv("EDXTUI_CLIENT_SECRET")
    code, out, err = run(
        capsys, "token", "--profile", "sandbox",
        "--token-url", sandbox.token_url(), "--api-url", sandbox.api_root(),
    )  # fmt: skip
    assert code == 0, err
    assert out.startswith("eyJ")


def test_a_saved_profile_works_from_the_file_store(sandbox, capsys, tmp_path, monkeypatch):
    monkeypatch.delenv("EDXTUI_CLIENT_SECRET")
    secret = tmp_path / "secret"
    secret.write_text(SECRET + "\n")
    code, _, err = run(
        capsys, "profile", "save", "sb", *conn(sandbox), "--client-secret-file", str(secret)
    )
    assert code == 0, err
    code, out, err = run(capsys, "get", "--profile", "sb", "catalogs/")
    assert code == 0, err
    assert json.loads(out)["count"] >= 5


# --- get -----------------------------------------------------------------------------------


def test_get_relative_and_absolute_print_the_exact_body(sandbox, capsys):
    code, out, err = run(capsys, "get", "catalogs/", *conn(sandbox))
    assert code == 0 and err == ""
    data = json.loads(out)
    assert {"count", "next", "previous", "results"} <= set(data)
    code, out2, _ = run(capsys, "get", sandbox.api_root() + "catalogs/", *conn(sandbox))
    assert code == 0 and out2 == out  # piped: the exact bytes, same both ways
    code, out3, _ = run(capsys, "get", "catalogs/", "--raw", *conn(sandbox))
    raw = http.get(
        sandbox.api_root() + "catalogs/",
        headers={"Authorization": "JWT " + out_token(capsys, sandbox)},
    ).content
    assert out3.encode() == raw


def out_token(capsys, sb) -> str:
    code, out, _ = run(capsys, "token", *conn(sb))
    assert code == 0
    return out.strip()


def test_get_pretty_json_is_indented_and_terminal_safe(sandbox, capsys):
    code, out, _ = run(capsys, "get", f"catalogs/{catalog.segment(3)}/", "--pretty", *conn(sandbox))
    assert code == 0
    assert out.startswith("{\n  ")
    data = json.loads(out)
    assert "[bold]" in data["name"]  # markup-looking text stays data
    assert "\x1b" not in out and "\u202e" not in out


def test_get_params_and_include(sandbox, capsys):
    code, out, err = run(
        capsys, "get", "-i", f"catalogs/{CATALOG_ALL}/courses/", "--param", "limit=3",
        *conn(sandbox),
    )  # fmt: skip
    assert code == 0 and err == ""
    head, _, body = out.partition("\r\n\r\n")
    lines = head.split("\r\n")
    assert lines[0] == "HTTP/1.1 200 OK"
    assert any(line.lower().startswith("content-type: application/json") for line in lines)
    assert len(json.loads(body)["results"]) == 3


def test_get_all_pages_merges_every_page_into_one_array(sandbox, capsys):
    code, out, err = run(capsys, "get", f"catalogs/{CATALOG_ALL}/", *conn(sandbox))
    expected = json.loads(out)["courses_count"]
    assert expected > 40
    code, out, err = run(
        capsys, "get", "--all-pages", f"catalogs/{CATALOG_ALL}/courses/", "--param", "limit=17",
        "-v", *conn(sandbox),
    )  # fmt: skip
    assert code == 0
    results = json.loads(out)
    assert isinstance(results, list) and len(results) == expected
    assert len({c["key"] for c in results}) == expected
    # -v: one line per exchange on stderr: the token POST and every page
    gets = [line for line in err.splitlines() if line.startswith("edxtui: GET ")]
    assert len(gets) == -(-expected // 17)
    assert any("POST" in line and "-> 200" in line for line in err.splitlines())


def test_get_all_pages_on_a_single_resource_is_a_usage_error(sandbox, capsys):
    code, out, err = run(capsys, "get", "--all-pages", f"catalogs/{CATALOG_ALL}/", *conn(sandbox))
    assert code == 2 and out == ""
    assert "drop --all-pages" in err


def test_get_all_pages_on_a_body_that_is_not_json_is_the_servers_fault(sandbox, capsys):
    sandbox.faults.update(not_json=1)
    code, out, err = run(capsys, "get", "--all-pages", "catalogs/", *conn(sandbox))
    assert code == 1 and out == ""
    assert "not JSON" in err and "--all-pages" not in err


def test_get_404_exits_1_with_a_short_message(sandbox, capsys):
    code, out, err = run(capsys, "get", "catalogs/999999/", *conn(sandbox))
    assert code == 1 and out == ""
    assert "404" in err and "Not found" in err
    assert 1 <= len(err.strip().splitlines()) <= 2


def test_get_forbidden_catalog_exits_1(sandbox, capsys):
    code, out, err = run(capsys, "get", f"catalogs/{CATALOG_RESTRICTED}/", *conn(sandbox))
    assert code == 1 and "403" in err


def test_get_refuses_a_url_on_another_server(sandbox, capsys):
    code, out, err = run(capsys, "get", "https://evil.example.com/api/v1/catalogs/", *conn(sandbox))
    assert code == 2 and out == ""
    assert "refusing to send the token" in err
    assert sandbox.counters.token_requests == 0  # refused before any request


def test_wrong_secret_exits_1_and_never_shows_it(sandbox, capsys, monkeypatch):
    wrong = "not-the-right-secret-4f9a"
    monkeypatch.setenv("EDXTUI_CLIENT_SECRET", wrong)
    code, out, err = run(capsys, "token", "-v", *conn(sandbox))
    assert code == 1 and out == ""
    assert "client id or secret" in err
    assert wrong not in err
    assert "POST" in err and "-> 401" in err  # -v shows the exchange, not its body


def test_unreachable_server_exits_1(capsys, monkeypatch):
    monkeypatch.setenv("EDXTUI_CLIENT_SECRET", "x")
    code, out, err = run(
        capsys, "token", "--token-url", "http://127.0.0.1:9/oauth2/access_token",
        "--api-url", "http://127.0.0.1:9/api/v1/", "--client-id", "c",
    )  # fmt: skip
    assert code == 1 and "refused" in err
    assert len(err.strip().splitlines()) == 2


# --- export --------------------------------------------------------------------------------


def read_jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_export_a_large_catalog_while_tokens_expire_every_two_seconds(
    make_sandbox, capsys, tmp_path
):
    sb = make_sandbox(courses=50, large_catalog_courses=2000, expires_in=2)
    # 100 ms per page, 80 pages, 4 at a time: the export lasts over 2 s whatever the machine,
    # so its first token must expire on the way (checked below, not assumed).
    sb.faults.update(api_latency=0.1)
    out = tmp_path / "large.jsonl"
    code, stdout, err = run(
        capsys, "export", str(CATALOG_LARGE), "-o", str(out), "--page-size", "25",
        "--concurrency", "4", *conn(sb),
    )  # fmt: skip
    assert code == 0, err
    assert stdout == ""
    courses = read_jsonl(out)
    keys = [c["key"] for c in courses]
    assert len(keys) == 2000 == len(set(keys))  # every course exactly once
    counters = sb.counters
    assert counters.token_successes >= 2, "the export should have outlived its first token"
    assert counters.expired_token_requests == 0
    assert counters.unauthorized == 0
    assert counters.peak_concurrency <= 4 + 1  # the pages in flight, plus a token POST
    assert f"wrote 2000 courses to {out}" in err


def test_export_formats_agree(sandbox, capsys, tmp_path):
    paths = {fmt: tmp_path / f"all.{fmt}" for fmt in ("jsonl", "json", "csv")}
    for path in paths.values():  # the format comes from the file's extension
        code, _, err = run(capsys, "export", str(CATALOG_ALL), "-o", str(path), *conn(sandbox))
        assert code == 0, err
    jsonl = read_jsonl(paths["jsonl"])
    assert json.loads(paths["json"].read_text(encoding="utf-8")) == jsonl
    with paths["csv"].open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == len(jsonl) == 300
    for row, course in zip(rows, jsonl, strict=True):
        assert row["key"].lstrip("'") == course["key"]
        assert row["uuid"] == course["uuid"]
        assert row["course_run_count"] == str(len(course["course_runs"] or []))
    # to stdout when no -o, with --format
    code, out, _ = run(capsys, "export", str(CATALOG_ALL), "--format", "jsonl", *conn(sandbox))
    assert code == 0
    assert [json.loads(line) for line in out.splitlines()] == jsonl


def test_export_of_an_empty_catalog(sandbox, capsys, tmp_path):
    out = tmp_path / "empty.csv"
    code, _, err = run(capsys, "export", str(CATALOG_EMPTY), "-o", str(out), *conn(sandbox))
    assert code == 0, err
    assert out.read_text().splitlines()[0].startswith("key,uuid,title")
    assert len(out.read_text().splitlines()) == 1


def test_a_failure_mid_export_leaves_no_partial_file(sandbox, capsys, tmp_path, monkeypatch):
    """After the first page arrives, the sandbox starts failing every API call (500)."""
    from edxtui.api import export

    real_fetch_page = catalog.fetch_page

    async def fetch_then_break(session, path, params=None, **options):
        page = await real_fetch_page(session, path, params, **options)
        sandbox.faults.update(errors={"count": -1, "status": 500})
        return page

    monkeypatch.setattr(export.catalog, "fetch_page", fetch_then_break)
    new = tmp_path / "new.jsonl"
    code, out, err = run(
        capsys, "export", str(CATALOG_ALL), "-o", str(new), "--page-size", "20", *conn(sandbox)
    )
    assert code == 1 and "500" in err
    assert list(tmp_path.iterdir()) == []  # no file, no temp file
    assert sandbox.counters.faults_applied >= 1

    old = tmp_path / "old.jsonl"
    old.write_text("the previous export\n")
    sandbox.reset()
    code, _, _ = run(
        capsys, "export", str(CATALOG_ALL), "-o", str(old), "--page-size", "20", *conn(sandbox)
    )
    assert code == 1
    assert old.read_text() == "the previous export\n"
    assert [p.name for p in tmp_path.iterdir()] == ["old.jsonl"]


def test_export_to_a_missing_folder_is_a_usage_error(sandbox, capsys, tmp_path):
    code, out, err = run(
        capsys, "export", "1", "-o", str(tmp_path / "nope" / "x.jsonl"), *conn(sandbox)
    )
    assert code == 2 and "does not exist" in err
    assert sandbox.counters.api_requests == 0


def test_a_param_value_never_shows_in_a_message(sandbox, capsys):
    """`--param` values stay out of every message: the URL in an error, and `-v`'s lines."""
    value = "private-search-term"
    code, out, err = run(
        capsys, "get", "-v", "catalogs/999999/", "--param", f"q={value}", *conn(sandbox)
    )
    assert code == 1 and out == ""
    assert "HTTP 404" in err and "q=<redacted>" in err
    assert value not in err
    assert sandbox.counters.api_requests >= 1  # the value was sent; only messages hide it


def test_a_trailing_newline_on_the_environment_secret_still_signs_in(sandbox, capsys, monkeypatch):
    monkeypatch.setenv("EDXTUI_CLIENT_SECRET", SECRET + "\n")
    code, out, err = run(capsys, "token", *conn(sandbox))
    assert code == 0, err
    assert out.startswith("eyJ")


def test_export_drops_a_course_the_server_lists_twice_and_goes_on(sandbox, capsys, tmp_path):
    """The sandbox's repeat_courses fault: every page after the first repeats the previous
    page's last 3 courses. Each course is written once, and the export succeeds."""
    sandbox.faults.update(repeat_courses=3)
    out = tmp_path / "courses.jsonl"
    code, _, err = run(
        capsys, "export", str(CATALOG_ALL), "-o", str(out), "--page-size", "20", *conn(sandbox)
    )
    assert code == 0, err
    keys = [json.loads(line)["key"] for line in out.read_text().splitlines()]
    expected = http.get(
        sandbox.api_root() + f"catalogs/{CATALOG_ALL}/",
        headers={"Authorization": f"JWT {sandbox_token(sandbox)}"},
    ).json()["courses_count"]
    assert len(keys) == len(set(keys)) == expected
    assert f"wrote {expected} courses" in err
    # the fault did list courses twice: a page past the first starts with the page before's
    page = http.get(
        sandbox.api_root() + f"catalogs/{CATALOG_ALL}/courses/?limit=20&offset=20",
        headers={"Authorization": f"JWT {sandbox_token(sandbox)}"},
    ).json()["results"]
    assert [c["key"] for c in page[:3]] == keys[17:20] and len(page) == 23
