-- The language a resident used (en or cy), so what the council sends them is in it too.
-- Residents from before this migration, and contacts by email, text or phone, are English.
ALTER TABLE residents ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
