-- Full-text search over documents. The rowid is the document's id; the
-- terms are folded stems computed by Sankore (SQLite has no French stemmer).
-- It lives inside the encrypted database, like everything else.
CREATE VIRTUAL TABLE search_index USING fts5(terms, tokenize = 'unicode61 remove_diacritics 2');
