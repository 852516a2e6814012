//! The printable pack a facilitator takes to a place's validation forum:
//! the findings for that place in plain language, a page per finding to
//! record the outcome by hand, a page for findings the forum adds, and an
//! attendance sheet by stakeholder group and gender. HTML with print page
//! breaks; the same input gives the same bytes.

use std::fmt::Write as _;

#[cfg(feature = "pdf")]
use chrono::Datelike;

use sankore_analysis::evidence::FindingOverview;
use sankore_domain::{Agreement, OutcomeKind, Session, StakeholderGroup};
use sankore_i18n::{Lang, Msg, agreement_msg, outcome_msg};

#[cfg(feature = "pdf")]
use crate::ReportError;

/// The pack's print styles, also served by the workbench as a stylesheet
/// (its content-security policy forbids inline styles).
pub const PACK_CSS: &str = "body{font-family:sans-serif;font-size:12pt;line-height:1.4;margin:1.5cm;color:#000}
h1{font-size:18pt}h2{font-size:15pt}
.page{page-break-after:always;break-after:page;margin-bottom:2em}
.page:last-child{page-break-after:auto;break-after:auto}
.box{display:inline-block;width:1em;height:1em;border:1px solid #000;margin-right:.4em;vertical-align:middle}
.lines{border-bottom:1px solid #000;height:2em}
table{border-collapse:collapse;width:100%}th,td{border:1px solid #000;padding:.4em;text-align:left}
td.blank{height:2em;width:15%}
.statement{font-size:14pt;font-weight:bold}
@media print{body{margin:0}a{color:#000;text-decoration:none}}
";

/// How the pack gets its styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stylesheet<'a> {
    /// In a `<style>` element: a file that prints on its own.
    Inline,
    /// A `<link>` to this address (served pages under a strict policy).
    Link(&'a str),
}

/// What a pack is made of.
#[derive(Debug, Clone, Copy)]
pub struct PackInput<'a> {
    /// The study's name.
    pub study: &'a str,
    /// Place code, such as `TBK`.
    pub place_code: &'a str,
    /// Place name, such as `Tombouctou`.
    pub place_name: &'a str,
    /// The place's forum session, when it is planned or held.
    pub forum: Option<&'a Session>,
    /// The findings to present (those for this place), in order.
    pub findings: &'a [FindingOverview],
    /// Stakeholder groups, in the study's order, for the attendance sheet.
    pub groups: &'a [StakeholderGroup],
}

use crate::escape_html as esc;

/// The outcomes and the levels of agreement a facilitator ticks.
fn tick_boxes() -> (Vec<Msg>, Vec<Msg>) {
    let outcomes = [
        OutcomeKind::Validated,
        OutcomeKind::Amended,
        OutcomeKind::Rejected,
    ]
    .into_iter()
    .map(outcome_msg)
    .collect();
    (
        outcomes,
        Agreement::ALL.iter().copied().map(agreement_msg).collect(),
    )
}

/// The line under the title: the study and the place's code.
fn study_line(input: &PackInput<'_>) -> String {
    format!("{} ({})", input.study, input.place_code)
}

/// The forum's date and facilitators, when it is planned or held.
fn forum_line(input: &PackInput<'_>, lang: Lang) -> Option<String> {
    input.forum.map(|forum| {
        format!(
            "{} : {} · {} : {}",
            Msg::Date.text(lang),
            forum.date,
            Msg::ForumFacilitators.text(lang),
            forum.facilitators.join(", ")
        )
    })
}

/// Who a finding was heard from: `Heard from: 12 participants · 10 sources · 3 cercles`.
fn heard_line(f: &FindingOverview, lang: Lang) -> String {
    format!(
        "{} : {} {} · {} {} · {} {}",
        Msg::PackHeardFrom.text(lang),
        f.strength.participants,
        Msg::Participants.text(lang).to_lowercase(),
        f.strength.sources,
        Msg::Sources.text(lang).to_lowercase(),
        f.strength.cercles,
        Msg::Cercles.text(lang).to_lowercase()
    )
}

/// Renders the pack as a complete HTML document in `lang`.
pub fn forum_pack(input: &PackInput<'_>, lang: Lang, style: Stylesheet<'_>) -> String {
    let t = |m: Msg| esc(m.text(lang));
    let mut out = String::new();
    let title = format!("{} — {}", t(Msg::PackTitle), esc(input.place_name));
    let _ = write!(
        out,
        "<!doctype html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n",
        lang.code()
    );
    match style {
        Stylesheet::Inline => {
            let _ = writeln!(out, "<style>\n{PACK_CSS}</style>");
        }
        Stylesheet::Link(href) => {
            let _ = writeln!(out, "<link rel=\"stylesheet\" href=\"{}\">", esc(href));
        }
    }
    out.push_str("</head>\n<body>\n");

    // Cover: the findings in plain language.
    let _ = writeln!(out, "<section class=\"page cover\">\n<h1>{title}</h1>");
    let _ = writeln!(out, "<p>{}</p>", esc(&study_line(input)));
    if let Some(line) = forum_line(input, lang) {
        let _ = writeln!(out, "<p>{}</p>", esc(&line));
    }
    let _ = writeln!(out, "<p>{}</p>\n<ol>", t(Msg::PackIntro));
    for f in input.findings {
        let _ = writeln!(out, "<li>{}</li>", esc(f.statement.get(lang)));
    }
    out.push_str("</ol>\n</section>\n");

    // A page per finding.
    let (outcomes, agreements) = tick_boxes();
    let boxes = |msgs: &[Msg]| {
        msgs.iter()
            .map(|m| format!("<span class=\"box\"></span>{} ", t(*m)))
            .collect::<String>()
    };
    for (n, f) in input.findings.iter().enumerate() {
        let _ = writeln!(
            out,
            "<section class=\"page finding\" data-finding=\"{}\">\n<h2>{} {}</h2>",
            esc(&f.key),
            t(Msg::Finding),
            n + 1
        );
        let _ = writeln!(
            out,
            "<p class=\"statement\">{}</p>",
            esc(f.statement.get(lang))
        );
        let _ = writeln!(
            out,
            "<p>{} {} : {}</p>",
            t(Msg::ResearchQuestion),
            f.research_question.number,
            esc(f.research_question.text.get(lang))
        );
        let _ = writeln!(out, "<p>{}</p>", esc(&heard_line(f, lang)));
        let _ = writeln!(
            out,
            "<h3>{} ({})</h3>\n<p>{}</p>",
            t(Msg::ForumOutcomes),
            t(Msg::PackTick),
            boxes(&outcomes)
        );
        let _ = writeln!(
            out,
            "<p>{} :</p><div class=\"lines\"></div><div class=\"lines\"></div>",
            t(Msg::NewWording)
        );
        let _ = writeln!(
            out,
            "<p>{} :</p><div class=\"lines\"></div><div class=\"lines\"></div>",
            t(Msg::Reasons)
        );
        let _ = writeln!(
            out,
            "<p>{} : {}</p>\n</section>",
            t(Msg::AgreementLevel),
            boxes(&agreements)
        );
    }

    // Findings the forum adds.
    let _ = writeln!(
        out,
        "<section class=\"page added\">\n<h2>{}</h2>",
        t(Msg::PackAdded)
    );
    for n in 1..=3 {
        let _ = writeln!(
            out,
            "<p>{n}.</p><div class=\"lines\"></div><div class=\"lines\"></div><p>{} : {}</p>",
            t(Msg::AgreementLevel),
            boxes(&agreements)
        );
    }
    out.push_str("</section>\n");

    // Attendance sheet by group and gender.
    let _ = writeln!(
        out,
        "<section class=\"page attendance\">\n<h2>{} — {}</h2>",
        t(Msg::AttendanceSheet),
        esc(input.place_name)
    );
    let _ = writeln!(
        out,
        "<table>\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
        t(Msg::Group),
        t(Msg::Women),
        t(Msg::Men),
        t(Msg::Total)
    );
    for g in input.groups {
        let _ = writeln!(
            out,
            "<tr data-group=\"{}\"><td>{}</td><td class=\"blank\"></td><td class=\"blank\"></td><td class=\"blank\"></td></tr>",
            esc(&g.key),
            esc(g.label.get(lang))
        );
    }
    let _ = writeln!(
        out,
        "<tr><th>{}</th><td class=\"blank\"></td><td class=\"blank\"></td><td class=\"blank\"></td></tr>\n</tbody>\n</table>",
        t(Msg::Total)
    );
    let _ = writeln!(
        out,
        "<p>{} :</p><div class=\"lines\"></div>\n</section>\n</body>\n</html>",
        t(Msg::Signature)
    );
    out
}

/// Typesets the pack as PDF in `lang`: the same pages as the HTML pack,
/// each section from a new page. The document carries no date and typst's
/// `today` is pinned to the forum's date (else 1 January 1970), so the same
/// input gives the same bytes.
#[cfg(feature = "pdf")]
pub fn forum_pack_pdf(input: &PackInput<'_>, lang: Lang) -> Result<Vec<u8>, ReportError> {
    let today = input.forum.map_or((1970, 1, 1), |f| {
        (
            f.date.year(),
            u8::try_from(f.date.month()).unwrap_or(1),
            u8::try_from(f.date.day()).unwrap_or(1),
        )
    });
    sankore_pdf::render(sankore_pdf::Job {
        source: forum_pack_typst(input, lang),
        files: Vec::new(),
        today,
    })
    .map_err(|e| ReportError::Render(e.to_string()))
}

/// The typst source of the pack.
#[cfg(feature = "pdf")]
fn forum_pack_typst(input: &PackInput<'_>, lang: Lang) -> String {
    use sankore_pdf::{escape as e, string as s};
    let t = |m: Msg| e(m.text(lang));
    let title = format!("{} — {}", Msg::PackTitle.text(lang), input.place_name);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "#set document(title: {}, date: none)
#set page(paper: \"a4\", margin: 1.8cm)
#set text(font: \"Libertinus Serif\", size: 12pt, lang: \"{}\")
#let tick = box(width: 0.9em, height: 0.9em, stroke: 0.6pt, baseline: 0.1em)
#let lines(n) = for _ in range(n) {{ v(1.5em); line(length: 100%, stroke: 0.5pt) }}
#set table(inset: 9pt, stroke: 0.6pt)

#text(18pt, weight: \"bold\")[{}]

{}
",
        s(&title),
        lang.code(),
        e(&title),
        e(&study_line(input))
    );
    if let Some(line) = forum_line(input, lang) {
        let _ = writeln!(out, "\n{}\n", e(&line));
    }
    let _ = writeln!(out, "\n{}\n", t(Msg::PackIntro));
    for f in input.findings {
        let _ = writeln!(out, "+ {}", e(f.statement.get(lang)));
    }
    let (outcomes, agreements) = tick_boxes();
    let boxes = |msgs: &[Msg]| {
        msgs.iter()
            .map(|m| format!("#tick {} #h(1em)", t(*m)))
            .collect::<String>()
    };
    for (n, f) in input.findings.iter().enumerate() {
        let _ = writeln!(
            out,
            "\n#pagebreak()\n\n#text(15pt, weight: \"bold\")[{} {}]\n\n#text(14pt, weight: \"bold\")[{}]\n\n{} {} : {}\n\n{}\n\n#text(weight: \"bold\")[{} ({})]\n\n{}\n\n{} : #lines(2)\n\n{} : #lines(2)\n\n{} : {}",
            t(Msg::Finding),
            n + 1,
            e(f.statement.get(lang)),
            t(Msg::ResearchQuestion),
            f.research_question.number,
            e(f.research_question.text.get(lang)),
            e(&heard_line(f, lang)),
            t(Msg::ForumOutcomes),
            t(Msg::PackTick),
            boxes(&outcomes),
            t(Msg::NewWording),
            t(Msg::Reasons),
            t(Msg::AgreementLevel),
            boxes(&agreements)
        );
    }
    let _ = writeln!(
        out,
        "\n#pagebreak()\n\n#text(15pt, weight: \"bold\")[{}]\n",
        t(Msg::PackAdded)
    );
    for n in 1..=3 {
        let _ = writeln!(
            out,
            "\n{n}. #lines(2)\n\n{} : {}\n",
            t(Msg::AgreementLevel),
            boxes(&agreements)
        );
    }
    let _ = writeln!(
        out,
        "\n#pagebreak()\n\n#text(15pt, weight: \"bold\")[{} — {}]\n\n#table(columns: (1fr, 15%, 15%, 15%), table.header([*{}*], [*{}*], [*{}*], [*{}*]),",
        t(Msg::AttendanceSheet),
        e(input.place_name),
        t(Msg::Group),
        t(Msg::Women),
        t(Msg::Men),
        t(Msg::Total)
    );
    for g in input.groups {
        let _ = writeln!(out, "  [{}], [], [], [],", e(g.label.get(lang)));
    }
    let _ = writeln!(
        out,
        "  [*{}*], [], [], [],\n)\n\n#v(1em)\n{} : #lines(1)",
        t(Msg::Total),
        t(Msg::Signature)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
