#!/usr/bin/env bash
# Where one durable submission's time goes: one client posts N pothole reports in turn
# (keep-alive) to the release binary on a fresh SQLite file with every SQL statement's
# time logged, then prints the milliseconds per submission end to end, in SQL statements,
# and for a bare synced commit on this disk. docs/operating.md quotes its figures.
#
#   bench/submission_profile.sh            # 300 reports
#   N=1000 bench/submission_profile.sh
set -euo pipefail
cd "$(dirname "$0")/.."
N="${N:-300}"
cargo build --release -q -p frontdoor
dir=$(mktemp -d)
trap 'kill "$server" 2>/dev/null; rm -rf "$dir"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
RUST_LOG=sqlx::query=debug FRONTDOOR_SUBMISSIONS_PER_ADDRESS=0 NO_COLOR=1 \
  target/release/frontdoor --config "$dir/none.toml" --database "sqlite://$dir/fd.db" \
  serve --addr "127.0.0.1:$port" >/dev/null 2>"$dir/sql.log" &
server=$!
python3 - "$port" "$N" "$dir" <<'PY'
import http.client, json, os, re, sqlite3, sys, time
port, n, folder = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
for _ in range(100):
    try:
        http.client.HTTPConnection("127.0.0.1", port).request("GET", "/readyz"); break
    except OSError:
        time.sleep(0.1)
conn = http.client.HTTPConnection("127.0.0.1", port)
with open(os.path.join(folder, "sql.log")) as log:
    log.seek(0, 2); start_at = log.tell()
started = time.time()
for i in range(n):
    body = json.dumps({"service": "pothole-report",
        "answers": {"surface": "On the road", "size": "Larger than a car tyre",
                    "location": {"lat": 52.99, "lon": -1.52}, "details": f"Deep hole {i}"},
        "contact": {"name": f"Resident {i}", "email": f"resident.{i}@example.org"}})
    conn.request("POST", "/api/v1/cases", body, {"content-type": "application/json"})
    answer = conn.getresponse(); answer.read()
    assert answer.status == 201, answer.status
total_ms = (time.time() - started) * 1000 / n
time.sleep(0.5)
strip = re.compile(r"\x1b\[[0-9;]*m")
sql, statements = 0.0, 0
with open(os.path.join(folder, "sql.log")) as log:
    log.seek(start_at)
    for line in log:
        found = re.search(r"elapsed_secs=([0-9.e-]+)", strip.sub("", line))
        if found:
            sql += float(found.group(1)); statements += 1
db = sqlite3.connect(os.path.join(folder, "commit-probe.db"), isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE t (a)")
t = time.time()
for i in range(300):
    db.execute("BEGIN"); db.execute("INSERT INTO t VALUES (?)", (i,)); db.execute("COMMIT")
commit_ms = (time.time() - t) * 1000 / 300
print(f"{n} submissions, one client, keep-alive, SQLite")
print(f"  end to end per submission     {total_ms:7.2f} ms")
print(f"  SQL statements (incl. outbox) {sql * 1000 / n:7.2f} ms  ({statements / n:.0f} a submission)")
print(f"  one synced commit on the disk {commit_ms:7.2f} ms")
PY
