"""The process runner: streaming, full log, timeouts that kill the whole tree, redaction."""

from __future__ import annotations

import os
import sys
import time

import psutil
import pytest

from gameops.errors import ToolMissing
from gameops.process import Redactor, run

PY = sys.executable


def test_streams_lines_in_order_and_keeps_them(tmp_path):
    seen = []
    log = tmp_path / "run.log"
    r = run([PY, "-c", "import sys\nfor i in range(3): print('out', i, flush=True)\nprint('err', file=sys.stderr)"],
            on_line=seen.append, log_path=log)
    assert r.returncode == 0 and r.ok
    assert seen[:3] == ["out 0", "out 1", "out 2"]
    assert "err" in seen
    assert r.lines == seen
    assert log.read_text().splitlines() == seen


def test_exit_code_is_kept():
    r = run([PY, "-c", "import sys; sys.exit(3)"])
    assert r.returncode == 3 and not r.ok and not r.timed_out


def test_timeout_kills_children_and_grandchildren(tmp_path):
    pidfile = tmp_path / "pids"
    script = (
        "import subprocess, sys, time\n"
        f"a = subprocess.Popen([{PY!r}, '-c', 'import time; time.sleep(60)'])\n"
        f"b = subprocess.Popen([{PY!r}, '-c', 'import subprocess,sys,time; p=subprocess.Popen([sys.executable,\"-c\",\"import time; time.sleep(60)\"]); print(p.pid, flush=True); time.sleep(60)'], stdout=subprocess.PIPE, text=True)\n"
        "grand = b.stdout.readline().strip()\n"
        f"open({str(pidfile)!r}, 'w').write(f'{{a.pid}} {{b.pid}} {{grand}}')\n"
        "print('started', flush=True)\n"
        "time.sleep(60)\n"
    )
    started = time.monotonic()
    r = run([PY, "-c", script], timeout_s=3)
    assert r.timed_out and r.returncode == -9
    assert "started" in r.lines
    assert time.monotonic() - started < 20
    pids = [int(p) for p in pidfile.read_text().split()]
    time.sleep(0.2)
    for pid in pids:
        alive = psutil.pid_exists(pid) and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
        assert not alive, f"process {pid} survived the timeout"


def test_no_zombie_left_behind():
    me = psutil.Process()
    for _ in range(3):
        run([PY, "-c", "pass"])
        run([PY, "-c", "import time; time.sleep(5)"], timeout_s=0.5)
    zombies = [c for c in me.children(recursive=True) if c.status() == psutil.STATUS_ZOMBIE]
    assert zombies == []


def test_invalid_utf8_and_very_long_lines_do_not_crash():
    script = (
        "import sys\n"
        "sys.stdout.buffer.write(b'bad \\xff\\xfe bytes\\n')\n"
        "sys.stdout.buffer.write(b'x' * 300000 + b'\\n')\n"
        "sys.stdout.buffer.write(b'no newline at end')\n"
    )
    r = run([PY, "-c", script])
    assert r.ok
    assert r.lines[0] == "bad \ufffd\ufffd bytes"
    assert sum(len(line) for line in r.lines[1:-1]) == 300000
    assert max(len(line) for line in r.lines) <= 64 * 1024
    assert r.lines[-1] == "no newline at end"


def test_secrets_never_reach_callback_log_or_result(tmp_path):
    secret = "s3cr3t-token-value"
    seen = []
    log = tmp_path / "log"
    r = run([PY, "-c", f"print('token is {secret}!'); print('again {secret}')", secret],
            secrets=[secret], on_line=seen.append, log_path=log)
    everything = "\n".join(seen) + log.read_text() + r.output + " ".join(r.args)
    assert secret not in everything
    assert "token is ***!" in seen


def test_redactor_prefers_longest_secret():
    red = Redactor(["abc", "abcdef"])
    assert red("x abcdef y abc") == "x *** y ***"


def test_missing_executable_is_bad_input():
    with pytest.raises(ToolMissing, match="no-such-tool-xyz"):
        run(["no-such-tool-xyz", "--version"])


def test_callback_errors_do_not_break_the_run():
    def broken(line):
        raise RuntimeError("boom")

    r = run([PY, "-c", "print(1); print(2)"], on_line=broken)
    assert r.lines == ["1", "2"]


def test_env_and_cwd(tmp_path):
    r = run([PY, "-c", "import os; print(os.getcwd()); print(os.environ['GAMEOPS_T'])"], cwd=tmp_path, env={"GAMEOPS_T": "yes"})
    assert os.path.samefile(r.lines[0], tmp_path) and r.lines[1] == "yes"
