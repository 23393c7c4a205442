-- Retention: a case past its service's retention period keeps its facts for management
-- information and loses everything about the resident.
ALTER TABLE cases ADD COLUMN anonymised_at TEXT;
CREATE INDEX cases_closed_for_retention ON cases (service, closed_at) WHERE anonymised_at IS NULL;

-- History stays append-only, with one exception: an event's text may be replaced once by
-- its anonymised form (redacted 0 -> 1), keeping its kind, time, case and actor.
ALTER TABLE case_events ADD COLUMN redacted INTEGER NOT NULL DEFAULT 0;
DROP TRIGGER case_events_no_update;
CREATE TRIGGER case_events_no_update BEFORE UPDATE ON case_events
WHEN NOT (OLD.redacted = 0 AND NEW.redacted = 1 AND NEW.id = OLD.id
          AND NEW.case_id = OLD.case_id AND NEW.at = OLD.at AND NEW.kind = OLD.kind
          AND NEW.actor_staff_id IS OLD.actor_staff_id)
BEGIN SELECT RAISE(ABORT, 'case events are append-only'); END;
