-- Sankore schema, version 1. Every table belongs to a study; participant
-- records are pseudonymous (no names: those live in the identity vault).

CREATE TABLE studies (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    start_date TEXT NOT NULL,
    end_date TEXT NOT NULL,
    languages TEXT NOT NULL,
    gazetteer_version TEXT NOT NULL REFERENCES gazetteers(version),
    created_at TEXT NOT NULL,
    CHECK (end_date >= start_date)
);

CREATE TABLE team_members (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    handle TEXT NOT NULL,
    role TEXT NOT NULL,
    UNIQUE (study_id, handle)
);

CREATE TABLE gazetteers (
    version TEXT PRIMARY KEY
);

CREATE TABLE places (
    id INTEGER PRIMARY KEY,
    gazetteer_version TEXT NOT NULL REFERENCES gazetteers(version) ON DELETE CASCADE,
    code TEXT NOT NULL,
    name TEXT NOT NULL,
    level TEXT NOT NULL CHECK (level IN ('region', 'cercle', 'commune')),
    parent_code TEXT,
    valid_from TEXT NOT NULL,
    valid_to TEXT,
    lat REAL,
    lon REAL,
    position INTEGER NOT NULL,
    UNIQUE (gazetteer_version, code),
    FOREIGN KEY (gazetteer_version, parent_code) REFERENCES places(gazetteer_version, code)
);

CREATE TABLE research_questions (
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    number INTEGER NOT NULL CHECK (number >= 1),
    text_fr TEXT NOT NULL,
    text_en TEXT NOT NULL,
    PRIMARY KEY (study_id, number)
);

CREATE TABLE stakeholder_groups (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    name TEXT NOT NULL,
    label_fr TEXT NOT NULL,
    label_en TEXT NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (study_id, key)
);

CREATE TABLE quotas (
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    place_code TEXT NOT NULL,
    group_id INTEGER NOT NULL REFERENCES stakeholder_groups(id) ON DELETE CASCADE,
    gender TEXT NOT NULL,
    target INTEGER NOT NULL CHECK (target >= 0),
    PRIMARY KEY (study_id, place_code, group_id, gender)
);

CREATE TABLE participants (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    guid TEXT NOT NULL UNIQUE,
    code TEXT NOT NULL,
    gender TEXT NOT NULL,
    age_band TEXT NOT NULL,
    group_id INTEGER NOT NULL REFERENCES stakeholder_groups(id),
    place_code TEXT NOT NULL,
    consent TEXT NOT NULL,
    UNIQUE (study_id, code)
);

CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    code TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('interview', 'focus-group', 'validation-forum', 'roundtable')),
    place_code TEXT NOT NULL,
    date TEXT NOT NULL,
    declared_total INTEGER CHECK (declared_total >= 0),
    UNIQUE (study_id, code)
);
CREATE INDEX sessions_by_kind ON sessions(study_id, kind);

CREATE TABLE session_facilitators (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    member_id INTEGER NOT NULL REFERENCES team_members(id),
    PRIMARY KEY (session_id, member_id)
);

CREATE TABLE session_participants (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    participant_id INTEGER NOT NULL REFERENCES participants(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    PRIMARY KEY (session_id, participant_id)
);
CREATE INDEX session_participants_by_participant ON session_participants(participant_id);

CREATE TABLE session_composition (
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    group_id INTEGER NOT NULL REFERENCES stakeholder_groups(id),
    gender TEXT NOT NULL,
    count INTEGER NOT NULL CHECK (count > 0),
    position INTEGER NOT NULL,
    PRIMARY KEY (session_id, group_id, gender)
);

CREATE TABLE documents (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    guid TEXT NOT NULL UNIQUE,
    code TEXT NOT NULL,
    session_id INTEGER REFERENCES sessions(id) ON DELETE SET NULL,
    title TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('transcript', 'notes')),
    language TEXT NOT NULL,
    body TEXT NOT NULL,
    char_len INTEGER NOT NULL CHECK (char_len >= 0),
    UNIQUE (study_id, code)
);
CREATE INDEX documents_by_session ON documents(session_id);

CREATE TABLE turns (
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    speaker TEXT NOT NULL,
    participant_id INTEGER REFERENCES participants(id) ON DELETE SET NULL,
    start_offset INTEGER NOT NULL,
    end_offset INTEGER NOT NULL,
    PRIMARY KEY (document_id, position),
    CHECK (0 <= start_offset AND start_offset < end_offset)
);

CREATE TABLE codes (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    guid TEXT NOT NULL UNIQUE,
    key TEXT NOT NULL,
    parent_id INTEGER REFERENCES codes(id),
    name_fr TEXT NOT NULL,
    name_en TEXT NOT NULL,
    description_fr TEXT NOT NULL,
    description_en TEXT NOT NULL,
    color TEXT NOT NULL,
    research_questions TEXT NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (study_id, key)
);

-- Each saved version of the codebook, as the JSON of the domain's Codebook.
CREATE TABLE codebook_versions (
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    version INTEGER NOT NULL,
    label TEXT NOT NULL,
    snapshot TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (study_id, version)
);

CREATE TABLE codings (
    id INTEGER PRIMARY KEY,
    guid TEXT NOT NULL UNIQUE,
    document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    code_id INTEGER NOT NULL REFERENCES codes(id),
    coder TEXT NOT NULL,
    start_offset INTEGER NOT NULL,
    end_offset INTEGER NOT NULL,
    memo TEXT,
    origin TEXT NOT NULL CHECK (origin IN ('manual', 'pre-applied', 'imported')),
    CHECK (0 <= start_offset AND start_offset < end_offset)
);
CREATE INDEX codings_by_document ON codings(document_id, start_offset);
CREATE INDEX codings_by_code ON codings(code_id);

CREATE TABLE memos (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    author TEXT NOT NULL,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('study', 'document', 'code')),
    target_key TEXT
);

CREATE TABLE findings (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    statement_fr TEXT NOT NULL,
    statement_en TEXT NOT NULL,
    research_question INTEGER NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (study_id, key),
    FOREIGN KEY (study_id, research_question) REFERENCES research_questions(study_id, number)
);

CREATE TABLE finding_places (
    finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    place_code TEXT NOT NULL,
    PRIMARY KEY (finding_id, place_code)
);

CREATE TABLE finding_codes (
    finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    code_id INTEGER NOT NULL REFERENCES codes(id),
    PRIMARY KEY (finding_id, code_id)
);

CREATE TABLE recommendations (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    text_fr TEXT NOT NULL,
    text_en TEXT NOT NULL,
    position INTEGER NOT NULL,
    UNIQUE (study_id, key)
);

CREATE TABLE recommendation_findings (
    recommendation_id INTEGER NOT NULL REFERENCES recommendations(id) ON DELETE CASCADE,
    finding_id INTEGER NOT NULL REFERENCES findings(id) ON DELETE CASCADE,
    PRIMARY KEY (recommendation_id, finding_id)
);

CREATE TABLE recommendation_roles (
    recommendation_id INTEGER NOT NULL REFERENCES recommendations(id) ON DELETE CASCADE,
    position INTEGER NOT NULL,
    stakeholder TEXT NOT NULL,
    role_fr TEXT NOT NULL,
    role_en TEXT NOT NULL,
    PRIMARY KEY (recommendation_id, position)
);

CREATE TABLE actions (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    title_fr TEXT NOT NULL,
    title_en TEXT NOT NULL,
    recommendation_id INTEGER REFERENCES recommendations(id) ON DELETE SET NULL,
    start_date TEXT,
    due_date TEXT,
    responsible TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('planned', 'under-way', 'done', 'dropped')),
    position INTEGER NOT NULL,
    UNIQUE (study_id, key)
);

CREATE TABLE action_places (
    action_id INTEGER NOT NULL REFERENCES actions(id) ON DELETE CASCADE,
    place_code TEXT NOT NULL,
    PRIMARY KEY (action_id, place_code)
);
