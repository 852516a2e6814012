//! The printable pack a facilitator takes to a place's validation forum:
//! the findings for that place in plain language, a page per finding to
//! record the outcome by hand, a page for findings the forum adds, and an
//! attendance sheet by stakeholder group and gender. HTML with print page
//! breaks; the same input gives the same bytes.

use std::fmt::Write as _;

use sankore_analysis::evidence::FindingOverview;
use sankore_domain::{Agreement, OutcomeKind, Session, StakeholderGroup};
use sankore_i18n::{Lang, Msg, agreement_msg, outcome_msg};

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
    let _ = writeln!(
        out,
        "<p>{} ({})</p>",
        esc(input.study),
        esc(input.place_code)
    );
    if let Some(forum) = input.forum {
        let _ = writeln!(
            out,
            "<p>{} : {} · {} : {}</p>",
            t(Msg::Date),
            forum.date,
            t(Msg::ForumFacilitators),
            esc(&forum.facilitators.join(", "))
        );
    }
    let _ = writeln!(out, "<p>{}</p>\n<ol>", t(Msg::PackIntro));
    for f in input.findings {
        let _ = writeln!(out, "<li>{}</li>", esc(f.statement.get(lang)));
    }
    out.push_str("</ol>\n</section>\n");

    // A page per finding.
    let outcomes: Vec<Msg> = [
        OutcomeKind::Validated,
        OutcomeKind::Amended,
        OutcomeKind::Rejected,
    ]
    .into_iter()
    .map(outcome_msg)
    .collect();
    let agreements: Vec<Msg> = Agreement::ALL.iter().copied().map(agreement_msg).collect();
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
        let _ = writeln!(
            out,
            "<p>{} : {} {} · {} {} · {} {}</p>",
            t(Msg::PackHeardFrom),
            f.strength.participants,
            t(Msg::Participants).to_lowercase(),
            f.strength.sources,
            t(Msg::Sources).to_lowercase(),
            f.strength.cercles,
            t(Msg::Cercles).to_lowercase()
        );
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
