-- Management information (issue 5): rollups kept up to date in the same transaction as
-- every contact, closure, reopening, reroute and survey answer, so the dashboard never
-- scans contacts or cases. Each rollup row exists twice: once under ward '*' (every
-- contact) and once under the contact's ward where it is known.

-- When the case last closed (resolved or closed); cleared when it is reopened, so the
-- closure can be taken back out of the rollups.
ALTER TABLE cases ADD COLUMN closed_at TEXT;

-- The ward of the case's place (a copy of case_places.ward), so lists of open cases
-- narrowed to a ward read one index.
ALTER TABLE cases ADD COLUMN ward TEXT;
UPDATE cases SET ward = (SELECT p.ward FROM case_places p WHERE p.case_id = cases.id)
WHERE id IN (SELECT case_id FROM case_places WHERE ward IS NOT NULL);

-- Counts per UK calendar day, service and channel. `hours` is 24 little-endian i32
-- counts of contacts by hour of day (UK clock time).
CREATE TABLE mi_day (
    ward TEXT NOT NULL,
    day TEXT NOT NULL,
    service TEXT NOT NULL,
    channel TEXT NOT NULL,
    contacts INTEGER NOT NULL DEFAULT 0,
    opened INTEGER NOT NULL DEFAULT 0,
    repeats INTEGER NOT NULL DEFAULT 0,
    chasers INTEGER NOT NULL DEFAULT 0,
    timed INTEGER NOT NULL DEFAULT 0,
    minutes INTEGER NOT NULL DEFAULT 0,
    closed INTEGER NOT NULL DEFAULT 0,
    on_time INTEGER NOT NULL DEFAULT 0,
    surveys INTEGER NOT NULL DEFAULT 0,
    score INTEGER NOT NULL DEFAULT 0,
    hours BLOB NOT NULL,
    PRIMARY KEY (ward, day, service, channel)
) WITHOUT ROWID;

-- The same per calendar month ('YYYY-MM'), so a three-year view reads a few thousand
-- rows. `heat` is 168 little-endian i32 counts: Monday 00:00-00:59 first, hour by hour.
CREATE TABLE mi_month (
    ward TEXT NOT NULL,
    month TEXT NOT NULL,
    service TEXT NOT NULL,
    channel TEXT NOT NULL,
    contacts INTEGER NOT NULL DEFAULT 0,
    opened INTEGER NOT NULL DEFAULT 0,
    repeats INTEGER NOT NULL DEFAULT 0,
    chasers INTEGER NOT NULL DEFAULT 0,
    timed INTEGER NOT NULL DEFAULT 0,
    minutes INTEGER NOT NULL DEFAULT 0,
    closed INTEGER NOT NULL DEFAULT 0,
    on_time INTEGER NOT NULL DEFAULT 0,
    surveys INTEGER NOT NULL DEFAULT 0,
    score INTEGER NOT NULL DEFAULT 0,
    heat BLOB NOT NULL,
    PRIMARY KEY (ward, month, service, channel)
) WITHOUT ROWID;

-- Cases open now, by the UK day they were opened; rows that reach zero are deleted.
-- Keyed so that a ward's rows come grouped by service and channel, for the age bands.
CREATE TABLE mi_open (
    ward TEXT NOT NULL,
    opened_on TEXT NOT NULL,
    service TEXT NOT NULL,
    channel TEXT NOT NULL,
    open INTEGER NOT NULL,
    PRIMARY KEY (ward, service, channel, opened_on)
) WITHOUT ROWID;

-- The satisfaction survey offered when a case closes. Only a hash of the link's token
-- is kept. One answer per case.
CREATE TABLE surveys (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    token_hash TEXT NOT NULL UNIQUE,
    offered_at TEXT NOT NULL,
    score INTEGER CHECK (score BETWEEN 1 AND 5),
    comment TEXT,
    answered_at TEXT
);

-- Open cases by due date, without touching the millions of closed ones: the overdue
-- list and the queues' counts read only this index (it carries what they filter on).
CREATE INDEX cases_open_by_due ON cases (due_by, team, service, channel, ward, awaiting_triage, status)
    WHERE status NOT IN ('resolved', 'closed');
