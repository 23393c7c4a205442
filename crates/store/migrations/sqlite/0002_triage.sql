-- Triage: free-text contacts routed by the model, the human triage queue, urgent cases
-- that jump every queue, referrals opened as linked cases, and staff corrections kept
-- for the next training run.

ALTER TABLE cases ADD COLUMN urgent INTEGER NOT NULL DEFAULT 0;
-- 1 while a person still has to choose the service (triage was not confident enough).
ALTER TABLE cases ADD COLUMN awaiting_triage INTEGER NOT NULL DEFAULT 0;
ALTER TABLE cases ADD COLUMN linked_from INTEGER REFERENCES cases(id);
CREATE INDEX cases_triage_queue ON cases (awaiting_triage, urgent, created_at);

-- What the model decided about a case's first contact, as JSON, and which model decided.
CREATE TABLE triage_decisions (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    model_id TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    decision TEXT NOT NULL
);

-- A person sent a triaged contact somewhere other than where the model sent it.
CREATE TABLE triage_corrections (
    id INTEGER PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    channel TEXT NOT NULL,
    text TEXT NOT NULL,
    model_service TEXT NOT NULL,
    chosen_service TEXT NOT NULL,
    model_id TEXT NOT NULL,
    staff_id INTEGER NOT NULL REFERENCES staff(id),
    at TEXT NOT NULL
);
