-- Location reports (issue 8): the council's gazetteer, where each report is, the spatial
-- index nearby-duplicate searches use, residents following a report, and Open311 clients.

-- Every property and street the council knows, with its UPRN and WGS 84 position.
CREATE TABLE gazetteer (
    uprn TEXT PRIMARY KEY,
    line1 TEXT NOT NULL,
    line2 TEXT,
    town TEXT NOT NULL,
    postcode TEXT NOT NULL,
    street TEXT NOT NULL COLLATE NOCASE,
    lat REAL NOT NULL,
    lon REAL NOT NULL
);
CREATE INDEX gazetteer_by_postcode ON gazetteer (postcode);
CREATE INDEX gazetteer_by_street ON gazetteer (street);

-- Where a location-based case is. lat/lon are absent for "street and description" reports
-- whose street is not in the gazetteer.
CREATE TABLE case_places (
    case_id INTEGER PRIMARY KEY REFERENCES cases(id),
    lat REAL,
    lon REAL,
    ward TEXT,
    uprn TEXT,
    street TEXT,
    address TEXT
);
CREATE INDEX case_places_by_ward ON case_places (ward);

-- An R*Tree over the cases that have a point: the search for reports near a point reads a
-- box from it and only then measures exact distances. (Coordinates are stored as 32-bit
-- floats rounded outwards, so the box never loses a case.)
CREATE VIRTUAL TABLE case_points USING rtree(case_id, min_lat, max_lat, min_lon, max_lon);

-- Residents following a report someone else made, instead of making another.
CREATE TABLE case_followers (
    case_id INTEGER NOT NULL REFERENCES cases(id),
    resident_id INTEGER NOT NULL REFERENCES residents(id),
    followed_at TEXT NOT NULL,
    PRIMARY KEY (case_id, resident_id)
);

-- Partner systems allowed to POST Open311 service requests. Only a hash of the key is kept.
CREATE TABLE open311_clients (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    key_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

-- Open311 tokens: the handle a client may use to find the request id it was given.
CREATE TABLE open311_tokens (
    token TEXT PRIMARY KEY,
    case_id INTEGER NOT NULL REFERENCES cases(id),
    client_id INTEGER NOT NULL REFERENCES open311_clients(id)
);
