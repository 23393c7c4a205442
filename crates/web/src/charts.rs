//! Charts drawn on the server as SVG, so they work without JavaScript and print. Each is
//! an image with a title and a description naming the table beside it that holds the
//! same figures; colours are GOV.UK's and lines also differ by dash, not colour alone.

use frontdoor_domain::mi::Table;
use std::fmt::Write;

const COLOURS: [&str; 8] = [
    "#1d70b8", "#d4351c", "#00703c", "#4c2c92", "#f47738", "#505a5f", "#912b88", "#28a197",
];
const DASHES: [&str; 8] = [
    "", "6 3", "2 2", "8 3 2 3", "1 3", "10 4", "4 4", "12 2 2 2",
];
const TEXT: &str = "#0b0c0c";
const GRID: &str = "#b1b4b6";

/// Escapes text for SVG content and attributes.
fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn open_svg(id: &str, table: &Table, width: u32, height: u32) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="fd-chart" role="img" viewBox="0 0 {width} {height}" aria-labelledby="{id}-title {id}-desc" font-family="Arial, sans-serif" font-size="14"><title id="{id}-title">{title}</title><desc id="{id}-desc">Chart of the figures in the table “{title}” beside it.</desc>"#,
        title = esc(&table.caption),
    )
}

/// A round number just above `max`, so axes read 0, 250, 500 rather than 0, 237, 474.
fn nice_ceiling(max: f64) -> f64 {
    if max <= 0.0 {
        return 1.0;
    }
    let magnitude = 10f64.powf(max.log10().floor());
    [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .iter()
        .map(|step| step * magnitude)
        .find(|v| *v >= max)
        .unwrap_or(max)
}

fn short(n: f64) -> String {
    match n.abs() {
        v if v >= 1_000_000.0 => format!("{:.1}m", n / 1_000_000.0),
        v if v >= 10_000.0 => format!("{:.0}k", n / 1000.0),
        v if v >= 1000.0 => format!("{:.1}k", n / 1000.0),
        v if v.fract() == 0.0 => format!("{n:.0}"),
        _ => format!("{n:.1}"),
    }
}

/// Labels from one column and values from another.
fn column(table: &Table, label: usize, value: usize) -> Vec<(String, f64)> {
    table
        .rows
        .iter()
        .map(|row| {
            (
                row.get(label).map(|c| c.display()).unwrap_or_default(),
                row.get(value).and_then(|c| c.number()).unwrap_or(0.0),
            )
        })
        .collect()
}

/// Horizontal bars: one per row, for categories with long names (services, channels).
pub fn bars(id: &str, table: &Table, value: usize, limit: usize) -> String {
    let data: Vec<_> = column(table, 0, value).into_iter().take(limit).collect();
    let (label_w, bar_w, row_h) = (260.0, 380.0, 26.0);
    let height = (data.len() as f64 * row_h + 30.0) as u32;
    let top = nice_ceiling(data.iter().map(|d| d.1).fold(0.0, f64::max));
    let mut svg = open_svg(id, table, 720, height.max(60));
    for (i, (label, v)) in data.iter().enumerate() {
        let y = i as f64 * row_h + 6.0;
        let w = v / top * bar_w;
        let _ = write!(
            svg,
            r#"<text x="{lx}" y="{ty}" text-anchor="end" fill="{TEXT}">{label}</text><rect x="{label_w}" y="{y}" width="{w:.1}" height="18" fill="{c}"/><text x="{vx:.1}" y="{ty}" fill="{TEXT}">{value}</text>"#,
            lx = label_w - 8.0,
            ty = y + 14.0,
            label = esc(&truncate(label, 34)),
            c = COLOURS[0],
            vx = label_w + w + 6.0,
            value = esc(&short(*v)),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// "December 2025" as "Dec 25" and "September" as "Sep", so a year of months fits
/// along the axis.
fn axis_label(label: &str) -> String {
    match label.split_once(' ') {
        Some((month, year)) if year.len() == 4 && year.chars().all(|c| c.is_ascii_digit()) => {
            format!(
                "{} {}",
                month.chars().take(3).collect::<String>(),
                &year[2..]
            )
        }
        // A month or day name alone: its first three letters.
        _ if label.len() > 5 && label.chars().all(|c| c.is_ascii_alphabetic()) => {
            label.chars().take(3).collect()
        }
        _ => truncate(label, 9),
    }
}

fn truncate(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let cut: String = text.chars().take(max - 1).collect();
    format!("{cut}…")
}

/// Vertical columns: hours of the day, days of the week, age bands.
pub fn columns(id: &str, table: &Table, value: usize) -> String {
    let data = column(table, 0, value);
    let (left, bottom, plot_w, plot_h) = (56.0, 250.0, 640.0, 220.0);
    let top = nice_ceiling(data.iter().map(|d| d.1).fold(0.0, f64::max));
    let mut svg = open_svg(id, table, 720, 300);
    axis(&mut svg, left, bottom, plot_w, plot_h, top);
    let slot = plot_w / data.len().max(1) as f64;
    let every = (data.len() / 12).max(1);
    for (i, (label, v)) in data.iter().enumerate() {
        let h = v / top * plot_h;
        let x = left + i as f64 * slot;
        let _ = write!(
            svg,
            r#"<rect x="{x:.1}" y="{y:.1}" width="{w:.1}" height="{h:.1}" fill="{c}"><title>{t}: {value}</title></rect>"#,
            y = bottom - h,
            w = slot * 0.8,
            c = COLOURS[0],
            t = esc(label),
            value = esc(&short(*v)),
        );
        if i % every == 0 {
            let _ = write!(
                svg,
                r#"<text x="{cx:.1}" y="{ly}" text-anchor="middle" fill="{TEXT}" font-size="12">{l}</text>"#,
                cx = x + slot * 0.4,
                ly = bottom + 18.0,
                l = esc(&truncate(label, 12)),
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

fn axis(svg: &mut String, left: f64, bottom: f64, width: f64, height: f64, top: f64) {
    for step in 0..=4 {
        let v = top * step as f64 / 4.0;
        let y = bottom - height * step as f64 / 4.0;
        let _ = write!(
            svg,
            r#"<line x1="{left}" x2="{r}" y1="{y:.1}" y2="{y:.1}" stroke="{GRID}" stroke-width="1"/><text x="{tx}" y="{ty:.1}" text-anchor="end" fill="{TEXT}" font-size="12">{v}</text>"#,
            r = left + width,
            tx = left - 6.0,
            ty = y + 4.0,
            v = esc(&short(v)),
        );
    }
}

/// Lines over time: one per chosen column, with a legend.
pub fn lines(id: &str, table: &Table, series: &[usize]) -> String {
    let (left, bottom, plot_w, plot_h) = (56.0, 250.0, 640.0, 220.0);
    let labels: Vec<String> = table.rows.iter().map(|r| r[0].display()).collect();
    let max = series
        .iter()
        .flat_map(|s| table.rows.iter().filter_map(|r| r.get(*s)?.number()))
        .fold(0.0, f64::max);
    let top = nice_ceiling(max);
    let legend_h = 22.0 * series.len() as f64;
    let mut svg = open_svg(id, table, 720, (300.0 + legend_h) as u32);
    axis(&mut svg, left, bottom, plot_w, plot_h, top);
    let step = plot_w / (labels.len().max(2) - 1) as f64;
    let x_of = |i: usize| left + i as f64 * step;
    let every = (labels.len() / 8).max(1);
    for (i, label) in labels.iter().enumerate().filter(|(i, _)| i % every == 0) {
        let _ = write!(
            svg,
            r#"<text x="{x:.1}" y="{y}" text-anchor="middle" fill="{TEXT}" font-size="12">{l}</text>"#,
            x = x_of(i),
            y = bottom + 18.0,
            l = esc(&axis_label(label)),
        );
    }
    for (n, col) in series.iter().enumerate() {
        let (colour, dash) = (COLOURS[n % COLOURS.len()], DASHES[n % DASHES.len()]);
        let mut path = String::new();
        for (i, row) in table.rows.iter().enumerate() {
            match row.get(*col).and_then(|c| c.number()) {
                Some(v) => {
                    let cmd = if path.is_empty() || path.ends_with(' ') {
                        'M'
                    } else {
                        'L'
                    };
                    let _ = write!(path, "{cmd}{:.1},{:.1}", x_of(i), bottom - v / top * plot_h);
                }
                // A gap (no data that month) breaks the line rather than drawing zero.
                None => path.push(' '),
            }
        }
        let name = table.headers.get(*col).map(String::as_str).unwrap_or("");
        let ly = bottom + 40.0 + n as f64 * 22.0;
        let _ = write!(
            svg,
            r#"<path d="{path}" fill="none" stroke="{colour}" stroke-width="2.5" stroke-dasharray="{dash}"/><line x1="{left}" x2="{lx2}" y1="{ly}" y2="{ly}" stroke="{colour}" stroke-width="3" stroke-dasharray="{dash}"/><text x="{tx}" y="{ty}" fill="{TEXT}">{name}</text>"#,
            path = path.trim(),
            lx2 = left + 36.0,
            tx = left + 44.0,
            ty = ly + 5.0,
            name = esc(name),
        );
    }
    svg.push_str("</svg>");
    svg
}

/// A grid of cells shaded by value: rows are the first column, columns the rest.
pub fn heat(id: &str, table: &Table) -> String {
    let (left, top_y, cell_w, cell_h) = (96.0, 24.0, 25.0, 26.0);
    let max = table
        .rows
        .iter()
        .flat_map(|r| r.iter().skip(1).filter_map(|c| c.number()))
        .fold(0.0, f64::max)
        .max(1.0);
    let height = top_y + cell_h * table.rows.len() as f64 + 8.0;
    let mut svg = open_svg(id, table, 720, height as u32);
    for (c, header) in table.headers.iter().skip(1).enumerate() {
        let _ = write!(
            svg,
            r#"<text x="{x:.1}" y="16" text-anchor="middle" fill="{TEXT}" font-size="11">{h}</text>"#,
            x = left + c as f64 * cell_w + cell_w / 2.0,
            h = esc(header),
        );
    }
    for (r, row) in table.rows.iter().enumerate() {
        let y = top_y + r as f64 * cell_h;
        let day = row.first().map(|c| c.display()).unwrap_or_default();
        let _ = write!(
            svg,
            r#"<text x="{x}" y="{ty:.1}" text-anchor="end" fill="{TEXT}" font-size="12">{d}</text>"#,
            x = left - 6.0,
            ty = y + 17.0,
            d = esc(&day),
        );
        for (c, cell) in row.iter().skip(1).enumerate() {
            let v = cell.number().unwrap_or(0.0);
            let _ = write!(
                svg,
                r##"<rect x="{x:.1}" y="{y:.1}" width="{w}" height="{h}" fill="{fill}" stroke="#ffffff"><title>{d} {hour}:00: {value}</title></rect>"##,
                x = left + c as f64 * cell_w,
                w = cell_w,
                h = cell_h,
                fill = shade(v / max),
                hour = esc(table.headers.get(c + 1).map(String::as_str).unwrap_or("")),
                d = esc(&day),
                value = esc(&cell.display()),
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// From near-white to GOV.UK dark blue (#003078) as the share of the maximum rises.
fn shade(share: f64) -> String {
    let share = share.clamp(0.0, 1.0);
    let mix = |light: f64, dark: f64| (light + (dark - light) * share).round() as u8;
    format!(
        "#{:02x}{:02x}{:02x}",
        mix(243.0, 0.0),
        mix(242.0, 48.0),
        mix(241.0, 120.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use frontdoor_domain::mi::Cell;

    fn table() -> Table {
        Table {
            id: "t",
            caption: "Contacts <by> channel".into(),
            headers: vec!["Channel".into(), "Contacts".into()],
            rows: vec![
                vec![Cell::Text("Phone & text".into()), Cell::Count(750)],
                vec![Cell::Text("Web".into()), Cell::Count(250)],
            ],
        }
    }

    #[test]
    fn charts_are_labelled_images_with_escaped_text() {
        for svg in [
            bars("a", &table(), 1, 20),
            columns("b", &table(), 1),
            lines("c", &table(), &[1]),
            heat("d", &table()),
        ] {
            assert!(svg.starts_with("<svg"), "{svg}");
            assert!(svg.contains(r#"role="img""#));
            assert!(svg.contains("<title id="));
            assert!(svg.contains("Contacts &lt;by&gt; channel"));
            assert!(!svg.contains("<by>"));
            assert!(svg.ends_with("</svg>"));
        }
    }

    #[test]
    fn bar_lengths_are_proportional_to_the_values() {
        let svg = bars("a", &table(), 1, 20);
        // 750 on an axis to 800 over 380 px, and 250 likewise.
        assert!(svg.contains(r#"width="356.2""#), "{svg}");
        assert!(svg.contains(r#"width="118.8""#), "{svg}");
        assert!(svg.contains("Phone &amp; text"));
    }

    #[test]
    fn axes_end_on_round_numbers() {
        assert_eq!(nice_ceiling(237.0), 250.0);
        assert_eq!(nice_ceiling(1234.0), 1500.0);
        assert_eq!(nice_ceiling(12_100.0), 15_000.0);
        assert_eq!(axis_label("December 2025"), "Dec 25");
        assert_eq!(axis_label("September"), "Sep");
        assert_eq!(axis_label("May"), "May");
        assert_eq!(nice_ceiling(0.0), 1.0);
        assert_eq!(shade(0.0), "#f3f2f1");
        assert_eq!(shade(1.0), "#003078");
    }
}
