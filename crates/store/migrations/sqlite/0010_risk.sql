-- Triage II: a second tier of risk ("check": a person must read it within the hour),
-- and every staff decision about a triaged contact kept as a label for training, not
-- only re-routes: confirmations and urgency changes too.

-- 1 while a contact the model thought might involve risk waits for a person to read it.
ALTER TABLE cases ADD COLUMN risk_check INTEGER NOT NULL DEFAULT 0;
CREATE INDEX cases_risk ON cases (risk_check, urgent);

-- What the person decided about urgency ("no", "check", "urgent") and what kind of
-- decision the row records ("rerouted", "confirmed", "urgency").
ALTER TABLE triage_corrections ADD COLUMN urgency TEXT NOT NULL DEFAULT 'no';
ALTER TABLE triage_corrections ADD COLUMN decision TEXT NOT NULL DEFAULT 'rerouted';
-- The kind of risk the person saw ("domestic-abuse", ...), or '' when none or not said.
ALTER TABLE triage_corrections ADD COLUMN risk TEXT NOT NULL DEFAULT '';
