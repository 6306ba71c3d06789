"""The plain-HTTP reader of Prefect's REST API (gameops/prefect_api.py): the same runs as Prefect's
client, the credentials Prefect would send, CSRF, errors, and Prefect's own client whenever a
settings file Prefect reads (a profile, .env, prefect.toml, pyproject.toml) has a say."""

from __future__ import annotations

import base64
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from gameops import history, history_artifacts, prefect_api, results
from history_helpers import COMMITS, write_runs


class Receiver:
    """A local HTTP server that answers like a Prefect API with no artifacts and records every
    request (method, path, headers, body). ``csrf``: it asks for a CSRF token, as a server with
    PREFECT_SERVER_CSRF_PROTECTION_ENABLED does; ``status``: every artifact query fails so;
    ``redirect``: artifact queries are sent on there (308, ``redirect`` + the path)."""

    def __init__(self, csrf: bool = False, status: int = 200, redirect: str | None = None) -> None:
        self.requests: list[dict] = []
        self.redirect = redirect
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def _answer(self, status: int, body) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _record(self) -> dict:
                size = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(size)) if size else None
                entry = {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body}
                receiver.requests.append(entry)
                return entry

            def do_GET(self):
                self._record()
                if self.path.startswith("/api/csrf-token"):
                    if not csrf:
                        return self._answer(422, {"detail": "CSRF protection is disabled."})
                    client = self.path.split("client=", 1)[1]
                    return self._answer(200, {"token": "tok-1", "client": client, "expiration": "2999-01-01T00:00:00Z"})
                if self.path.startswith("/api/admin/version"):
                    return self._answer(200, "3.9.1")
                self._answer(404, {"detail": "Not Found"})

            def do_POST(self):
                entry = self._record()
                if receiver.redirect and not self.path.startswith("/moved"):
                    self.send_response(308)
                    self.send_header("Location", receiver.redirect + self.path)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if csrf and entry["headers"].get("Prefect-Csrf-Token") != "tok-1":
                    return self._answer(403, {"detail": "Missing CSRF token."})
                if status != 200:
                    return self._answer(status, {"detail": "Unauthorized: the key is not valid"})
                self._answer(200, [])

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/api"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def queries(self) -> list[dict]:
        return [r for r in self.requests if r["path"].endswith("/api/artifacts/filter")]


def _settings(env: dict[str, str], cwd: Path) -> prefect_api.ApiSettings:
    decision = prefect_api.plain_settings(env, cwd)
    assert decision.settings is not None, decision.reason
    return decision.settings


# -- the same runs as Prefect's client -------------------------------------------------------

def _post_history(project: str, runs: list[history.Run]) -> None:
    """Record ``runs`` as `gameops test` does (compact: the name list once), the last one as a
    format-1 table, each on a flow run of its own."""
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        def post(path: str, body: dict) -> dict:
            response = client.request("POST", path, json=body)
            response.raise_for_status()
            return response.json()

        flow = post("/flows/", {"name": f"history-reader-{project}"})
        for i, run in enumerate(runs):
            run_id = post("/flow_runs/", {"flow_id": flow["id"], "name": f"run-{i}"})["id"]
            digest = history.names_digest(run)
            if i == len(runs) - 1:
                post("/artifacts/", {"key": history_artifacts.history_key(project), "type": "table",
                                     "data": run.as_table(), "description": run.describe(), "flow_run_id": run_id})
                continue
            if i == 0:
                post("/artifacts/", {"key": history_artifacts.names_key(project, digest), "type": history.NAMES_TYPE,
                                     "data": history.names_data(run), "description": "names", "flow_run_id": run_id})
            post("/artifacts/", {"key": history_artifacts.history_key(project), "type": history.RECORD_TYPE,
                                 "data": history.compact_data(run), "description": history.describe_compact(run, digest),
                                 "flow_run_id": run_id})


def _fields(run: history.Run) -> tuple:
    return (run.time, run.commit, run.branch, run.tests, run.categories, run.outcomes, run.durations_ms, run.run_id, run.url)


def test_plain_reader_gives_the_same_runs_as_prefects_client(prefect, tmp_path):
    from gameops.tasks.history import read_runs

    runs = [history.from_summary(results.read_many([path]), COMMITS[i], "main", f"2026-01-{i + 1:02d}T10:00:00+00:00")
            for i, path in enumerate(write_runs(tmp_path))]
    _post_history("reader-parity", runs)
    by_prefect = read_runs("reader-parity", 8)
    settings = _settings({"PREFECT_API_URL": prefect}, tmp_path)
    with prefect_api.RestClient(settings) as client:
        plain = history_artifacts.read_runs(client, "reader-parity", 8, settings.ui_url)
    assert len(plain) == 8 and [r.commit for r in plain] == COMMITS[2:]
    assert plain[-1].outcomes and plain[0].run_id and plain[0].url.endswith(f"/runs/flow-run/{plain[0].run_id}")
    assert [_fields(r) for r in plain] == [_fields(r) for r in by_prefect]
    assert history.analyze(plain) == history.analyze(by_prefect)


# -- credentials, headers, CSRF, errors ---------------------------------------------------------

@pytest.mark.parametrize(("env", "expected"), [
    ({"PREFECT_API_KEY": "pnu_key123"}, "Bearer pnu_key123"),
    ({"PREFECT_API_AUTH_STRING": "admin:s3cret"}, "Basic " + base64.b64encode(b"admin:s3cret").decode()),
    ({"PREFECT_API_KEY": "pnu_key123", "PREFECT_API_AUTH_STRING": "admin:s3cret"},
     "Basic " + base64.b64encode(b"admin:s3cret").decode()),  # Prefect prefers the auth string
    ({}, None),
])
def test_reader_sends_the_key_or_the_auth_string(tmp_path, env, expected):
    with Receiver() as rx:
        with prefect_api.RestClient(_settings({"PREFECT_API_URL": rx.url, **env}, tmp_path)) as client:
            assert history_artifacts.read_runs(client, "game", 5, None) == []
    (query,) = rx.queries()
    assert query["headers"].get("Authorization") == expected
    assert query["body"]["artifacts"]["key"] == {"any_": ["test-history-game"]} and query["body"]["limit"] == 5


def test_custom_headers_are_sent_as_prefects_client_sends_them(tmp_path):
    """Run Prefect's own client against the receiver with the same settings: the same
    Authorization and custom headers (a custom header may replace Authorization, not User-Agent)."""
    import subprocess
    import sys

    custom = json.dumps({"X-Team": "blocklife", "User-Agent": "nope"})
    with Receiver() as rx:
        env = {"PREFECT_API_URL": rx.url, "PREFECT_API_KEY": "pnu_key123", "PREFECT_CLIENT_CUSTOM_HEADERS": custom}
        with prefect_api.RestClient(_settings(env, tmp_path)) as client:
            client.request("POST", "/artifacts/filter", json={"limit": 1})
        code = ("from prefect.client.orchestration import get_client\n"
                "with get_client(sync_client=True) as c:\n    c.request('POST', '/artifacts/filter', json={'limit': 1})\n")
        out = subprocess.run([sys.executable, "-c", code], env={**_clean_environ(), **env, "PREFECT_HOME": str(tmp_path)},
                             cwd=tmp_path, capture_output=True, text=True, timeout=120)
        assert out.returncode == 0, out.stderr
    ours, theirs = rx.queries()
    for name in ("Authorization", "X-Team"):
        assert ours["headers"].get(name) == theirs["headers"].get(name), name
    assert ours["headers"]["X-Team"] == "blocklife" and ours["headers"]["User-Agent"].startswith("gameops/")


def test_reader_fetches_a_csrf_token_when_the_server_asks(tmp_path):
    with Receiver(csrf=True) as rx:
        with prefect_api.RestClient(_settings({"PREFECT_API_URL": rx.url}, tmp_path)) as client:
            assert history_artifacts.read_runs(client, "game", 3, None) == []
    posts = rx.queries()
    assert [p["headers"].get("Prefect-Csrf-Token") for p in posts] == [None, "tok-1"]
    token_request = next(r for r in rx.requests if r["path"].startswith("/api/csrf-token"))
    assert token_request["path"].endswith(posts[1]["headers"]["Prefect-Csrf-Client"])


def test_redirects_keep_the_query_and_never_carry_the_key_to_another_origin(tmp_path):
    env = {"PREFECT_API_KEY": "pnu_key123"}
    with Receiver() as other, Receiver(redirect=other.url.removesuffix("/api") + "/moved") as rx:
        with prefect_api.RestClient(_settings({"PREFECT_API_URL": rx.url, **env}, tmp_path)) as client:
            assert history_artifacts.read_runs(client, "game", 4, None) == []
        rx.redirect = rx.url.removesuffix("/api") + "/moved"  # now to itself: the same origin
        with prefect_api.RestClient(_settings({"PREFECT_API_URL": rx.url, **env}, tmp_path)) as client:
            assert history_artifacts.read_runs(client, "game", 6, None) == []
    first, moved_here = [q for q in rx.queries() if q["body"]["limit"] == 4], rx.queries()[-1]
    (moved_away,) = other.queries()
    assert first[0]["headers"]["Authorization"] == "Bearer pnu_key123"
    assert moved_away["path"] == "/moved/api/artifacts/filter" and moved_away["body"]["limit"] == 4
    assert "Authorization" not in moved_away["headers"]
    assert moved_here["path"] == "/moved/api/artifacts/filter" and moved_here["body"]["limit"] == 6
    assert moved_here["headers"]["Authorization"] == "Bearer pnu_key123"


def test_refused_key_is_one_line_without_the_secret(gameops_cli, sample_repo):
    with Receiver(status=401) as rx:
        out = gameops_cli("--project", str(sample_repo), "history", env={"PREFECT_API_URL": rx.url,
                                                                         "PREFECT_API_KEY": "pnu_topsecret"})
    assert out.code == 1, out.stderr
    assert "401" in out.stderr and "POST /artifacts/filter" in out.stderr and "not valid" in out.stderr
    assert "Traceback" not in out.stderr and "pnu_topsecret" not in out.stderr + out.stdout
    assert len(out.stderr.strip().splitlines()) == 1


def test_unreachable_server_is_one_line(gameops_cli, sample_repo):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = gameops_cli("--project", str(sample_repo), "history", env={"PREFECT_API_URL": f"http://127.0.0.1:{port}/api"})
    assert out.code == 1 and "cannot be reached" in out.stderr and f"127.0.0.1:{port}" in out.stderr
    assert "Traceback" not in out.stderr and len(out.stderr.strip().splitlines()) == 1


# -- when Prefect's client decides --------------------------------------------------------------

def _clean_environ() -> dict[str, str]:
    import os

    return {k: v for k, v in os.environ.items() if not k.upper().startswith("PREFECT_")}


PROFILE = '''active = "team"

[profiles.local]
PREFECT_API_URL = "http://elsewhere:4200/api"

[profiles.team]
{line}
'''


@pytest.mark.parametrize(("files", "env", "reason"), [
    ({"home/profiles.toml": PROFILE.format(line='PREFECT_API_URL = "http://team:4200/api"')}, {}, "profile 'team'"),
    ({"home/profiles.toml": PROFILE.format(line='PREFECT_API_KEY = "k"')}, {}, "sets PREFECT_API_KEY"),
    ({"home/profiles.toml": PROFILE.format(line="")}, {"PREFECT_PROFILE": "local"}, "profile 'local'"),
    ({"elsewhere.toml": PROFILE.format(line='PREFECT_API_URL = "x"')}, {"PREFECT_PROFILES_PATH": "{tmp}/elsewhere.toml"},
     "elsewhere.toml"),
    ({"work/.env": "# team server\nPREFECT_API_URL=http://team:4200/api\n"}, {}, ".env sets PREFECT_API_URL"),
    ({"work/prefect.toml": '[api]\nurl = "http://team:4200/api"\n'}, {}, "prefect.toml sets api"),
    ({"work/pyproject.toml": '[project]\nname = "x"\n[tool.prefect.client]\nmax_retries = 2\n'}, {},
     "[tool.prefect] sets client"),
    ({"work/prefect.toml": "[api\n"}, {}, "cannot be read as TOML"),
    ({}, {"PREFECT_API_ENABLE_HTTP2": "true"}, "HTTP2"),
    ({}, {"PREFECT_CLIENT_RETRY_EXTRA_CODES": "404"}, "PREFECT_CLIENT_RETRY_EXTRA_CODES is set"),
    ({}, {"prefect_cloud_api_url": "https://cloud.example/api"}, "PREFECT_CLOUD_API_URL is set"),
    ({}, {"PREFECT_API_TLS_INSECURE_SKIP_VERIFY": "maybe"}, "not understood"),
    ({}, {"PREFECT_CLIENT_CUSTOM_HEADERS": "[1, 2]"}, "JSON object"),
    ({}, {"PREFECT_API_URL": ""}, "PREFECT_API_URL is not set"),
])
def test_settings_files_send_the_reader_to_prefects_client(tmp_path, files, env, reason):
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    (tmp_path / "work").mkdir(exist_ok=True)
    environ = {"PREFECT_API_URL": "http://127.0.0.1:4200/api", "PREFECT_HOME": str(tmp_path / "home"),
               **{k: v.replace("{tmp}", str(tmp_path)) for k, v in env.items()}}
    decision = prefect_api.plain_settings(environ, tmp_path / "work")
    assert decision.settings is None and reason in decision.reason


def test_a_settings_file_that_is_a_link_is_not_followed(tmp_path):
    outside = tmp_path / "outside.env"
    outside.write_text("HARMLESS=1\n")
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / ".env").symlink_to(outside)
    decision = prefect_api.plain_settings({"PREFECT_API_URL": "http://127.0.0.1:4200/api"}, tmp_path / "work")
    assert decision.settings is None and ".env is a link" in decision.reason


def test_settings_that_do_not_touch_the_client_keep_the_plain_reader(tmp_path):
    (tmp_path / "home").mkdir()
    (tmp_path / "home" / "profiles.toml").write_text(
        PROFILE.format(line='PREFECT_LOGGING_LEVEL = "DEBUG"'))  # the inactive profile's URL does not count
    (tmp_path / ".env").write_text("DOTNET_CLI_TELEMETRY_OPTOUT=1\n")
    (tmp_path / "pyproject.toml").write_text('[tool.prefect]\nlogging_level = "INFO"\n')
    settings = _settings({"PREFECT_API_URL": "https://prefect.example/api/", "PREFECT_HOME": str(tmp_path / "home"),
                          "PREFECT_API_TLS_INSECURE_SKIP_VERIFY": "True", "PREFECT_SERVER_ANALYTICS_ENABLED": "false"},
                         tmp_path)
    assert settings.verify is False and settings.ui_url == "https://prefect.example"
    assert prefect_api.ui_url_of("https://api.prefect.cloud/api/accounts/a1/workspaces/w2") == \
        "https://app.prefect.cloud/account/a1/workspace/w2"


def test_history_falls_back_to_prefect_when_a_profile_sets_the_api_url(prefect_api, gameops_cli, sample_repo,
                                                                      tmp_path, monkeypatch):
    """No PREFECT_API_URL in the environment, the active profile has it: Prefect's client reads it."""
    runs = [history.from_summary(results.read_many([path]), COMMITS[i], "main", f"2026-01-{i + 1:02d}T10:00:00+00:00")
            for i, path in enumerate(write_runs(tmp_path))]
    _post_history("profile-fallback", runs[:3])
    monkeypatch.delenv("PREFECT_API_URL", raising=False)
    home = tmp_path / "prefect-home"
    home.mkdir()
    (home / "profiles.toml").write_text(f'active = "team"\n[profiles.team]\nPREFECT_API_URL = "{prefect_api}"\n')
    out = gameops_cli("-v", "--project", str(sample_repo), "--json", "history", "--last", "5",
                      env={"PREFECT_HOME": str(home), "GAMEOPS_PROJECT__NAME": "profile-fallback"})
    assert out.code == 0, out.stderr
    said = " ".join(out.stderr.split())
    assert "through Prefect's client: profile 'team'" in said and "sets PREFECT_API_URL" in said
    assert [r["commit"] for r in out.json["runs"]] == COMMITS[:3]


def test_history_with_its_settings_in_the_environment_never_imports_prefect(sample_repo, tmp_path):
    import subprocess
    import sys

    code = ("import sys\nfrom gameops.cli import main\n"
            f"code = main(['--project', {str(sample_repo)!r}, '--json', 'history'])\n"
            "print(code, sorted({m.split('.')[0] for m in sys.modules} & {'prefect', 'pydantic', 'rich', 'httpx'}))")
    with Receiver() as rx:
        out = subprocess.run([sys.executable, "-c", code], env={**_clean_environ(), "PREFECT_API_URL": rx.url},
                             cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip().splitlines()[-1] == "0 []"
    assert len(rx.queries()) == 1
