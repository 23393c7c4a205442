-- Front Door foundation schema (SQLite). Instants are UTC RFC 3339 text with fixed
-- microsecond precision, so they sort as text; dates are YYYY-MM-DD. The same shape is
-- meant for PostgreSQL (BIGSERIAL ids, the same text and JSON columns).

CREATE TABLE teams (
    slug TEXT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE staff (
    id INTEGER PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    team TEXT NOT NULL REFERENCES teams(slug),
    role TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);

CREATE TABLE residents (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    email TEXT,
    phone TEXT,
    postcode TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX residents_by_email ON residents (lower(email));

CREATE TABLE cases (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    service TEXT NOT NULL,
    team TEXT NOT NULL,
    channel TEXT NOT NULL,
    resident_id INTEGER NOT NULL REFERENCES residents(id),
    status TEXT NOT NULL,
    assigned_to INTEGER REFERENCES staff(id),
    outcome TEXT,
    due_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX cases_team_queue ON cases (team, status, due_by);
CREATE INDEX cases_by_service ON cases (service, created_at);

-- Each inbound contact, whatever its channel; the first one opens the case.
CREATE TABLE contacts (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    resident_id INTEGER NOT NULL REFERENCES residents(id),
    channel TEXT NOT NULL,
    received_at TEXT NOT NULL,
    answers TEXT NOT NULL,
    summary TEXT,
    recorded_by INTEGER REFERENCES staff(id)
);
CREATE INDEX contacts_by_case ON contacts (case_id);

-- The case's history. Append-only: the triggers refuse to rewrite it.
CREATE TABLE case_events (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    at TEXT NOT NULL,
    actor_staff_id INTEGER REFERENCES staff(id),
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX case_events_by_case ON case_events (case_id, id);
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;
CREATE TRIGGER case_events_no_delete BEFORE DELETE ON case_events
BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;

-- Browser sessions for residents part-way through a form and for signed-in staff.
-- Only a hash of the cookie's token is kept, so a copy of the database cannot sign in.
CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    csrf_token TEXT NOT NULL,
    staff_id INTEGER REFERENCES staff(id),
    data TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);
