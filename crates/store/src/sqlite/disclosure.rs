//! Disclosure settings and decisions on flagged quotes.

use rusqlite::{OptionalExtension, params};
use sankore_disclosure::rules::{QuasiIdentifier, Settings};
use sankore_domain::DomainError;
use sankore_domain::audit::{AuditAction, AuditEvent};

use super::{SqliteStore, audit, now};
use crate::error::{Result, StoreError};
use crate::{DisclosureStore, QuoteReview};

fn stored(detail: impl ToString) -> StoreError {
    StoreError::Stored {
        what: "disclosure settings",
        detail: detail.to_string(),
    }
}

impl DisclosureStore for SqliteStore {
    fn disclosure_settings(&self) -> Result<Settings> {
        let study = self.require_study()?;
        let row: Option<(i64, String, String)> = self
            .conn
            .query_row(
                "SELECT k, quasi_identifiers, populations FROM disclosure_settings WHERE study_id = ?1",
                [study],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((k, quasi, populations)) = row else {
            return Ok(Settings::default());
        };
        let names: Vec<String> = serde_json::from_str(&quasi).map_err(stored)?;
        Ok(Settings {
            k: u64::try_from(k).map_err(stored)?,
            quasi_identifiers: names
                .iter()
                .filter_map(|n| QuasiIdentifier::parse(n))
                .collect(),
            populations: serde_json::from_str(&populations).map_err(stored)?,
        })
    }

    fn set_disclosure_settings(&mut self, settings: &Settings) -> Result<()> {
        sankore_disclosure::check_threshold(settings.k).map_err(|e| {
            StoreError::Domain(DomainError::Invalid {
                field: "threshold",
                reason: e.to_string(),
            })
        })?;
        let study = self.require_study()?;
        let names: Vec<&str> = settings
            .quasi_identifiers
            .iter()
            .map(QuasiIdentifier::as_str)
            .collect();
        let quasi = serde_json::to_string(&names).map_err(stored)?;
        let populations = serde_json::to_string(&settings.populations).map_err(stored)?;
        let tx = self.write_transaction()?;
        tx.execute(
            "INSERT INTO disclosure_settings (study_id, k, quasi_identifiers, populations)
             VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (study_id) DO UPDATE SET k = ?2, quasi_identifiers = ?3, populations = ?4",
            params![study, settings.k as i64, quasi, populations],
        )?;
        tx.commit()?;
        Ok(())
    }

    fn quote_reviews(&self) -> Result<Vec<QuoteReview>> {
        let study = self.require_study()?;
        let mut stmt = self.conn.prepare(
            "SELECT f.key, c.guid, r.text_sha256, r.edited_text, r.reason, r.actor, r.decided_at
             FROM quote_reviews r JOIN findings f ON f.id = r.finding_id
             JOIN codings c ON c.id = r.coding_id
             WHERE f.study_id = ?1 ORDER BY f.position, c.guid",
        )?;
        let rows = stmt
            .query_map([study], |r| {
                Ok(QuoteReview {
                    finding: r.get(0)?,
                    coding: r.get(1)?,
                    text_sha256: r.get(2)?,
                    edited_text: r.get(3)?,
                    reason: r.get(4)?,
                    actor: r.get(5)?,
                    decided_at: r.get(6)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    fn review_quote(&mut self, review: &QuoteReview) -> Result<QuoteReview> {
        if review.reason.trim().is_empty() {
            return Err(DomainError::Empty { field: "reason" }.into());
        }
        if review
            .edited_text
            .as_deref()
            .is_some_and(|t| t.trim().is_empty())
        {
            return Err(DomainError::Empty {
                field: "edited quote",
            }
            .into());
        }
        let (finding_id, coding_id) = self.quote_ids(&review.finding, &review.coding)?;
        let mut stored = review.clone();
        stored.decided_at = now();
        let decision = if stored.edited_text.is_some() {
            "edited"
        } else {
            "approved"
        };
        let tx = self.write_transaction()?;
        tx.execute(
            "INSERT INTO quote_reviews
                (finding_id, coding_id, text_sha256, decision, edited_text, reason, actor, decided_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
             ON CONFLICT (finding_id, coding_id) DO UPDATE SET text_sha256 = ?3, decision = ?4,
                edited_text = ?5, reason = ?6, actor = ?7, decided_at = ?8",
            params![
                finding_id,
                coding_id,
                stored.text_sha256,
                decision,
                stored.edited_text,
                stored.reason,
                stored.actor,
                stored.decided_at
            ],
        )?;
        // The reason is typed by staff; the target names the quote by
        // finding and coding, never its text.
        audit::append(
            &tx,
            &AuditEvent::new(
                &stored.actor,
                AuditAction::DisclosureOverride,
                format!("quote {}/{}", stored.finding, stored.coding),
                format!("{decision}: {}", stored.reason.trim()),
            ),
        )?;
        tx.commit()?;
        self.anchor_audit_head()?;
        Ok(stored)
    }
}
