-- My Account: one-time sign-in links sent to a resident's email address. Only a hash of
-- the link's token is kept; a link works once, and not after it expires. (Residents are
-- found by email through residents_by_email, from the first migration.)
CREATE TABLE sign_in_links (
    token_hash TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
);
