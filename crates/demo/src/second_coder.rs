//! A second coder, R2, double-codes part of the transcripts so that
//! agreement between coders can be measured on the demo.
//!
//! R2 codes the first four interviews of each cercle (twenty) and three
//! focus groups, starting from the passages R1 coded, with the kinds of
//! disagreement real coders have, drawn from a stream seeded by the
//! document code (deterministic):
//! - about two in three passages coded exactly as R1 did;
//! - about one in six with shifted boundaries (a few words dropped at
//!   either end, or the span stretched to the end of its sentence or to the
//!   start of the turn);
//! - about one in twelve missed;
//! - about one in twelve given a different code, a sibling of R1's (another
//!   governance factor instead of the one R1 chose, for example);
//! - now and then a second, sibling code on the same passage.
//!
//! R2 never codes outside the speaker turn a passage lies in.

use sankore_domain::{CodeKey, Codebook, Coding, CodingOrigin, Document};

use crate::rng::Rng;

/// Handle of the second coder (a team member of the study).
pub(crate) const SECOND_CODER: &str = "R2";

/// The focus groups R2 double-codes.
const FOCUS_GROUPS: [&str; 3] = ["TBK-FGD-01-T", "GRH-FGD-02-T", "NFK-FGD-03-T"];

/// Whether R2 double-codes this document: interviews 001 to 004 of each
/// cercle, and three focus groups.
pub(crate) fn double_coded(document: &str) -> bool {
    let interview = document
        .split('-')
        .collect::<Vec<_>>()
        .as_slice()
        .get(1..3)
        .is_some_and(|parts| parts[0] == "INT" && ["001", "002", "003", "004"].contains(&parts[1]));
    interview || FOCUS_GROUPS.contains(&document)
}

/// Another code with the same parent, drawn from the stream.
fn sibling(codebook: &Codebook, code: &CodeKey, rng: &mut Rng) -> Option<CodeKey> {
    let parent = codebook.get(code)?.parent.as_ref();
    let others: Vec<&CodeKey> = codebook
        .children(parent)
        .map(|c| &c.key)
        .filter(|k| *k != code)
        .collect();
    rng.pick(&others).map(|k| (*k).clone())
}

/// Offsets of the word starts inside `[start, end)` (after the first
/// character), in scalars.
fn word_starts(chars: &[char], start: usize, end: usize) -> Vec<usize> {
    (start + 1..end)
        .filter(|i| chars[*i - 1].is_whitespace() && !chars[*i].is_whitespace())
        .collect()
}

/// R2's span for a passage R1 coded `[start, end)` inside a turn
/// `[turn_start, turn_end)`.
fn shifted(
    chars: &[char],
    (start, end): (usize, usize),
    (turn_start, turn_end): (usize, usize),
    rng: &mut Rng,
) -> (usize, usize) {
    let words = word_starts(chars, start, end);
    match rng.below(4) {
        // Drop one to three words at the start.
        0 if words.len() > 3 => (words[rng.below(3)], end),
        // Drop one to three words at the end.
        1 if words.len() > 3 => {
            let cut = words[words.len() - 1 - rng.below(3)];
            let mut e = cut;
            while e > start + 1 && chars[e - 1].is_whitespace() {
                e -= 1;
            }
            (start, e)
        }
        // Stretch to the end of the next sentence in the turn.
        2 => {
            let stop = (end..turn_end)
                .find(|i| matches!(chars[*i], '.' | '!' | '?'))
                .map_or(turn_end, |i| i + 1);
            (start, stop.max(end))
        }
        // Stretch back to the start of the turn.
        _ => (turn_start.min(start), end),
    }
}

/// R2's codings of the double-coded documents, from R1's.
pub(crate) fn codings(
    documents: &[Document],
    first: &[Coding],
    codebook: &Codebook,
) -> Vec<Coding> {
    let mut out = Vec::new();
    for document in documents.iter().filter(|d| double_coded(&d.code)) {
        let mut rng = Rng::for_key(&format!("{SECOND_CODER}-{}", document.code));
        let chars: Vec<char> = document.body.as_str().chars().collect();
        for coding in first.iter().filter(|c| c.document == document.code) {
            let (start, end) = (coding.span.start(), coding.span.end());
            let Some(turn) = document.turns.iter().find(|t| t.span.contains(coding.span)) else {
                continue;
            };
            let turn = (turn.span.start(), turn.span.end());
            let roll = rng.below(100);
            let (code, span) = match roll {
                0..8 => continue,
                8..16 => (
                    sibling(codebook, &coding.code, &mut rng)
                        .unwrap_or_else(|| coding.code.clone()),
                    (start, end),
                ),
                16..34 => (
                    coding.code.clone(),
                    shifted(&chars, (start, end), turn, &mut rng),
                ),
                _ => (coding.code.clone(), (start, end)),
            };
            let mut add = |code: CodeKey, (s, e): (usize, usize)| {
                if let Ok(c) = Coding::new(
                    document,
                    codebook,
                    s,
                    e,
                    code,
                    SECOND_CODER,
                    CodingOrigin::PreApplied,
                ) {
                    out.push(c);
                }
            };
            add(code, span);
            if rng.chance(5)
                && let Some(extra) = sibling(codebook, &coding.code, &mut rng)
            {
                add(extra, (start, end));
            }
        }
    }
    out
}
