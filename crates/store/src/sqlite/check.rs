//! Integrity checks: SQLite's and SQLCipher's own, then Sankore's rules
//! re-checked on the stored rows (in case anything bypassed the domain).

use sankore_domain::TextBody;

use super::SqliteStore;
use crate::CheckResult;
use crate::error::Result;

/// Collects the rows of a query that lists problems (one text column).
fn problems(store: &SqliteStore, sql: &str) -> Result<Vec<String>> {
    let mut stmt = store.conn.prepare(sql)?;
    let rows = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

fn result(name: &'static str, problems: Vec<String>) -> CheckResult {
    CheckResult {
        name,
        ok: problems.is_empty(),
        problems,
    }
}

/// Runs every check; problems name records and offsets, never their text.
pub(super) fn run(store: &SqliteStore) -> Result<Vec<CheckResult>> {
    let mut out = Vec::new();
    let integrity: Vec<String> = problems(store, "SELECT * FROM pragma_integrity_check")?
        .into_iter()
        .filter(|r| r != "ok")
        .collect();
    out.push(result("sqlite.integrity", integrity));
    out.push(result(
        "sqlite.foreign_keys",
        problems(
            store,
            "SELECT \"table\" || ' row ' || coalesce(rowid, '?') || ' -> ' || parent FROM pragma_foreign_key_check",
        )?,
    ));
    let mut stmt = store.conn.prepare("PRAGMA cipher_integrity_check")?;
    let cipher = stmt
        .query_map([], |r| r.get::<_, String>(0))?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    out.push(result("sqlcipher.page_authentication", cipher));

    let supported = super::MIGRATIONS.iter().map(|m| m.0).max().unwrap_or(0);
    let version = store.schema_version()?;
    out.push(result(
        "schema.version",
        if version == supported {
            vec![]
        } else {
            vec![format!("schema at version {version}, expected {supported}")]
        },
    ));

    let studies: i64 = store
        .conn
        .query_row("SELECT count(*) FROM studies", [], |r| r.get(0))?;
    if studies == 0 {
        return Ok(out);
    }
    out.push(result(
        "codings.inside_documents",
        problems(
            store,
            "SELECT 'coding ' || c.guid || ' [' || c.start_offset || ', ' || c.end_offset || ') in ' || d.code
                    || ' of ' || d.char_len || ' characters'
             FROM codings c JOIN documents d ON d.id = c.document_id
             WHERE c.end_offset > d.char_len OR c.start_offset < 0 OR c.start_offset >= c.end_offset",
        )?,
    ));
    out.push(result(
        "turns.inside_documents",
        problems(
            store,
            "SELECT 'turn ' || t.position || ' of ' || d.code FROM turns t JOIN documents d ON d.id = t.document_id
             WHERE t.end_offset > d.char_len",
        )?,
    ));
    out.push(result(
        "sessions.counts_add_up",
        problems(
            store,
            "SELECT 'session ' || s.code || ': counts add up to ' || sum(c.count) || ', declared ' || s.declared_total
             FROM sessions s JOIN session_composition c ON c.session_id = s.id
             WHERE s.declared_total IS NOT NULL GROUP BY s.id HAVING sum(c.count) != s.declared_total",
        )?,
    ));
    out.push(result(
        "interviews.one_participant",
        problems(
            store,
            "SELECT 'interview ' || s.code || ' has ' || count(sp.participant_id) || ' participants'
             FROM sessions s LEFT JOIN session_participants sp ON sp.session_id = s.id
             WHERE s.kind = 'interview' GROUP BY s.id HAVING count(sp.participant_id) != 1",
        )?,
    ));
    // Imports keep submission keys unique per form (no index does, see
    // migration 0018).
    out.push(result(
        "submissions.unique_keys",
        problems(
            store,
            "SELECT 'form ' || f.form_key || ': submission key ' || s.key || ' stored ' || count(*) || ' times'
             FROM submissions s JOIN response_forms f ON f.id = s.form_id
             GROUP BY s.form_id, s.key HAVING count(*) > 1",
        )?,
    ));
    let mut text_problems = Vec::new();
    let mut stmt = store
        .conn
        .prepare("SELECT code, body, char_len FROM documents ORDER BY code")?;
    let mut rows = stmt.query([])?;
    while let Some(row) = rows.next()? {
        let code: String = row.get(0)?;
        let body: String = row.get(1)?;
        let stored_len: i64 = row.get(2)?;
        if !TextBody::is_nfc(&body) {
            text_problems.push(format!("document {code} is not in NFC"));
        }
        let actual = body.chars().count();
        if usize::try_from(stored_len).ok() != Some(actual) {
            text_problems.push(format!(
                "document {code}: stored length {stored_len}, actual {actual}"
            ));
        }
    }
    out.push(result("documents.nfc_and_length", text_problems));
    Ok(out)
}
