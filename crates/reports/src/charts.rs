//! Small SVG charts drawn on the server: no script, no external asset,
//! printable, and allowed by the strict CSP (presentation attributes only).

use crate::escape_html;

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

/// One line of a line chart: a name, a colour and a value per step.
pub struct Line {
    pub name: String,
    pub colour: &'static str,
    pub values: Vec<u32>,
}

/// Colours for series without colours of their own (distinct on paper).
pub const PALETTE: [&str; 8] = [
    "#1f4e79", "#c0392b", "#2e7d32", "#8e44ad", "#d35400", "#00838f", "#6d4c41", "#7f8c8d",
];

/// Lines over successive steps (x: step number from 1, y: value), with a
/// legend and the last value of each line at its end.
pub fn line_chart(lines: &[Line], x_label: &str) -> String {
    let (width, height, left, right, top, bottom) = (560u32, 260u32, 34u32, 40u32, 36u32, 30u32);
    let steps = lines
        .iter()
        .map(|l| l.values.len())
        .max()
        .unwrap_or(0)
        .max(2);
    let max = lines
        .iter()
        .flat_map(|l| l.values.iter().copied())
        .max()
        .unwrap_or(1)
        .max(1);
    let plot_w = f64::from(width - left - right);
    let plot_h = f64::from(height - top - bottom);
    let x_of = |i: usize| f64::from(left) + i as f64 * plot_w / (steps - 1) as f64;
    let y_of = |v: u32| f64::from(height - bottom) - f64::from(v) * plot_h / f64::from(max);
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" class="chart">"#
    );
    let mut x = left;
    for line in lines {
        svg.push_str(&format!(
            r#"<rect x="{x}" y="4" width="10" height="10" fill="{}"/><text x="{}" y="13" font-size="11">{}</text>"#,
            line.colour,
            x + 14,
            escape_html(&line.name)
        ));
        x += legend_width(&line.name);
    }
    svg.push_str(&format!(
        r##"<line x1="{left}" y1="{top}" x2="{left}" y2="{b}" stroke="#8a949b"/><line x1="{left}" y1="{b}" x2="{r}" y2="{b}" stroke="#8a949b"/><text x="{}" y="{}" font-size="10" text-anchor="end">{max}</text><text x="{}" y="{b}" font-size="10" text-anchor="end">0</text><text x="{:.1}" y="{}" font-size="10" text-anchor="middle">{}</text>"##,
        left - 4,
        top + 4,
        left - 4,
        f64::from(left) + plot_w / 2.0,
        height - 8,
        escape_html(x_label),
        b = height - bottom,
        r = width - right,
    ));
    for line in lines {
        let points: Vec<String> = line
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", x_of(i), y_of(*v)))
            .collect();
        svg.push_str(&format!(
            r#"<polyline points="{}" fill="none" stroke="{}" stroke-width="2"/>"#,
            points.join(" "),
            line.colour
        ));
        if let Some(last) = line.values.last() {
            svg.push_str(&format!(
                r#"<text x="{:.1}" y="{:.1}" font-size="10">{last}</text>"#,
                x_of(line.values.len() - 1) + 4.0,
                y_of(*last) + 3.0
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

/// One group of horizontal bars: a label and one value per series, `None`
/// for a value withheld by disclosure control (drawn as a hatched stub with
/// `hidden` as its label, never at its size).
pub struct GroupRow {
    pub label: String,
    pub values: Vec<Option<u32>>,
}

/// Horizontal grouped bars, one group per row, one colour per series.
pub fn grouped_bars(rows: &[GroupRow], series: &[(&str, &str)], hidden: &str) -> String {
    let (width, label_width, bar) = (560u32, 190u32, 9u32);
    let row_height = bar * series.len() as u32 + 12;
    let legend_height = 22;
    let height = legend_height + row_height * rows.len() as u32 + 4;
    let max = rows
        .iter()
        .flat_map(|r| r.values.iter().flatten().copied())
        .max()
        .unwrap_or(1)
        .max(1);
    let scale = |n: u32| f64::from(n) * f64::from(width - label_width - 40) / f64::from(max);
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" class="chart"><defs><pattern id="hatch" width="4" height="4" patternUnits="userSpaceOnUse"><path d="M0,4 L4,0" stroke="#8a949b" stroke-width="1"/></pattern></defs>"##
    );
    let mut x = 0;
    for (name, colour) in series {
        svg.push_str(&format!(
            r#"<rect x="{x}" y="4" width="10" height="10" fill="{colour}"/><text x="{}" y="13" font-size="10">{}</text>"#,
            x + 14,
            escape_html(name)
        ));
        x += legend_width(name);
    }
    for (r, row) in rows.iter().enumerate() {
        let top = legend_height + r as u32 * row_height;
        let label: String = row.label.chars().take(34).collect();
        let label = if label.len() < row.label.len() {
            format!("{label}…")
        } else {
            label
        };
        svg.push_str(&format!(
            r#"<text x="0" y="{}" font-size="10">{}</text>"#,
            top + row_height / 2,
            escape_html(&label)
        ));
        for (i, (value, (_, colour))) in row.values.iter().zip(series).enumerate() {
            let y = top + i as u32 * bar;
            match value {
                Some(v) => svg.push_str(&format!(
                    r#"<rect x="{label_width}" y="{y}" width="{:.1}" height="{}" fill="{colour}"/><text x="{:.1}" y="{}" font-size="8">{v}</text>"#,
                    scale(*v),
                    bar - 1,
                    f64::from(label_width) + scale(*v) + 3.0,
                    y + bar - 2,
                )),
                None => svg.push_str(&format!(
                    r##"<rect x="{label_width}" y="{y}" width="12" height="{}" fill="url(#hatch)" stroke="#8a949b" stroke-width="0.5"/><text x="{}" y="{}" font-size="8">{}</text>"##,
                    bar - 1,
                    label_width + 15,
                    y + bar - 2,
                    escape_html(hidden)
                )),
            }
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A place on the map: a name, its chef-lieu's coordinates and the
/// aggregate that sizes its symbol (`None`: withheld).
pub struct MapPlace {
    pub name: String,
    pub lat: f64,
    pub lon: f64,
    pub value: Option<u32>,
}

/// Longitude/latitude extent of the map, with a margin.
fn extent(points: impl Iterator<Item = (f64, f64)>) -> (f64, f64, f64, f64) {
    let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
    for (lon, lat) in points {
        x0 = x0.min(lon);
        x1 = x1.max(lon);
        y0 = y0.min(lat);
        y1 = y1.max(lat);
    }
    if x0 > x1 {
        return (0.0, 0.0, 1.0, 1.0);
    }
    let margin = ((x1 - x0).max(y1 - y0) * 0.15).max(0.3);
    (x0 - margin, y0 - margin, x1 + margin, y1 + margin)
}

/// The outer rings of a GeoJSON geometry's polygons, as `(lon, lat)`.
fn rings(geometry: &serde_json::Value) -> Vec<Vec<(f64, f64)>> {
    let ring = |r: &serde_json::Value| -> Vec<(f64, f64)> {
        r.as_array()
            .map(|pts| {
                pts.iter()
                    .filter_map(|p| Some((p.get(0)?.as_f64()?, p.get(1)?.as_f64()?)))
                    .collect()
            })
            .unwrap_or_default()
    };
    let coords = &geometry["coordinates"];
    match geometry["type"].as_str() {
        Some("Polygon") => coords
            .as_array()
            .and_then(|r| r.first())
            .map(|r| vec![ring(r)])
            .unwrap_or_default(),
        Some("MultiPolygon") => coords
            .as_array()
            .map(|polys| {
                polys
                    .iter()
                    .filter_map(|p| p.as_array()?.first().map(ring))
                    .collect()
            })
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// A map of places: each chef-lieu a circle whose area follows its value,
/// over the polygons of `areas` (a GeoJSON FeatureCollection) when given.
/// Only area aggregates are drawn, never a participant's location.
pub fn place_map(places: &[MapPlace], areas: Option<&serde_json::Value>, hidden: &str) -> String {
    let (width, height) = (560.0_f64, 360.0_f64);
    let polygons: Vec<Vec<(f64, f64)>> = areas
        .and_then(|a| a["features"].as_array())
        .map(|features| {
            features
                .iter()
                .flat_map(|f| rings(&f["geometry"]))
                .collect()
        })
        .unwrap_or_default();
    let (x0, y0, x1, y1) = extent(
        places
            .iter()
            .map(|p| (p.lon, p.lat))
            .chain(polygons.iter().flatten().copied()),
    );
    // Equirectangular, corrected for latitude, fitted to the frame.
    let lat_mid = ((y0 + y1) / 2.0).to_radians().cos().max(0.1);
    let sx = width / ((x1 - x0) * lat_mid);
    let sy = height / (y1 - y0);
    let s = sx.min(sy);
    let px = |lon: f64| (lon - x0) * lat_mid * s;
    let py = |lat: f64| (y1 - lat) * s;
    let mut svg = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="100%" role="img" class="chart map"><rect width="{width}" height="{height}" fill="#f4f1ea"/>"##
    );
    for ring in &polygons {
        let points: Vec<String> = ring
            .iter()
            .map(|(lon, lat)| format!("{:.1},{:.1}", px(*lon), py(*lat)))
            .collect();
        svg.push_str(&format!(
            r##"<polygon points="{}" fill="#e3ddd0" stroke="#8a7f6a" stroke-width="0.8"/>"##,
            points.join(" ")
        ));
    }
    let max = places
        .iter()
        .filter_map(|p| p.value)
        .max()
        .unwrap_or(1)
        .max(1);
    for p in places {
        let (x, y) = (px(p.lon), py(p.lat));
        let (r, fill, label) = match p.value {
            Some(v) => (
                4.0 + 26.0 * (f64::from(v) / f64::from(max)).sqrt(),
                "#1f6f8b",
                v.to_string(),
            ),
            None => (4.0, "#8a949b", hidden.to_owned()),
        };
        svg.push_str(&format!(
            r##"<circle cx="{x:.1}" cy="{y:.1}" r="{r:.1}" fill="{fill}" fill-opacity="0.75" stroke="#ffffff"/><text x="{x:.1}" y="{:.1}" font-size="11" text-anchor="middle">{}</text><text x="{x:.1}" y="{:.1}" font-size="9" text-anchor="middle">{}</text>"##,
            y - r - 4.0,
            escape_html(&p.name),
            y + r + 11.0,
            escape_html(&label)
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

    #[test]
    fn line_chart_draws_one_polyline_per_line() {
        let svg = line_chart(
            &[
                Line {
                    name: "<all>".into(),
                    colour: PALETTE[0],
                    values: vec![3, 5, 6],
                },
                Line {
                    name: "women".into(),
                    colour: PALETTE[1],
                    values: vec![2],
                },
            ],
            "interviews",
        );
        assert_eq!(svg.matches("<polyline").count(), 2);
        assert!(svg.contains("&lt;all&gt;") && !svg.contains("<all>"));
        assert!(svg.contains(">6</text>") && svg.contains("34.0,133.0"));
    }

    #[test]
    fn withheld_values_are_drawn_as_markers_not_at_their_size() {
        let svg = super::grouped_bars(
            &[super::GroupRow {
                label: "Jobs".into(),
                values: vec![Some(12), None],
            }],
            &[("A", "#000"), ("B", "#111")],
            "withheld",
        );
        assert!(svg.contains(">12<") && svg.contains(">withheld<"));
        let map = super::place_map(
            &[
                super::MapPlace {
                    name: "Diré".into(),
                    lat: 16.27,
                    lon: -3.4,
                    value: Some(54),
                },
                super::MapPlace {
                    name: "Goundam".into(),
                    lat: 16.42,
                    lon: -3.67,
                    value: None,
                },
            ],
            None,
            "withheld",
        );
        assert!(map.contains(">54<") && map.contains(">withheld<"));
        assert_eq!(map.matches("<circle").count(), 2);
    }
}
