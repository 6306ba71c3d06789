"""Prefect's REST API over plain HTTP, for read-only commands that must not pay ``import prefect``.

Importing Prefect's client costs 1.5-2 s of a command (its settings, schemas, logging and
plugins), far more than the requests a read-only command sends. :func:`plain_settings`
decides whether the client settings are all in this process's environment, where gameops can
read them as Prefect does; :class:`RestClient` then sends the requests with the standard
library's HTTP client and behaves like Prefect's client where a caller can see it:

- ``PREFECT_API_URL`` is the base URL; ``PREFECT_API_AUTH_STRING`` is sent as HTTP Basic
  authentication, else ``PREFECT_API_KEY`` as a Bearer token; ``PREFECT_CLIENT_CUSTOM_HEADERS``
  (a JSON object) is added to every request and may replace those (not ``User-Agent`` and the
  CSRF headers), as in Prefect;
- TLS: ``PREFECT_API_TLS_INSECURE_SKIP_VERIFY`` turns verification off, else the CA file is
  ``PREFECT_API_SSL_CERT_FILE``, ``SSL_CERT_FILE`` or certifi's bundle;
- ``PREFECT_API_REQUEST_TIMEOUT`` (60 s), redirects followed, proxies from the environment;
- 408, 429, 502 and 503 answers and dropped connections are retried up to
  ``PREFECT_CLIENT_MAX_RETRIES`` (5) times with exponential back-off or the server's
  ``Retry-After``; a server with CSRF protection gets its token (``/csrf-token``) when it
  asks for it (``PREFECT_CLIENT_CSRF_SUPPORT_ENABLED``);
- an error answer raises :class:`ApiError` (one line: the status, the request and the server's
  detail, secrets hidden); an unreachable server too.

Prefect also reads its settings from the active profile (``profiles.toml`` in
``PREFECT_HOME``, or ``PREFECT_PROFILES_PATH``), from ``.env``, ``prefect.toml`` and
``pyproject.toml`` ``[tool.prefect]`` in the working folder. Merging those the way Prefect
does is Prefect's job: whenever one of them sets an API, client, Cloud or UI setting (or moves
the profiles), :func:`plain_settings` returns None with the reason, and the caller uses
Prefect's client. So does an environment variable of those families that this module does not
understand (``PREFECT_API_ENABLE_HTTP2``, ``PREFECT_CLIENT_RETRY_EXTRA_CODES``, ...), a value it
cannot parse, or no API URL at all (Prefect's ephemeral mode). Doubt always goes to Prefect.

Plain Python: no Prefect import (tests/test_prefect_api.py checks both paths give the same answers).
"""

from __future__ import annotations

import base64
import json
import os
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from gameops import slugs
from gameops.errors import GameopsError

# The settings this module reads from the environment (lowercase: Prefect matches them
# case-insensitively). Any other PREFECT_API_* / PREFECT_CLIENT_* / PREFECT_CLOUD_* variable
# means Prefect's client decides.
UNDERSTOOD = frozenset({
    "prefect_api_url", "prefect_api_key", "prefect_api_auth_string", "prefect_api_tls_insecure_skip_verify",
    "prefect_api_ssl_cert_file", "prefect_api_request_timeout", "prefect_api_enable_http2",
    "prefect_client_custom_headers", "prefect_client_max_retries", "prefect_client_retry_jitter_factor",
    "prefect_client_csrf_support_enabled",
    # they change nothing a read sees: the version handshake (this client sends none) and the
    # client's own metrics server
    "prefect_client_server_version_check_enabled", "prefect_client_metrics_enabled", "prefect_client_metrics_port",
    "prefect_ui_url",
})
FAMILIES = ("prefect_api_", "prefect_client_", "prefect_cloud_")
# what, when a settings file sets it, leaves the decision to Prefect (environment-style names
# in profiles and .env; table and key names in prefect.toml and [tool.prefect])
_FILE_NAME = re.compile(r"^\s*(?:export\s+)?[\"']?(prefect_(?:api|client|cloud)_\w*|prefect_ui_url|prefect_profiles_path"
                        r"|prefect_profile|prefect_home)\b", re.IGNORECASE | re.MULTILINE)
_TOML_KEYS = ("api", "client", "cloud", "ui_url", "profiles_path")
_TRUE = {"1", "true", "t", "yes", "y", "on"}
_FALSE = {"0", "false", "f", "no", "n", "off"}
_PROTECTED_HEADERS = {"user-agent", "prefect-csrf-token", "prefect-csrf-client"}
RETRY_STATUS = frozenset({408, 429, 502, 503})


class ApiError(GameopsError):
    """The Prefect API answered with an error, or could not be reached (exit 1)."""


@dataclass(frozen=True)
class ApiSettings:
    """What a request to the Prefect API needs, read from the environment."""

    url: str
    headers: dict[str, str] = field(default_factory=dict)
    verify: bool | str = True  # False: no TLS verification; a str: the CA file
    timeout_s: float = 60.0
    max_retries: int = 5
    jitter: float = 0.2
    csrf: bool = True
    ui_url: str | None = None
    secrets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    """:func:`plain_settings`' answer: ``settings``, or why Prefect's client must be used."""

    settings: ApiSettings | None
    reason: str = ""


NO_API_URL = "PREFECT_API_URL is not set"


def no_api_url(decision: Decision) -> bool:
    """Whether nothing names a Prefect API (Prefect's client would start its ephemeral server)."""
    return decision.settings is None and decision.reason == NO_API_URL


def artifact_key(text: str) -> str:
    """Prefect artifact keys allow lowercase letters, digits and dashes only."""
    return slugs.slug(text, "gameops", keep_dashes=True)


def plain_settings(environ: Mapping[str, str] | None = None, cwd: Path | None = None) -> Decision:
    """The API settings when this process's environment holds all of them (see the module
    docstring); else ``Decision(None, reason)``: use Prefect's client."""
    environ = os.environ if environ is None else environ
    cwd = Path.cwd() if cwd is None else cwd
    env = {k.lower(): v for k, v in environ.items() if k.lower().startswith("prefect_")}
    for name in sorted(env):
        if name.startswith(FAMILIES) and name not in UNDERSTOOD:
            return Decision(None, f"{name.upper()} is set")
    reason = _set_by_files(env, environ, cwd)
    if reason:
        return Decision(None, reason)
    url = (env.get("prefect_api_url") or "").strip()
    if not url:
        return Decision(None, NO_API_URL)
    try:
        if _flag(env, "prefect_api_enable_http2", False):
            return Decision(None, "PREFECT_API_ENABLE_HTTP2 is on")
        insecure = _flag(env, "prefect_api_tls_insecure_skip_verify", False)
        timeout = float(env.get("prefect_api_request_timeout") or 60.0)
        retries = int(env.get("prefect_client_max_retries") or 5)
        jitter = float(env.get("prefect_client_retry_jitter_factor") or 0.2)
        csrf = _flag(env, "prefect_client_csrf_support_enabled", True)
        custom = json.loads(env.get("prefect_client_custom_headers") or "{}")
    except ValueError as exc:
        return Decision(None, f"a Prefect setting is not understood ({exc})")
    if not isinstance(custom, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in custom.items()):
        return Decision(None, "PREFECT_CLIENT_CUSTOM_HEADERS is not a JSON object of strings")
    if retries < 0 or jitter < 0 or timeout <= 0:
        return Decision(None, "a Prefect client setting is out of range")
    headers: dict[str, str] = {}
    auth, key = env.get("prefect_api_auth_string"), env.get("prefect_api_key")
    if auth:
        headers["Authorization"] = "Basic " + base64.b64encode(auth.encode()).decode()
    elif key:
        headers["Authorization"] = f"Bearer {key}"
    headers.update({k: v for k, v in custom.items() if k.lower() not in _PROTECTED_HEADERS})
    verify: bool | str = False if insecure else (env.get("prefect_api_ssl_cert_file") or environ.get("SSL_CERT_FILE")
                                                 or True)
    return Decision(ApiSettings(url=url, headers=headers, verify=verify, timeout_s=timeout, max_retries=retries,
                                jitter=jitter, csrf=csrf, ui_url=(env.get("prefect_ui_url") or None) or ui_url_of(url),
                                secrets=tuple(s for s in (auth, key, *custom.values()) if s)))


def ui_url_of(api_url: str) -> str:
    """The UI's address for an API URL, as Prefect infers it when ``PREFECT_UI_URL`` is unset:
    a server's ``/api`` dropped; Prefect Cloud's ``api.prefect.cloud/api/accounts/A/workspaces/W``
    becomes ``app.prefect.cloud/account/A/workspace/W``."""
    url = api_url.rstrip("/")
    if url.startswith("https://api.prefect.cloud/api"):
        url = "https://app.prefect.cloud" + url.removeprefix("https://api.prefect.cloud/api")
    url = url.removesuffix("/api").replace("/api/", "/")
    return url.replace("/accounts/", "/account/").replace("/workspaces/", "/workspace/")


def _flag(env: Mapping[str, str], name: str, default: bool) -> bool:
    value = env.get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ValueError(f"{name.upper()}={value!r}")


def _set_by_files(env: Mapping[str, str], environ: Mapping[str, str], cwd: Path) -> str | None:
    """Why a settings file Prefect reads leaves the decision to Prefect; None when none does.

    The working folder may be an untrusted checkout: its files are only searched for setting
    names (no value is used), and one that is a link is not followed at all (Prefect decides)."""
    for name in (".env", "prefect.toml", "pyproject.toml"):
        if (cwd / name).is_symlink():
            return f"{cwd / name} is a link"
    dotenv = cwd / ".env"
    if dotenv.is_file():
        try:
            match = _FILE_NAME.search(dotenv.read_text(encoding="utf-8", errors="replace"))
        except OSError:
            return f"{dotenv} cannot be read"
        if match:
            return f"{dotenv} sets {match.group(1).upper()}"
    for path, header in ((cwd / "prefect.toml", ()), (cwd / "pyproject.toml", ("tool", "prefect"))):
        table = _toml_table(path, header)
        if isinstance(table, str):
            return table
        found = [k for k in _TOML_KEYS if k in table]
        if found:
            where = f"{path} [{'.'.join(header)}]" if header else str(path)
            return f"{where} sets {found[0]}"
    profiles = _profiles_path(env, environ)
    if profiles.exists():
        table = _toml_table(profiles, ())
        if isinstance(table, str):
            return table
        active = env.get("prefect_profile") or table.get("active")
        profile = (table.get("profiles") or {}).get(active) if isinstance(table.get("profiles"), dict) else None
        if isinstance(profile, dict):
            for name in profile:
                if _FILE_NAME.match(str(name)):
                    return f"profile {active!r} in {profiles} sets {str(name).upper()}"
    return None


def _profiles_path(env: Mapping[str, str], environ: Mapping[str, str]) -> Path:
    """Where Prefect looks for profiles (moved by .env or TOML: those already sent us to Prefect)."""
    if env.get("prefect_profiles_path"):
        return Path(env["prefect_profiles_path"])
    if env.get("prefect_home"):
        return Path(env["prefect_home"]) / "profiles.toml"
    return Path(environ.get("HOME") or Path.home()) / ".prefect" / "profiles.toml"


def _toml_table(path: Path, header: tuple[str, ...]) -> dict[str, Any] | str:
    """The table under ``header`` of a TOML file ({} when the file is absent); a str: why not."""
    if not path.is_file():
        return {}
    import tomllib

    try:
        table: Any = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        return f"{path} cannot be read as TOML ({exc})"
    for key in header:
        table = table.get(key) if isinstance(table, dict) else None
    return table if isinstance(table, dict) else {}


@dataclass
class Response:
    """An answer of the API: ``status``, ``headers``, the (decoded) ``body``."""

    status_code: int
    reason_phrase: str
    headers: Mapping[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def is_error(self) -> bool:
        return self.status_code >= 400

    def raise_for_status(self) -> None:
        """A no-op: :meth:`RestClient.request` raises on an error answer already (as Prefect's client)."""


class RestClient:
    """A synchronous client for Prefect's REST API (``with RestClient(settings) as client``):
    ``client.request(method, path, json=...)`` returns the :class:`Response` or raises
    :class:`ApiError`, like Prefect's ``get_client(sync_client=True)``.

    Built on the standard library's ``urllib.request`` (proxies from ``HTTP(S)_PROXY`` /
    ``NO_PROXY``, TLS, redirects): importing httpx and httpcore (with HTTP/2, click, rich and
    pygments behind them) cost 0.3-0.6 s, more than the whole read."""

    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        handlers: list[Any] = [_Redirects()]
        if settings.url.lower().startswith("https:"):
            import ssl

            if settings.verify is False:
                context = ssl.create_default_context()
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
            else:
                cafile = settings.verify if isinstance(settings.verify, str) else None
                if cafile is None:
                    import certifi

                    cafile = certifi.where()
                context = ssl.create_default_context(cafile=cafile)
            handlers.append(urllib.request.HTTPSHandler(context=context))
        self._opener = urllib.request.build_opener(*handlers)
        from gameops import __version__

        self._headers = {**settings.headers, "User-Agent": f"gameops/{__version__}", "Accept": "application/json",
                         "Accept-Encoding": "gzip"}
        self._csrf: dict[str, str] | None = None
        self._connected = False

    def __enter__(self) -> RestClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._opener.close()

    def request(self, method: str, path: str, json: Any = None) -> Response:
        method = method.upper()
        tries = 0
        while True:
            wait: float | None = None
            try:
                response = self._send(method, path, json, self._csrf if method != "GET" else None)
            except OSError as exc:  # refused, reset, timed out, DNS (urllib's URLError is an OSError)
                reason = getattr(exc, "reason", exc)
                timed_out = isinstance(reason, TimeoutError)
                # like Prefect: a server that never answered fails at once (a wrong URL), unless it timed out
                if tries >= self.settings.max_retries or not (self._connected or timed_out):
                    raise ApiError(self._hide(f"the Prefect API at {self.settings.url} cannot be reached "
                                              f"({type(reason).__name__}: {reason})")) from None
            else:
                self._connected = True
                if response.status_code == 403 and "csrf token" in response.text.lower() and self.settings.csrf \
                        and self._csrf is None:
                    self._csrf = self._csrf_headers()
                    continue
                if response.status_code not in RETRY_STATUS or tries >= self.settings.max_retries:
                    if response.is_error:
                        raise ApiError(self._hide(f"the Prefect API answered {response.status_code} "
                                                  f"{response.reason_phrase} to {method} {path}{_detail(response)}"))
                    return response
                wait = _retry_after(response.headers.get("Retry-After"))
            tries += 1
            delay = wait if wait is not None else 2.0 ** tries
            time.sleep(delay * (1 + random.uniform(0 if wait is not None else -1, 1) * self.settings.jitter))

    def _send(self, method: str, path: str, body: Any, extra: dict[str, str] | None) -> Response:
        headers = {**self._headers, **(extra or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(self.settings.url.rstrip("/") + path, data=data, headers=headers, method=method)
        try:
            with self._opener.open(request, timeout=self.settings.timeout_s) as answer:
                return _response(answer.status, answer.reason, answer.headers, answer.read())
        except urllib.error.HTTPError as exc:  # an error answer is an answer
            with exc:
                return _response(exc.code, exc.reason, exc.headers, exc.read())

    def _csrf_headers(self) -> dict[str, str]:
        client = str(uuid.uuid4())
        response = self._send("GET", f"/csrf-token?client={client}", None, None)
        if response.status_code == 422:  # protection off on this server
            return {}
        if response.is_error:
            raise ApiError(self._hide(f"the Prefect API answered {response.status_code} to GET /csrf-token"
                                      f"{_detail(response)}"))
        return {"Prefect-Csrf-Token": str(response.json().get("token", "")), "Prefect-Csrf-Client": client}

    def _hide(self, text: str) -> str:
        from gameops import redaction

        return redaction.redact(text, self.settings.secrets)


def _response(status: int, reason: Any, headers: Any, body: bytes) -> Response:
    if (headers.get("Content-Encoding") or "").lower() == "gzip":
        import zlib

        body = zlib.decompress(body, 16 + zlib.MAX_WBITS)
    return Response(status, str(reason or ""), headers, body)


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Redirects as httpx (Prefect's client) follows them: 307/308 keep the method and body, and
    the credentials never go to another origin."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if code in (307, 308):  # req.headers: the request's own headers (not Host, set per connection)
            new = urllib.request.Request(newurl, data=req.data, method=req.get_method(), origin_req_host=req.origin_req_host,
                                         unverifiable=True, headers=dict(req.headers))
        else:
            new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None:
            before, after = urllib.parse.urlsplit(req.full_url), urllib.parse.urlsplit(newurl)
            if (before.scheme, before.netloc) != (after.scheme, after.netloc):
                for name in [k for k, _ in new.header_items() if k.lower() == "authorization"]:
                    new.remove_header(name)
        return new


def _detail(response: Any) -> str:
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = response.text.strip()[:200]
    return f": {detail}" if detail else ""


def _retry_after(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None
