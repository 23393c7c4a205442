-- Omni-channel intake (issue 4): the single view of the resident, contacts from every
-- channel with what the channel knows, attachments, quarantined messages, Tell Us Once,
-- and the notifications outbox.

-- A residents row is what one contact told us about its sender. Rows judged to be the same
-- person share a person_id; matching and merging change person_id only, so every match can
-- be undone by setting it back. Flags and life events belong to the person.
CREATE TABLE people (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL
);
INSERT INTO people (id, created_at) SELECT id, created_at FROM residents;
ALTER TABLE residents ADD COLUMN person_id INTEGER REFERENCES people(id);
ALTER TABLE residents ADD COLUMN email_verified INTEGER NOT NULL DEFAULT 0;
ALTER TABLE residents ADD COLUMN phone_verified INTEGER NOT NULL DEFAULT 0;
ALTER TABLE residents ADD COLUMN reply_by TEXT;
ALTER TABLE residents ADD COLUMN date_of_birth TEXT;
ALTER TABLE residents ADD COLUMN uprn TEXT;
-- Why this row joined its person, when it was matched automatically (JSON MatchReason).
ALTER TABLE residents ADD COLUMN match_reason TEXT;
UPDATE residents SET person_id = id;
CREATE INDEX residents_by_person ON residents (person_id);
CREATE INDEX residents_by_phone ON residents (phone);
CREATE INDEX residents_by_postcode ON residents (postcode);
CREATE INDEX residents_by_uprn ON residents (uprn);

-- Circumstances that change how the council deals with a person (and queue order).
CREATE TABLE person_flags (
    person_id INTEGER NOT NULL REFERENCES people(id),
    flag TEXT NOT NULL,
    added_at TEXT NOT NULL,
    added_by INTEGER REFERENCES staff(id),
    PRIMARY KEY (person_id, flag)
);

-- The person's own history: matches, merges, splits, flags, life events. Append-only.
CREATE TABLE person_events (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL REFERENCES people(id),
    at TEXT NOT NULL,
    actor_staff_id INTEGER REFERENCES staff(id),
    kind TEXT NOT NULL,
    data TEXT NOT NULL
);
CREATE INDEX person_events_by_person ON person_events (person_id, id);
CREATE TRIGGER person_events_no_update BEFORE UPDATE ON person_events
BEGIN SELECT RAISE(ABORT, 'person events are append-only'); END;
CREATE TRIGGER person_events_no_delete BEFORE DELETE ON person_events
BEGIN SELECT RAISE(ABORT, 'person events are append-only'); END;

-- What a channel knows about a contact. external_id (Message-ID, SMS id) makes a gateway's
-- retry the same contact rather than a second one.
ALTER TABLE contacts ADD COLUMN external_id TEXT;
ALTER TABLE contacts ADD COLUMN duration_minutes INTEGER;
ALTER TABLE contacts ADD COLUMN hub TEXT;
CREATE UNIQUE INDEX contacts_by_external_id ON contacts (channel, external_id)
    WHERE external_id IS NOT NULL;
CREATE INDEX contacts_by_resident ON contacts (resident_id);

CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    contact_id INTEGER NOT NULL REFERENCES contacts(id),
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL
);
CREATE INDEX attachments_by_case ON attachments (case_id);

-- Inbound messages that could not be read, kept whole for a person to look at.
CREATE TABLE quarantine (
    id INTEGER PRIMARY KEY,
    channel TEXT NOT NULL,
    received_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    raw BLOB NOT NULL,
    released_at TEXT,
    released_by INTEGER REFERENCES staff(id)
);

-- A change of address, name or a death, told once; `told` lists who was told and how.
CREATE TABLE life_events (
    id INTEGER PRIMARY KEY,
    person_id INTEGER NOT NULL,
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    channel TEXT NOT NULL,
    told_at TEXT NOT NULL,
    recorded_by INTEGER REFERENCES staff(id),
    told TEXT NOT NULL
);
CREATE INDEX life_events_by_person ON life_events (person_id);

-- Work for a service team that is not a case: update your records after a life event.
CREATE TABLE team_tasks (
    id INTEGER PRIMARY KEY,
    team TEXT NOT NULL REFERENCES teams(slug),
    person_id INTEGER NOT NULL,
    life_event_id INTEGER REFERENCES life_events(id),
    text TEXT NOT NULL,
    created_at TEXT NOT NULL,
    done_at TEXT,
    done_by INTEGER REFERENCES staff(id)
);
CREATE INDEX team_tasks_open ON team_tasks (team, done_at);

-- Messages to send, written in the same transaction as the change that causes them. The
-- worker leases a row (status 'sending', lease_until), sends it with idempotency_key as
-- the provider's reference, then marks it sent. A row still 'sending' after its lease is
-- "in doubt": the worker asks the provider whether the key was already sent before it
-- sends again.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    case_id INTEGER REFERENCES cases(id),
    person_id INTEGER,
    kind TEXT NOT NULL,
    destination TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    status TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    in_doubt INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    lease_until TEXT,
    last_error TEXT,
    provider_id TEXT,
    created_at TEXT NOT NULL,
    sent_at TEXT
);
CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
CREATE INDEX outbox_by_case ON outbox (case_id);
