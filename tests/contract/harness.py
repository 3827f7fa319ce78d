"""One backend's run of scripts/contract-tools: a real Marquee (`marquee serve`, the debug
binary) and the Zoom simulator (`marquee zoom-sim`) on free loopback ports, a fresh database
(a temporary SQLite file, or a PostgreSQL database created for the run and dropped after),
then:

1. the generated-client scenario (tests/contract/scenario.py);
2. schemathesis against the running `/openapi.json`, once per authentication: a tenant key
   with every scope on a connected site, no key, the platform key (in that order: the
   platform run may delete sites). Every check is on, plus `json_error_envelope`
   (tests/contract/hooks.py).

Prints one summary line per step and exits non-zero on any failure. Every wait is bounded.
"""

import argparse
import collections
import contextlib
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import traceback
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
SIM_CLIENT_ID = "marquee-dev-client"
SIM_CLIENT_SECRET = "marquee-dev-client-secret"
SIM_WEBHOOK_SECRET = "marquee-dev-webhook-secret"
START_SECS = 60


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Stack:
    """The simulator and Marquee as child processes; stopped (by their own pids) on exit."""

    def __init__(self, marquee: Path, work: Path, database_url: str):
        self.marquee = marquee
        self.work = work
        self.database_url = database_url
        self.port, self.sim_port = free_port(), free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.platform_key = "ct_platform_" + secrets.token_hex(16)
        self.procs: list[subprocess.Popen] = []

    def __enter__(self):
        try:
            self.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def start(self) -> None:
        sim_url = f"http://127.0.0.1:{self.sim_port}"
        self.spawn(
            "zoom-sim",
            [
                "zoom-sim",
                f"--listen=127.0.0.1:{self.sim_port}",
                f"--redirect-uri={self.url}/oauth/zoom/callback",
                f"--webhook-url={self.url}/webhooks/zoom",
                "--auto-consent",
            ],
            {},
        )
        keys = subprocess.run(
            [self.marquee, "keys", "generate", "--id", "ct1"],
            check=True, capture_output=True, text=True, timeout=30,
        ).stdout.strip()
        self.spawn(
            "marquee",
            ["serve"],
            {
                "MARQUEE_LISTEN": f"127.0.0.1:{self.port}",
                "MARQUEE_PUBLIC_URL": self.url,
                "MARQUEE_DATABASE_URL": self.database_url,
                "MARQUEE_PLATFORM_KEY": self.platform_key,
                "MARQUEE_ENCRYPTION_KEYS": keys,
                "MARQUEE_ZOOM_CLIENT_ID": SIM_CLIENT_ID,
                "MARQUEE_ZOOM_CLIENT_SECRET": SIM_CLIENT_SECRET,
                "MARQUEE_ZOOM_WEBHOOK_SECRET": SIM_WEBHOOK_SECRET,
                "MARQUEE_ZOOM_OAUTH_URL": sim_url,
                "MARQUEE_ZOOM_API_URL": f"{sim_url}/v2",
                "MARQUEE_WORKER_POLL_MS": "100",
                "MARQUEE_ZOOM_RATE_LIGHT": "1000",
                "MARQUEE_ZOOM_RATE_MEDIUM": "1000",
            },
        )
        self.wait_ready()

    def spawn(self, name: str, args: list[str], env: dict[str, str]) -> None:
        log = open(self.work / f"{name}.log", "wb")
        base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "TMPDIR", "LANG")}
        proc = subprocess.Popen(
            [self.marquee, *args], env={**base, **env}, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        proc.log_name = name
        self.procs.append(proc)

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_SECS
        while time.monotonic() < deadline:
            for proc in self.procs:
                if proc.poll() is not None:
                    raise SystemExit(f"{proc.log_name} exited early:\n{self.log_tail(proc.log_name)}")
            try:
                with urllib.request.urlopen(f"{self.url}/readyz", timeout=2) as resp:
                    if resp.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        raise SystemExit(f"Marquee not ready after {START_SECS}s:\n{self.log_tail('marquee')}")

    def log_tail(self, name: str, lines: int = 30) -> str:
        text = (self.work / f"{name}.log").read_text(errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def __exit__(self, *exc):
        for proc in reversed(self.procs):
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


@contextlib.contextmanager
def database(backend: str, work: Path, pg_server_url: str):
    """A database URL for one run; a PostgreSQL database is created and dropped around it."""
    if backend == "sqlite":
        yield f"sqlite://{work}/marquee.db"
        return
    name = f"mq_contract_{uuid.uuid4().hex[:12]}"
    psql(pg_server_url, f"CREATE DATABASE {name}")
    try:
        yield urllib.parse.urlsplit(pg_server_url)._replace(path=f"/{name}").geturl()
    finally:
        psql(pg_server_url, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def psql(server_url: str, sql: str) -> None:
    subprocess.run(
        ["psql", server_url, "-v", "ON_ERROR_STOP=1", "-qc", sql],
        check=True, timeout=60, stdout=subprocess.DEVNULL,
    )


def connected_site_key(stack: Stack) -> str:
    """A tenant key with every scope on a site connected to the simulator, for schemathesis."""
    import scenario

    platform = scenario.platform_client(stack.url, stack.platform_key)
    slug = f"fuzz-{uuid.uuid4().hex[:8]}"
    scenario.create_site(platform, slug)
    key = scenario.mint_key(platform, slug).key
    scenario.connect_zoom(stack.url, scenario.tenant_client(stack.url, key))
    return key


def schemathesis(stack: Stack, name: str, headers: dict[str, str], args) -> bool:
    """One schemathesis run; prints its summary and returns whether it passed."""
    out = stack.work / f"schemathesis-{name.replace(' ', '-')}"
    out.mkdir()
    cmd = [
        str(Path(sys.executable).parent / "schemathesis"), "run", f"{stack.url}/openapi.json",
        f"--url={stack.url}", "--checks=all", f"--max-examples={args.max_examples}",
        f"--seed={args.seed}", "--generation-database=none", "--no-color",
        "--report=junit", f"--report-dir={out}", f"--request-timeout=20",
    ]
    for header, value in headers.items():
        cmd.append(f"--header={header}: {value}")
    dropped = out / "dropped.txt"
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "hooks",
        "PYTHONPATH": str(HERE),
        "MQ_CONTRACT_DROPPED": str(dropped),
    }
    started = time.monotonic()
    with open(out / "output.txt", "wb") as log:
        try:
            code = subprocess.run(
                cmd, cwd=out, env=env, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, timeout=args.run_timeout,
            ).returncode
        except subprocess.TimeoutExpired:
            print(f"  schemathesis ({name}): TIMED OUT after {args.run_timeout}s; see {out}/output.txt")
            return False
    summary = output_summary(out / "output.txt") + dropped_summary(dropped)
    secs = time.monotonic() - started
    verdict = "passed" if code == 0 else f"FAILED (exit {code})"
    print(f"  schemathesis ({name}): {verdict} in {secs:.0f}s — {summary}")
    for line in failure_lines(out / "output.txt"):
        print(f"    {line}")
    return code == 0


def output_summary(path: Path) -> str:
    """Test cases and failures by code, from schemathesis's summary."""
    text = path.read_text(errors="replace")
    cases = re.search(r"^\s*(\d+) generated", text, re.M)
    failures = re.findall(r"^\s*❌ (ST\d+ .+): (\d+)$", text, re.M)
    found = ", ".join(f"{n}× {what}" for what, n in failures) or "no failures"
    return f"{cases.group(1) if cases else '?'} test cases, {found}"


def dropped_summary(path: Path) -> str:
    """How many failures tests/contract/hooks.py dropped, by reason."""
    if not path.exists():
        return ""
    reasons = collections.Counter(line.split("\t")[0] for line in path.read_text().splitlines())
    return "; dropped as documented: " + ", ".join(f"{n} {r}" for r, n in sorted(reasons.items()))


def failure_lines(path: Path) -> list[str]:
    """One line per failure in schemathesis's report: operation, check, the answer's start."""
    lines, operation, status, pending = [], "", "", []
    for line in path.read_text(errors="replace").splitlines():
        if heading := re.fullmatch(r"_+ (.+?) _+", line):
            operation = heading.group(1)
        elif check := re.fullmatch(r"- (ST\d+ .+)", line):
            pending.append(check.group(1))
        elif pending and (answer := re.match(r"\[(\d+)\] ", line)):
            status = answer.group(1)
        elif pending and line.startswith("    `"):
            body = re.sub(r',?"request_id":"\w+"', "", line.strip())
            body = re.sub(r"mq_live_[\w-]+", "mq_live_[redacted]", body)[:200]
            lines += [f"{operation}: {c} → {status} {body}" for c in pending]
            pending = []
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres"], required=True)
    parser.add_argument("--marquee", type=Path, required=True)
    parser.add_argument("--client", type=Path, required=True, help="folder holding marquee_client")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--max-examples", type=int, default=30)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--run-timeout", type=int, default=300)
    parser.add_argument("--work", type=Path, default=None)
    args = parser.parse_args()
    # A SIGTERM (from `timeout`) unwinds like an exception, so Marquee, the simulator and the
    # PostgreSQL database are still cleaned up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit("terminated"))
    sys.path[:0] = [str(args.client), str(HERE)]
    import scenario

    work = args.work or Path(tempfile.mkdtemp(prefix=f"mq-contract-{args.backend}-"))
    work.mkdir(parents=True, exist_ok=True)
    work = work.resolve()  # schemathesis runs in a folder of its own
    print(f"== contract tools on {args.backend} (logs and reports in {work})", flush=True)
    passed = True
    with database(args.backend, work, args.pg_url) as url, Stack(args.marquee, work, url) as stack:
        started = time.monotonic()
        try:
            scenario.run(stack.url, stack.platform_key)
            print(f"  generated client scenario: passed in {time.monotonic() - started:.1f}s")
        except Exception:  # any failure, parse errors included, fails the run loudly
            print(f"  generated client scenario: FAILED\n{traceback.format_exc()}")
            passed = False
        key = connected_site_key(stack)
        for name, headers in [
            ("tenant key", {"Authorization": f"Bearer {key}"}),
            ("no key", {}),
            ("platform key", {"X-Platform-Key": stack.platform_key}),
        ]:
            passed &= schemathesis(stack, name, headers, args)
    print(f"== contract tools on {args.backend}: {'passed' if passed else 'FAILED'}")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
