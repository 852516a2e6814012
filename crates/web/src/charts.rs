//! Small SVG charts drawn on the server: no script, no external asset,
//! printable, and allowed by the strict CSP (presentation attributes only).

use crate::error::escape_html;

/// One bar group: a label and `(value, target)` pairs, one per series.
pub struct BarRow {
    pub label: String,
    pub values: Vec<(u32, u32)>,
}

/// Room for a legend entry: swatch, gap and about 6.5 units per character.
fn legend_width(name: &str) -> u32 {
    30 + u32::try_from(name.chars().count()).unwrap_or(40) * 13 / 2
}

/// Horizontal bars of progress against targets: each series a bar whose
/// full length is its target and whose filled part is the value.
pub fn progress_bars(rows: &[BarRow], series: &[(&str, &str)]) -> String {
    let width = 560;
    let label_width = 150;
    let bar_height = 12;
    let row_height = bar_height * series.len() as u32 + 10;
    let legend_height = 20;
    let height = legend_height + row_height * rows.len() as u32 + 4;
    let max = rows
        .iter()
        .flat_map(|r| r.values.iter().map(|(v, t)| (*v).max(*t)))
        .max()
        .unwrap_or(1)
        .max(1);
    let scale = |n: u32| f64::from(n) * f64::from(width - label_width - 60) / f64::from(max);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" class="chart">"#
    );
    let mut x = label_width;
    for (name, colour) in series {
        svg.push_str(&format!(
            r#"<rect x="{x}" y="4" width="10" height="10" fill="{colour}"/><text x="{}" y="13" font-size="11">{}</text>"#,
            x + 14,
            escape_html(name)
        ));
        x += legend_width(name);
    }
    for (r, row) in rows.iter().enumerate() {
        let top = legend_height + r as u32 * row_height;
        svg.push_str(&format!(
            r#"<text x="0" y="{}" font-size="12">{}</text>"#,
            top + bar_height + 2,
            escape_html(&row.label)
        ));
        for (i, ((value, target), (_, colour))) in row.values.iter().zip(series).enumerate() {
            let y = top + i as u32 * bar_height;
            svg.push_str(&format!(
                r##"<rect x="{label_width}" y="{y}" width="{:.1}" height="{}" fill="none" stroke="#8a949b"/><rect x="{label_width}" y="{y}" width="{:.1}" height="{}" fill="{colour}"/><text x="{:.1}" y="{}" font-size="10">{value}/{target}</text>"##,
                scale(*target),
                bar_height - 2,
                scale(*value),
                bar_height - 2,
                f64::from(label_width) + scale((*value).max(*target)) + 4.0,
                y + bar_height - 3,
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

/// Stacked columns, one per period, one colour per series.
pub fn stacked_columns(labels: &[String], values: &[Vec<u32>], series: &[(&str, &str)]) -> String {
    let (width, height, bottom, top) = (560u32, 210u32, 30u32, 36u32);
    let max = values
        .iter()
        .map(|v| v.iter().sum::<u32>())
        .max()
        .unwrap_or(1)
        .max(1);
    let slot = f64::from(width) / labels.len().max(1) as f64;
    let scale = |n: u32| f64::from(n) * f64::from(height - bottom - top) / f64::from(max);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" class="chart">"#
    );
    let mut x = 0;
    for (name, colour) in series {
        svg.push_str(&format!(
            r#"<rect x="{x}" y="4" width="10" height="10" fill="{colour}"/><text x="{}" y="13" font-size="11">{}</text>"#,
            x + 14,
            escape_html(name)
        ));
        x += legend_width(name);
    }
    for (i, (label, stack)) in labels.iter().zip(values).enumerate() {
        let x = i as f64 * slot + slot * 0.15;
        let mut y = f64::from(height - bottom);
        for (value, (_, colour)) in stack.iter().zip(series) {
            let h = scale(*value);
            y -= h;
            if *value > 0 {
                svg.push_str(&format!(
                    r#"<rect x="{x:.1}" y="{y:.1}" width="{:.1}" height="{h:.1}" fill="{colour}"/>"#,
                    slot * 0.7
                ));
            }
        }
        let total: u32 = stack.iter().sum();
        svg.push_str(&format!(
            r#"<text x="{:.1}" y="{:.1}" font-size="10" text-anchor="middle">{total}</text><text x="{:.1}" y="{}" font-size="10" text-anchor="middle">{}</text>"#,
            x + slot * 0.35,
            y - 3.0,
            x + slot * 0.35,
            height - bottom + 14,
            escape_html(label)
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_escape_labels_and_scale() {
        let svg = progress_bars(
            &[BarRow {
                label: "<Diré>".into(),
                values: vec![(3, 6), (6, 6)],
            }],
            &[("women", "#c0392b"), ("men", "#2471a3")],
        );
        assert!(svg.contains("&lt;Diré&gt;") && !svg.contains("<Diré>"));
        assert!(svg.contains("3/6") && svg.contains("6/6"));
        let columns = stacked_columns(
            &["17-04".into(), "24-04".into()],
            &[vec![2, 1], vec![0, 0]],
            &[("a", "#000"), ("b", "#111")],
        );
        assert_eq!(
            columns.matches("<rect").count(),
            2 + 2,
            "legend + two non-empty parts"
        );
        assert!(columns.contains(">3</text>"));
    }
}
