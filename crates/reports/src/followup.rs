//! The JSON shapes of recommendations and follow-up actions, shared by
//! `sankore recommendations list`, `sankore actions list` and the API.

use chrono::NaiveDate;
use sankore_domain::{Action, Recommendation};
use serde_json::{Value, json};

/// `{"recommendations": [{"key", "text", "findings", "roles":
/// [{"stakeholder", "role"}]}]}`.
pub fn recommendations_json(list: &[Recommendation]) -> Value {
    let items: Vec<Value> = list
        .iter()
        .map(|r| {
            json!({
                "key": r.key,
                "text": r.text,
                "findings": r.findings,
                "roles": r.roles.iter().map(|(who, what)| json!({
                    "stakeholder": who, "role": what,
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    json!({ "recommendations": items })
}

/// `{"today", "actions": [ACTION + "late"]}`: each action as stored, with
/// `late` true when it is planned or under way past its due date.
pub fn actions_json(list: &[Action], today: NaiveDate) -> Value {
    let items: Vec<Value> = list
        .iter()
        .map(|a| {
            json!({
                "key": a.key,
                "title": a.title,
                "recommendation": a.recommendation,
                "places": a.places,
                "start": a.start,
                "due": a.due,
                "responsible": a.responsible,
                "status": a.status,
                "participants": a.participants,
                "outcome_notes": a.outcome_notes,
                "late": a.is_late(today),
            })
        })
        .collect();
    json!({ "today": today.to_string(), "actions": items })
}
