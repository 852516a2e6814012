//! Auto-coding *suggestions*: passages a dictionary or a speaker rule
//! points at, for a person to accept or reject. Nothing here creates a
//! coding.
//!
//! Matching is French-aware: text and entries are folded (lowercase,
//! accents removed, `œ` → `oe`, typographic apostrophes straightened), so
//! `securite` finds `Sécurité`. Offsets in suggestions are Unicode scalar
//! offsets of the original text.

use regex::{Regex, RegexBuilder};
use sankore_domain::{CodeKey, Coding, Document, Participant};
use serde::{Deserialize, Serialize};

use crate::agreement::paragraphs;
use crate::error::{AnalysisError, Result};
use crate::text::{fold, fold_with_offsets};

/// One dictionary entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "text", rename_all = "lowercase")]
pub enum Entry {
    /// A whole word; a trailing `*` matches any ending (`emploi*`).
    Word(String),
    /// Words in sequence, any spacing between them.
    Phrase(String),
    /// A regular expression, matched against the folded text (write it in
    /// lowercase without accents).
    Regex(String),
}

/// The entries that suggest one code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dictionary {
    /// The code suggested.
    pub code: CodeKey,
    /// Its entries.
    pub entries: Vec<Entry>,
}

/// How much text a suggestion covers around a match.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Extent {
    /// The matched words only.
    Match,
    /// The sentence holding the match (within its paragraph and turn).
    Sentence,
    /// The paragraph holding the match.
    Paragraph,
    /// The speaker turn holding the match (the paragraph outside turns).
    Turn,
}

/// A passage suggested for a code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Suggestion {
    /// Document code.
    pub document: String,
    /// Start (Unicode scalars).
    pub start: usize,
    /// End (exclusive).
    pub end: usize,
    /// Code suggested.
    pub code: String,
    /// What matched: `word:…`, `phrase:…`, `regex:…` or `speaker:…`.
    pub rules: Vec<String>,
    /// Whether a coding of this code already overlaps the passage.
    pub already_coded: bool,
}

/// A compiled entry.
struct Rule {
    code: usize,
    name: String,
    pattern: Regex,
}

fn compile(dictionaries: &[Dictionary]) -> Result<Vec<Rule>> {
    let mut rules = Vec::new();
    for (code, d) in dictionaries.iter().enumerate() {
        for (index, entry) in d.entries.iter().enumerate() {
            let (name, source) = match entry {
                Entry::Word(w) => {
                    let folded = fold(w.trim());
                    let (stem, open) = match folded.strip_suffix('*') {
                        Some(s) => (s.to_owned(), true),
                        None => (folded, false),
                    };
                    let tail = if open { r"\w*" } else { "" };
                    (
                        format!("word:{}", w.trim()),
                        (!stem.is_empty()).then(|| format!(r"\b{}{tail}\b", regex::escape(&stem))),
                    )
                }
                Entry::Phrase(p) => {
                    let words: Vec<String> =
                        fold(p).split_whitespace().map(regex::escape).collect();
                    (
                        format!("phrase:{}", p.trim()),
                        (!words.is_empty()).then(|| format!(r"\b{}\b", words.join(r"\s+"))),
                    )
                }
                Entry::Regex(r) => (format!("regex:{r}"), (!r.is_empty()).then(|| r.clone())),
            };
            let Some(source) = source else {
                return Err(AnalysisError::EmptyEntry {
                    code: d.code.to_string(),
                    index,
                });
            };
            let pattern = RegexBuilder::new(&source)
                .case_insensitive(true)
                .size_limit(1 << 20)
                .build()
                .map_err(|e| AnalysisError::BadPattern {
                    code: d.code.to_string(),
                    index,
                    reason: e.to_string(),
                })?;
            rules.push(Rule {
                code,
                name,
                pattern,
            });
        }
    }
    Ok(rules)
}

/// Widens `[start, end)` to the extent asked for.
fn widen(
    document: &Document,
    chars: &[char],
    paras: &[(usize, usize)],
    extent: Extent,
    start: usize,
    end: usize,
) -> (usize, usize) {
    let paragraph = paras
        .iter()
        .find(|(s, e)| *s <= start && start < *e)
        .copied()
        .unwrap_or((start, end));
    let turn = document
        .turns
        .iter()
        .find(|t| t.span.start() <= start && start < t.span.end())
        .map(|t| (t.span.start(), t.span.end()));
    let (from, to) = match extent {
        Extent::Match => return (start, end),
        Extent::Paragraph => paragraph,
        Extent::Turn => turn.unwrap_or(paragraph),
        Extent::Sentence => {
            let (lo, hi) = match turn {
                Some((ts, te)) => (paragraph.0.max(ts), paragraph.1.min(te)),
                None => paragraph,
            };
            let is_end = |c: char| matches!(c, '.' | '!' | '?' | '…');
            let from = (lo..start)
                .rev()
                .find(|i| is_end(chars[*i]))
                .map_or(lo, |i| i + 1);
            let to = (end..hi).find(|i| is_end(chars[*i])).map_or(hi, |i| i + 1);
            (from, to.max(end))
        }
    };
    // Trim spaces at both ends.
    let mut from = from.min(start);
    let mut to = to.max(end);
    while from < start && chars[from].is_whitespace() {
        from += 1;
    }
    while to > end && chars[to - 1].is_whitespace() {
        to -= 1;
    }
    (from, to)
}

fn already(codings: &[Coding], document: &str, code: &CodeKey, start: usize, end: usize) -> bool {
    codings.iter().any(|c| {
        c.document == document && &c.code == code && c.span.start() < end && start < c.span.end()
    })
}

/// Adds a suggestion, merging rules with an identical one.
fn add(out: &mut Vec<Suggestion>, s: Suggestion) {
    if let Some(same) = out.iter_mut().find(|x| {
        x.document == s.document && x.start == s.start && x.end == s.end && x.code == s.code
    }) {
        for r in s.rules {
            if !same.rules.contains(&r) {
                same.rules.push(r);
            }
        }
    } else {
        out.push(s);
    }
}

/// Suggestions from dictionaries, by document then position.
pub fn suggest(
    dictionaries: &[Dictionary],
    extent: Extent,
    documents: &[Document],
    codings: &[Coding],
) -> Result<Vec<Suggestion>> {
    let rules = compile(dictionaries)?;
    let mut out = Vec::new();
    for document in documents {
        let text = document.body.as_str();
        let folded = fold_with_offsets(text);
        let chars: Vec<char> = text.chars().collect();
        let paras = paragraphs(text);
        let mut here = Vec::new();
        for rule in &rules {
            for m in rule.pattern.find_iter(&folded.text) {
                if m.start() == m.end() {
                    continue;
                }
                let start = folded.origin[m.start()];
                let end = folded.origin[m.end() - 1] + 1;
                let (start, end) = widen(document, &chars, &paras, extent, start, end);
                let code = &dictionaries[rule.code].code;
                add(
                    &mut here,
                    Suggestion {
                        document: document.code.clone(),
                        start,
                        end,
                        code: code.to_string(),
                        rules: vec![rule.name.clone()],
                        already_coded: already(codings, &document.code, code, start, end),
                    },
                );
            }
        }
        here.sort_by(|a, b| (a.start, a.end, &a.code).cmp(&(b.start, b.end, &b.code)));
        out.extend(here);
    }
    Ok(out)
}

/// Whose turns a speaker rule picks.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase", tag = "by", content = "value")]
pub enum SpeakerRule {
    /// The turns of one registered participant.
    Participant(String),
    /// The turns of registered participants of one stakeholder group.
    Group(String),
    /// The turns whose speaker label is exactly this.
    Label(String),
}

/// Suggests coding whole turns by who speaks: each turn matching a rule is
/// suggested for the rule's code.
pub fn suggest_by_speaker(
    rules: &[(SpeakerRule, CodeKey)],
    participants: &[Participant],
    documents: &[Document],
    codings: &[Coding],
) -> Vec<Suggestion> {
    let mut out = Vec::new();
    for document in documents {
        for turn in &document.turns {
            for (rule, code) in rules {
                let (hit, name) = match rule {
                    SpeakerRule::Participant(p) => (
                        turn.participant.as_ref().is_some_and(|t| t.as_str() == p),
                        format!("speaker:participant:{p}"),
                    ),
                    SpeakerRule::Group(g) => (
                        turn.participant.as_ref().is_some_and(|t| {
                            participants.iter().any(|p| &p.code == t && &p.group == g)
                        }),
                        format!("speaker:group:{g}"),
                    ),
                    SpeakerRule::Label(l) => (&turn.speaker == l, format!("speaker:label:{l}")),
                };
                if hit {
                    let (start, end) = (turn.span.start(), turn.span.end());
                    add(
                        &mut out,
                        Suggestion {
                            document: document.code.clone(),
                            start,
                            end,
                            code: code.to_string(),
                            rules: vec![name],
                            already_coded: already(codings, &document.code, code, start, end),
                        },
                    );
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use sankore_domain::{DocumentKind, ParticipantCode, Span, TextBody, Turn};

    fn key(k: &str) -> CodeKey {
        CodeKey::new(k).unwrap_or_else(|e| panic!("{e}"))
    }

    fn doc() -> Document {
        let text = "Enquêteur : Et alors ?\nP-1 : L'INSÉCURITÉ est partout. Les jeunes cherchent un emploi décent !\n";
        let body = TextBody::new(text);
        let turn = |speaker: &str, participant: Option<&str>, s: usize, e: usize| Turn {
            speaker: speaker.into(),
            participant: participant
                .map(|p| ParticipantCode::new(p).unwrap_or_else(|e| panic!("{e}"))),
            span: Span::new(s, e, body.char_len()).unwrap_or_else(|e| panic!("{e}")),
        };
        Document {
            code: "D1".into(),
            session: None,
            title: "t".into(),
            kind: DocumentKind::Transcript,
            language: "fr".into(),
            turns: vec![
                turn("Enquêteur", None, 12, 22),
                turn("TBK-1", Some("TBK-1"), 29, 94),
            ],
            body,
        }
    }

    #[test]
    fn accents_fold_and_offsets_map_back() {
        let d = doc();
        let dict = [Dictionary {
            code: key("context.insecurity"),
            entries: vec![Entry::Word("insecurite".into())],
        }];
        let s = suggest(&dict, Extent::Match, std::slice::from_ref(&d), &[]).unwrap_or_default();
        assert_eq!(s.len(), 1);
        assert_eq!(
            d.text_of(Span::new(s[0].start, s[0].end, 200).unwrap_or_else(|e| panic!("{e}"))),
            "INSÉCURITÉ"
        );
        let s = suggest(&dict, Extent::Sentence, std::slice::from_ref(&d), &[]).unwrap_or_default();
        assert_eq!(
            d.text_of(Span::new(s[0].start, s[0].end, 200).unwrap_or_else(|e| panic!("{e}"))),
            "L'INSÉCURITÉ est partout."
        );
    }

    #[test]
    fn words_phrases_and_regexes() {
        let d = doc();
        let dict = [Dictionary {
            code: key("push.economic.jobs"),
            entries: vec![
                Entry::Word("emploi*".into()),
                Entry::Phrase("emploi   décent".into()),
                Entry::Regex(r"cherch\w+".into()),
            ],
        }];
        let s = suggest(&dict, Extent::Turn, std::slice::from_ref(&d), &[]).unwrap_or_default();
        assert_eq!(s.len(), 1, "one turn, three rules: {s:?}");
        assert_eq!(s[0].rules.len(), 3);
        assert_eq!((s[0].start, s[0].end), (29, 94));
        let bad = [Dictionary {
            code: key("x"),
            entries: vec![Entry::Regex("(".into())],
        }];
        assert!(matches!(
            suggest(&bad, Extent::Match, &[], &[]),
            Err(AnalysisError::BadPattern { .. })
        ));
    }

    #[test]
    fn speaker_rules_pick_turns() {
        let d = doc();
        let s = suggest_by_speaker(
            &[(SpeakerRule::Label("Enquêteur".into()), key("team"))],
            &[],
            std::slice::from_ref(&d),
            &[],
        );
        assert_eq!(s.len(), 1);
        assert_eq!((s[0].start, s[0].end), (12, 22));
    }
}
