"""The `crossdock` command for the tests, started warm: each call is still a process of
its own (its own arguments, environment, working folder, exit code, stdout and stderr,
and an interpreter that exits as the console script's would), but it is forked from a
process that has already imported what the commands import (pandas, scipy,
statsforecast, SQLAlchemy and Crossdock's engines), which a fresh interpreter spends
one to two seconds on, per call. The suite runs the command a few hundred times.

The warm process (the "launcher") is started once per test process, on first use, by
`python -c` with the test's environment. It imports everything under `crossdock`
except `crossdock.entrypoints` (the command line's own modules build their consoles
from the environment as they load, so each call loads them itself, as the real
command does), then forks one child per request. Requests and answers are JSON lines
on two pipes; the launcher waits for each child and answers with its exit code.

`run` returns None when it cannot serve a call (launcher failed to start, or another
thread is using it): the caller then starts the installed command as usual.
"""

from __future__ import annotations

import atexit
import json
import os
import select
import signal
import subprocess
import sys
import tempfile
import threading
from collections.abc import Mapping
from pathlib import Path

# Runs in the launcher. Its stdin/stdout are the request/answer pipes; they are moved to
# other descriptors so that a child's fds 0, 1 and 2 can be what a fresh process has.
_LAUNCHER = r"""
import gc, importlib, json, os, pkgutil, sys, time

requests = os.fdopen(os.dup(0), "r")
answers = os.fdopen(os.dup(1), "w")
quiet = os.open(os.devnull, os.O_RDWR)
os.dup2(quiet, 0)
os.dup2(quiet, 1)
os.close(quiet)
sys.path[0] = os.path.dirname(sys.argv[1])  # as for the console script: its bin folder

import crossdock
for module in pkgutil.walk_packages(crossdock.__path__, "crossdock."):
    if module.name.startswith(("crossdock.entrypoints", "crossdock.adapters.db.migrations")):
        continue
    try:
        importlib.import_module(module.name)
    except Exception:  # an optional extra not installed: the child imports it, or fails
        pass
gc.freeze()  # a child's collections then leave the launcher's objects (and pages) alone
answers.write(json.dumps({"ready": os.getpid()}) + "\n")
answers.flush()


def serve():
    for line in requests:
        request = json.loads(line)
        pid = os.fork()
        if pid == 0:
            return request
        answers.write(json.dumps({"pid": pid}) + "\n")
        answers.flush()
        _, status = os.waitpid(pid, 0)
        returncode = os.waitstatus_to_exitcode(status)
        answers.write(json.dumps({"pid": pid, "returncode": returncode}) + "\n")
        answers.flush()
    os._exit(0)


request = serve()
# the child: from here on, what the console script does after its imports
requests.close()
answers.close()
for fd, path in ((1, request["stdout"]), (2, request["stderr"])):
    target = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.dup2(target, fd)
    os.close(target)
os.chdir(request["cwd"])
os.environ.clear()
os.environ.update(request["env"])
time.tzset()
sys.argv = request["argv"]
from crossdock.entrypoints.cli.app import main
sys.exit(main())
"""


class _Launcher:
    """One warm launcher process per test process, used by one thread at a time."""

    def __init__(self, command: Path) -> None:
        self.command = command
        self.lock = threading.Lock()
        self.process: subprocess.Popen[bytes] | None = None
        self.broken = False

    def _start(self) -> subprocess.Popen[bytes] | None:
        if self.process is not None and self.process.poll() is None:
            return self.process
        if self.broken:
            return None
        process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCHER, str(self.command)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            bufsize=0, start_new_session=True,
        )  # fmt: skip
        assert process.stdout is not None
        if not process.stdout.readline().startswith(b'{"ready"'):
            process.kill()
            process.wait()
            self.broken = True
            return None
        self.process = process
        atexit.register(self.close)
        return process

    def close(self) -> None:
        if self.process is not None and self.process.poll() is None:
            assert self.process.stdin is not None
            self.process.stdin.close()  # the launcher leaves at the end of its requests
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()

    def run(
        self, args: tuple[str, ...], *, env: Mapping[str, str], timeout: float
    ) -> subprocess.CompletedProcess[str] | None:
        if not self.lock.acquire(blocking=False):
            return None
        try:
            process = self._start()
            if process is None:
                return None
            return self._call(process, args, env=env, timeout=timeout)
        finally:
            self.lock.release()

    def _call(
        self,
        process: subprocess.Popen[bytes],
        args: tuple[str, ...],
        *,
        env: Mapping[str, str],
        timeout: float,
    ) -> subprocess.CompletedProcess[str]:
        assert process.stdin is not None
        assert process.stdout is not None
        with tempfile.TemporaryDirectory(prefix="crossdock-cli-") as folder:
            out, err = Path(folder, "stdout"), Path(folder, "stderr")
            argv = [str(self.command), *args]
            request = {"argv": argv, "env": dict(env), "cwd": str(Path.cwd()),
                       "stdout": str(out), "stderr": str(err)}  # fmt: skip
            process.stdin.write(json.dumps(request).encode() + b"\n")
            child = int(_answer(process)["pid"])
            ready, _, _ = select.select([process.stdout], [], [], timeout)
            if not ready:
                os.kill(child, signal.SIGKILL)
                _answer(process)
                raise subprocess.TimeoutExpired(argv, timeout)
            answer = _answer(process)
            assert answer["pid"] == child, answer
            return subprocess.CompletedProcess(
                argv, int(answer["returncode"]), out.read_text(), err.read_text()
            )


def _answer(process: subprocess.Popen[bytes]) -> dict[str, int]:
    """The launcher's next line. Its stdout is unbuffered (`bufsize=0`), so a line is read
    byte by byte and nothing is read ahead of what `select` waits for."""
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line:
        raise RuntimeError("the crossdock launcher stopped (tests/forked_cli.py)")
    answer: dict[str, int] = json.loads(line)
    return answer


_launchers: dict[Path, _Launcher] = {}


def run(
    command: Path, args: tuple[str, ...], *, env: Mapping[str, str], timeout: float
) -> subprocess.CompletedProcess[str] | None:
    """`command *args` with `env`, forked from a warm launcher; None when it cannot be
    (the caller then runs the command itself)."""
    if os.environ.get("CROSSDOCK_TEST_COLD_CLI") or not hasattr(os, "fork"):
        return None
    launcher = _launchers.setdefault(command, _Launcher(command))
    return launcher.run(args, env=env, timeout=timeout)
