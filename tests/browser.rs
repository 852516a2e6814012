//! The workbench in a real headless Chromium, driven over WebDriver by
//! chromedriver (Debian's `chromium` and `chromium-driver`, which
//! scripts/test.sh installs): sign in, select a passage with accents and an
//! emoji, code it, reload, and find the coding on exactly those characters;
//! a viewer is refused the transcript.

mod support;

use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::browser::Browser;
use support::{Client, add_user, fresh_demo, serve};

/// Selects `[start, end)` (UTF-16 offsets of the document) the way a mouse
/// drag would, and returns the selected text.
const SELECT: &str = r#"
const [start, end] = arguments;
const segs = Array.from(document.querySelectorAll('#transcript .seg'));
function point(u, preferEnd) {
  for (const seg of segs) {
    const a = Number(seg.dataset.u), t = seg.firstChild;
    if (u > a && u < a + t.length) return [t, u - a];
    if (!preferEnd && u === a) return [t, 0];
    if (preferEnd && u === a + t.length) return [t, t.length];
  }
  return null;
}
const s = point(start, false), e = point(end, true);
const range = document.createRange();
range.setStart(s[0], s[1]);
range.setEnd(e[0], e[1]);
const selection = window.getSelection();
selection.removeAllRanges();
selection.addRange(range);
return selection.toString();
"#;

/// Finds a transcript passage holding an emoji and an accented letter:
/// `(document, start, end)` in Unicode scalars, and the passage.
fn passage_with_emoji(client: &Client) -> (String, usize, usize, String) {
    let list: Value =
        serde_json::from_str(&client.get("/api/v1/documents").body).unwrap_or_default();
    for doc in list.as_array().into_iter().flatten() {
        let code = doc["code"].as_str().unwrap_or_default();
        let full: Value =
            serde_json::from_str(&client.get(&format!("/api/v1/documents/{code}")).body)
                .unwrap_or_default();
        let chars: Vec<char> = full["text"].as_str().unwrap_or_default().chars().collect();
        let Some(emoji) = chars.iter().position(|c| (*c as u32) > 0xFFFF) else {
            continue;
        };
        let accented = |c: &char| "éèêàâçùûôîïÉÀ".contains(*c);
        let start = emoji.saturating_sub(25);
        let end = (emoji + 12).min(chars.len());
        if chars[start..end].iter().any(accented) && !chars[start..end].contains(&'\n') {
            let text: String = chars[start..end].iter().collect();
            return (code.to_owned(), start, end, text);
        }
    }
    panic!("the demo has no transcript line with an emoji and an accent")
}

#[test]
fn code_a_passage_with_accents_and_emoji_in_a_real_browser() {
    let (_root, dir) = fresh_demo();
    add_user(&dir, "codeuse-test", "coder", "mot de passe codeuse");
    add_user(&dir, "lecteur-test", "viewer", "mot de passe lecteur");
    let served = serve(&dir, &[]);
    let api = Client::signed_in(&served.base, "codeuse-test", "mot de passe codeuse");
    let (document, start, end, passage) = passage_with_emoji(&api);
    let full: Value = serde_json::from_str(&api.get(&format!("/api/v1/documents/{document}")).body)
        .unwrap_or_default();
    let text = full["text"].as_str().unwrap_or_default();
    let utf16 = |scalar: usize| {
        text.chars()
            .take(scalar)
            .map(char::len_utf16)
            .sum::<usize>()
    };

    let browser = Browser::start();
    browser.sign_in(&served.base, "codeuse-test", "mot de passe codeuse");
    browser.goto(&format!("{}/documents/{document}", served.base));
    let source = browser.page_source();
    assert!(
        source.contains("id=\"transcript\""),
        "not the transcript page: {source}"
    );
    let selected = browser.script(SELECT, json!([utf16(start), utf16(end)]));
    assert_eq!(
        selected.as_str(),
        Some(passage.as_str()),
        "the browser selected the passage"
    );
    let code = "push.economic.jobs";
    browser.click(&format!("#codes option[value='{code}']"));
    browser.click("#apply-button");

    // The page reloads with the new coding; wait for it.
    let started = Instant::now();
    let wanted = format!("data-start=\"{start}\" data-end=\"{end}\"");
    while !browser.page_source().contains(&wanted) {
        assert!(
            started.elapsed() < Duration::from_secs(20),
            "the coding never appeared"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    // Reload and read it back through the API: exactly the same characters.
    browser.goto(&format!("{}/documents/{document}", served.base));
    assert!(browser.page_source().contains(&wanted));
    let after: Value =
        serde_json::from_str(&api.get(&format!("/api/v1/documents/{document}")).body)
            .unwrap_or_default();
    let mine: Vec<&Value> = after["codings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["coder"] == "codeuse-test")
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0]["code"], code);
    assert_eq!(mine[0]["span"]["start"], start);
    assert_eq!(mine[0]["span"]["end"], end);
    assert_eq!(mine[0]["text"].as_str(), Some(passage.as_str()));

    // A viewer is refused the transcript.
    browser.call("DELETE", "/cookie", None);
    browser.sign_in(&served.base, "lecteur-test", "mot de passe lecteur");
    browser.goto(&format!("{}/documents/{document}", served.base));
    let refused = browser.page_source();
    assert!(
        refused.contains("your role does not allow this"),
        "{refused}"
    );
    assert!(!refused.contains(&passage));
}
