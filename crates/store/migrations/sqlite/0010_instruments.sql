-- Data-collection instruments (XLSForm questionnaires, interview guides):
-- the instrument as JSON (sankore_domain::instrument), and its questions'
-- links to the study's research questions, kept as rows so they can be
-- queried and so a link to a research question that does not exist fails.
CREATE TABLE instruments (
    id INTEGER PRIMARY KEY,
    study_id INTEGER NOT NULL REFERENCES studies(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    title TEXT NOT NULL,
    version TEXT,
    definition TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    UNIQUE (study_id, key)
);

CREATE TABLE instrument_links (
    instrument_id INTEGER NOT NULL REFERENCES instruments(id) ON DELETE CASCADE,
    study_id INTEGER NOT NULL,
    question_path TEXT NOT NULL,
    research_question INTEGER NOT NULL,
    PRIMARY KEY (instrument_id, question_path, research_question),
    FOREIGN KEY (study_id, research_question)
        REFERENCES research_questions(study_id, number) ON DELETE CASCADE
);
CREATE INDEX instrument_links_by_research_question
    ON instrument_links(study_id, research_question);
