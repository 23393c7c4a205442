#!/usr/bin/env python3
"""Tracking-page guessing probe: what an attacker gets from /track by trying answers.

Starts `frontdoor serve --demo` on a fresh SQLite file, opens a pothole case and a
safeguarding case through the open API (both with a postcode, email and phone), then, as
one client address:

1. sends GUESSES wrong postcodes for the pothole's reference and counts the answers
   (422 = "not found", 429 = refused), then tries the right answer;
2. tries the safeguarding case with its right postcode, then with its email address.

Prints the counts and how long the guessing took.

    cargo build
    python3 bench/track_guessing.py                       # target/debug/frontdoor
    python3 bench/track_guessing.py --bin target/release/frontdoor --guesses 150

Only the Python standard library is used.
"""

import argparse
import http.cookiejar
import json
import os
import re
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def request(opener, url, data=None, json_body=None):
    headers = {}
    body = None
    if json_body is not None:
        body = json.dumps(json_body).encode()
        headers["content-type"] = "application/json"
    elif data is not None:
        body = urllib.parse.urlencode(data).encode()
    try:
        with opener.open(urllib.request.Request(url, body, headers)) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def open_case(base, service, answers, contact):
    opener = urllib.request.build_opener()
    status, body = request(
        opener,
        f"{base}/api/v1/cases",
        json_body={"service": service, "answers": answers, "contact": contact},
    )
    assert status == 201, body
    return json.loads(body)["reference"]


def track(base, reference, answer):
    """One resident's attempt: a fresh session, the form's CSRF token, the answer."""
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )
    _, form = request(opener, f"{base}/track")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    status, _ = request(
        opener,
        f"{base}/track",
        data={"csrf_token": token, "reference": reference, "contact": answer},
    )
    return status


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin", default="target/debug/frontdoor")
    parser.add_argument("--guesses", type=int, default=150)
    args = parser.parse_args()
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryDirectory() as work:
        env = dict(
            os.environ,
            FRONTDOOR_DATABASE=f"sqlite://{work}/fd.db",
            FRONTDOOR_ADDR=f"127.0.0.1:{port}",
            FRONTDOOR_DEV_MAILBOX=f"{work}/mail",
            RUST_LOG="error",
        )
        server = subprocess.Popen(
            [args.bin, "--config", f"{work}/none.toml", "serve", "--demo"],
            env=env,
            stdout=subprocess.DEVNULL,
        )
        try:
            for _ in range(300):
                try:
                    if request(urllib.request.build_opener(), f"{base}/readyz")[0] == 200:
                        break
                except OSError:
                    pass
                time.sleep(0.2)
            contact = {
                "name": "Pat Jones",
                "email": "pat@example.org",
                "phone": "07700 900123",
                "postcode": "DC1 1AA",
            }
            pothole = open_case(
                base,
                "pothole-report",
                {
                    "surface": "On the road",
                    "size": "Larger than a car tyre",
                    "location": {"lat": 52.99, "lon": -1.52},
                    "details": "Deep hole",
                },
                contact,
            )
            concern = open_case(
                base,
                "safeguarding-concern",
                {
                    "about": "An adult",
                    "concern": "My neighbour has not been seen for a week",
                    "immediate-danger": False,
                },
                contact,
            )
            counts = {}
            start = time.perf_counter()
            for n in range(args.guesses):
                status = track(base, pothole, f"DC1 {n % 10}{chr(65 + n % 26)}Z")
                counts[status] = counts.get(status, 0) + 1
            seconds = time.perf_counter() - start
            right_after = track(base, pothole, "pat@example.org")
            print(f"{args.guesses} wrong postcodes for one reference in {seconds:.2f} s:")
            for status in sorted(counts):
                print(f"  {status}: {counts[status]}")
            print(f"then the right email address: {right_after}")
            # A new reference from the same address: the address's count decides.
            print(f"safeguarding case, right postcode: {track(base, concern, 'DC1 1AA')}")
            print(f"safeguarding case, right email:    {track(base, concern, 'pat@example.org')}")
        finally:
            server.terminate()
            server.wait()


if __name__ == "__main__":
    sys.exit(main())
