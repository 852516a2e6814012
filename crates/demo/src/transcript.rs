//! Building a document line by line while recording where each speaker turn
//! and each coded passage lies, in Unicode scalars of the NFC text.

use std::collections::BTreeSet;

use sankore_domain::{
    CodeKey, Coding, CodingOrigin, Document, DocumentKind, ParticipantCode, Span, TextBody, Turn,
};

use crate::phrases::{self, Phrase};
use crate::rng::Rng;
use crate::study::voice::ANY;
use crate::study::{CercleInfo, de};

/// Handle of the coder who pre-applied the demo's codings.
pub(crate) const CODER: &str = "R1";

/// Speaker labels of the study team in transcripts.
#[cfg(test)]
pub(crate) const TEAM_LABELS: [&str; 5] = [
    "Enquêteur",
    "Enquêtrice",
    "Animateur",
    "Animatrice",
    "Coordination",
];

/// A passage written to express one code, where it lies, and its text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Passage {
    pub document: String,
    pub start: usize,
    pub end: usize,
    pub code: &'static str,
    pub text: String,
}

/// One piece of a turn: plain speech, or a passage expressing a code.
pub(crate) enum Piece {
    Say(String),
    Code(&'static str, String),
}

/// What placeholders in phrases are filled with for one speaker.
pub(crate) struct Context {
    pub cercle: &'static CercleInfo,
    pub commune: String,
    pub elsewhere: String,
    /// The local-economy sentence this speaker uses.
    pub livelihood: &'static str,
}

impl Context {
    /// Fills the placeholders of a phrase.
    pub(crate) fn fill(&self, template: &str) -> String {
        template
            .replace("{de_commune}", &de(&self.commune))
            .replace("{de_ailleurs}", &de(&self.elsewhere))
            .replace("{commune}", &self.commune)
            .replace("{ailleurs}", &self.elsewhere)
            .replace("{cercle}", self.cercle.name)
            .replace("{vie}", self.livelihood)
            .replace("{activite}", self.cercle.activity)
    }
}

/// Chooses phrases without repeating one inside a document while others
/// remain.
pub(crate) struct Chooser {
    pub rng: Rng,
    used: BTreeSet<&'static str>,
}

impl Chooser {
    /// A chooser drawing from `rng`.
    pub(crate) fn new(rng: Rng) -> Self {
        Chooser {
            rng,
            used: BTreeSet::new(),
        }
    }

    /// One of `items`, preferring those not used yet in this document.
    pub(crate) fn one(&mut self, items: &[&'static str]) -> &'static str {
        let fresh: Vec<&'static str> = items
            .iter()
            .copied()
            .filter(|t| !self.used.contains(t))
            .collect();
        let pool = if fresh.is_empty() {
            items.to_vec()
        } else {
            fresh
        };
        let chosen = self.rng.pick(&pool).copied().unwrap_or_default();
        self.used.insert(chosen);
        chosen
    }

    /// A passage for `code` suited to a speaker's voice, filled in. Phrases
    /// written for the speaker's own group are preferred half of the time,
    /// so that groups sound different.
    pub(crate) fn passage(&mut self, code: &'static str, voice: u8, ctx: &Context) -> Piece {
        let bank = phrases::passages(code);
        let own: Vec<&'static str> = bank
            .iter()
            .filter(|p: &&Phrase| p.who != ANY && p.who & voice != 0)
            .map(|p| p.text)
            .filter(|t| !self.used.contains(t))
            .collect();
        let text = if !own.is_empty() && self.rng.chance(50) {
            self.one(&own)
        } else {
            let suited: Vec<&'static str> = bank
                .iter()
                .filter(|p| p.who & voice != 0)
                .map(|p| p.text)
                .collect();
            self.one(&suited)
        };
        Piece::Code(code, ctx.fill(text))
    }

    /// An uncoded sentence from a bank, filled in.
    pub(crate) fn say(&mut self, bank: &[&'static str], ctx: &Context) -> Piece {
        Piece::Say(ctx.fill(self.one(bank)))
    }
}

/// A document being written.
pub(crate) struct Draft {
    code: String,
    text: String,
    chars: usize,
    turns: Vec<Turn>,
    passages: Vec<Passage>,
}

impl Draft {
    /// Starts a document with the synthetic-data line and a header.
    pub(crate) fn new(code: &str, first_line: &str, header: &[String]) -> Self {
        let mut draft = Draft {
            code: code.to_owned(),
            text: String::new(),
            chars: 0,
            turns: Vec::new(),
            passages: Vec::new(),
        };
        draft.line(first_line);
        for line in header {
            draft.line(line);
        }
        draft.line("");
        draft
    }

    fn push(&mut self, text: &str) {
        let body = TextBody::new(text);
        self.chars += body.char_len();
        self.text.push_str(body.as_str());
    }

    /// Writes a line of text outside any turn.
    pub(crate) fn line(&mut self, text: &str) {
        self.push(text);
        self.push("\n");
    }

    /// Writes `Speaker : ...` as one turn; the turn's span covers what was
    /// said, not the label. Coded pieces are recorded as passages.
    pub(crate) fn turn(
        &mut self,
        speaker: &str,
        participant: Option<&ParticipantCode>,
        pieces: Vec<Piece>,
    ) {
        if pieces.is_empty() {
            return;
        }
        self.push(speaker);
        self.push(" : ");
        let start = self.chars;
        for (i, piece) in pieces.into_iter().enumerate() {
            if i > 0 {
                self.push(" ");
            }
            match piece {
                Piece::Say(text) => self.push(&text),
                Piece::Code(code, text) => {
                    let from = self.chars;
                    self.push(&text);
                    self.passages.push(Passage {
                        document: self.code.clone(),
                        start: from,
                        end: self.chars,
                        code,
                        text: TextBody::new(&text).as_str().to_owned(),
                    });
                }
            }
        }
        if let Ok(span) = Span::new(start, self.chars, self.chars) {
            self.turns.push(Turn {
                speaker: speaker.to_owned(),
                participant: participant.cloned(),
                span,
            });
        }
        self.push("\n");
    }

    /// The document, its codings and the passages behind them.
    pub(crate) fn finish(
        self,
        session: Option<String>,
        title: String,
        kind: DocumentKind,
    ) -> (Document, Vec<Coding>, Vec<Passage>) {
        let body = TextBody::new(&self.text);
        let codings = self
            .passages
            .iter()
            .filter_map(|p| {
                Some(Coding {
                    document: self.code.clone(),
                    span: body.span(p.start, p.end).ok()?,
                    code: CodeKey::new(p.code).ok()?,
                    coder: CODER.to_owned(),
                    memo: None,
                    origin: CodingOrigin::PreApplied,
                })
            })
            .collect();
        let document = Document {
            code: self.code,
            session,
            title,
            kind,
            language: "fr".to_owned(),
            body,
            turns: self.turns,
        };
        (document, codings, self.passages)
    }
}
