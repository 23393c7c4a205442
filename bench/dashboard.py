#!/usr/bin/env python3
"""Dashboard benchmark: every management-dashboard view over years of demo history.

Generates the history once (`frontdoor demo --residents N --years Y`, timed), starts
`frontdoor serve` on it, signs in as a manager, requests each view RUNS times and prints
p50 / p95 / max latency per view, then the server's resident memory (VmRSS now, VmHWM
peak) read from /proc.

    cargo build --release
    python3 bench/dashboard.py                      # 350,000 residents, 3 years
    python3 bench/dashboard.py --residents 20000 --years 1 --db data/small.db

Only the Python standard library is used.
"""

import argparse
import html
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

PASSWORD = "bench manager password"
EMAIL = "bench.manager@demo-council.example"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(binary, db, *args, stdin=None):
    cmd = [binary, "--database", f"sqlite://{db}", *args]
    return subprocess.run(cmd, input=stdin, text=True, capture_output=True, check=True)


def generate(binary, db, residents, years):
    if os.path.exists(db):
        print(f"Using the history already in {db}.")
        return
    print(f"Generating {years} years for {residents:,} residents into {db}…", flush=True)
    started = time.monotonic()
    made = run(binary, db, "demo", "--residents", str(residents), "--years", str(years))
    elapsed = time.monotonic() - started
    line = next(l for l in made.stdout.splitlines() if l.startswith("Made "))
    print(f"  {line}")
    print(f"  wall clock for the whole command: {elapsed:.0f} s")


def wait_ready(base, server):
    for _ in range(600):
        if server.poll() is not None:
            sys.exit(f"the server stopped: {server.stderr.read()}")
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=1) as r:
                if r.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.1)
    sys.exit("the server did not become ready")


def sign_in(base):
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(f"{base}/console/sign-in").read().decode()
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    body = urllib.parse.urlencode({"csrf_token": csrf, "email": EMAIL, "password": PASSWORD}).encode()
    page = opener.open(f"{base}/console/sign-in", data=body).read().decode()
    if "Sign out" not in page:
        sys.exit("could not sign in as the bench manager")
    return opener


def rss_kib(pid, field):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field):
                return int(line.split()[1])
    return 0


def views(opener, base):
    """(name, path) for every view: the default, the whole history, each filter, ranges
    that cut months, the simulator, a CSV and the JSON API's page equivalent."""
    page = opener.open(f"{base}/console/dashboard").read().decode()
    ward = re.search(r'<select class="govuk-select" id="ward" name="ward">.*?<option value="([^"]+)"', page, re.S)
    ward = html.unescape(ward.group(1)) if ward else ""
    to = re.search(r'id="to" name="to" type="date" value="([^"]+)"', page).group(1)
    year, month, _ = to.split("-")
    three = f"{int(year) - 3}-{month}-01"
    q = urllib.parse.urlencode
    return [
        ("last 12 months (default)", "/console/dashboard"),
        ("three years", f"/console/dashboard?{q({'from': three, 'to': to})}"),
        ("three years, one service", f"/console/dashboard?{q({'from': three, 'to': to, 'service': 'missed-bin-collection'})}"),
        ("three years, one department", f"/console/dashboard?{q({'from': three, 'to': to, 'department': 'Environment'})}"),
        ("three years, phone only", f"/console/dashboard?{q({'from': three, 'to': to, 'channel': 'phone'})}"),
        ("three years, one ward", f"/console/dashboard?{q({'from': three, 'to': to, 'ward': ward})}"),
        ("mid-month to mid-month", f"/console/dashboard?{q({'from': f'{int(year) - 2}-{month}-13', 'to': f'{year}-{month}-11'})}"),
        ("one week", f"/console/dashboard?{q({'from': f'{year}-{month}-01', 'to': f'{year}-{month}-07'})}"),
        ("simulator, 30% phone to web", f"/console/dashboard?{q({'from': three, 'to': to, 'shift_from': 'phone', 'shift_to': 'web', 'shift_percent': '30'})}"),
        ("CSV: services, three years", f"/console/dashboard/services.csv?{q({'from': three, 'to': to})}"),
    ]


def percentile(samples, p):
    ordered = sorted(samples)
    k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[k]


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--binary", default="target/release/frontdoor")
    parser.add_argument("--db", default="data/bench-history.db")
    parser.add_argument("--residents", type=int, default=350_000)
    parser.add_argument("--years", type=int, default=3)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    if not os.path.exists(args.binary):
        sys.exit(f"{args.binary} is missing: run cargo build --release first")
    os.makedirs(os.path.dirname(args.db) or ".", exist_ok=True)
    generate(args.binary, args.db, args.residents, args.years)
    run(args.binary, args.db, "user", "add", "--email", EMAIL, "--name", "Bench Manager",
        "--team", "customer-services", "--role", "manager", stdin=PASSWORD)
    contacts = subprocess.run(["du", "-h", args.db], capture_output=True, text=True).stdout.split()[0]
    print(f"Database file: {contacts}")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = subprocess.Popen(
        [args.binary, "--database", f"sqlite://{args.db}", "serve", "--addr", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_ready(base, server)
        print(f"Server resident memory after start: {rss_kib(server.pid, 'VmRSS') / 1024:.0f} MiB")
        opener = sign_in(base)
        all_samples = []
        print(f"\n{'view':34} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'bytes':>9}")
        for name, path in views(opener, base):
            samples = []
            size = 0
            for _ in range(args.runs):
                started = time.perf_counter()
                with opener.open(f"{base}{path}") as r:
                    size = len(r.read())
                samples.append((time.perf_counter() - started) * 1000)
            all_samples += samples
            print(f"{name:34} {percentile(samples, 50):8.1f} {percentile(samples, 95):8.1f} {max(samples):8.1f} {size:9,}")
        print(f"{'all views':34} {percentile(all_samples, 50):8.1f} {percentile(all_samples, 95):8.1f} {max(all_samples):8.1f}")
        print(f"\nServer resident memory: {rss_kib(server.pid, 'VmRSS') / 1024:.0f} MiB now, "
              f"{rss_kib(server.pid, 'VmHWM') / 1024:.0f} MiB peak")
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
