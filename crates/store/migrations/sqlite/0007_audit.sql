-- The audit trail: every staff view of a resident's record or a case, every change, every
-- export. Append-only; nothing in Front Door updates or deletes a row.
CREATE TABLE audit_events (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    -- What was done, as a route ("GET /console/cases/{reference}") or a named act.
    action TEXT NOT NULL,
    -- What it was done to: "case AB12-CD34", "resident 12", "dashboard", "audit".
    subject TEXT NOT NULL,
    -- The HTTP status it ended with: a refusal (403) is recorded as well as a success.
    outcome INTEGER NOT NULL,
    -- Why, given for every view of a restricted case.
    reason TEXT
);
CREATE INDEX audit_events_at ON audit_events (at);
CREATE INDEX audit_events_staff ON audit_events (staff_id, at);
CREATE INDEX audit_events_subject ON audit_events (subject, at);
