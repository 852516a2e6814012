//! Typed transcripts (`SPEAKER: text` lines): any text gives turns that lie
//! inside the body, in order, or an error naming the line, never a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sankore_formats::transcript::parse;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(parsed) = parse(text) {
        let len = parsed.body.char_len();
        let mut previous_end = 0;
        for turn in &parsed.turns {
            assert!(turn.span.start() < turn.span.end(), "empty turn");
            assert!(turn.span.end() <= len, "turn past the end");
            assert!(turn.span.start() >= previous_end, "turns overlap");
            previous_end = turn.span.end();
        }
    }
});
