//! The report as one HTML file: styles inline, charts as inline SVG, no script and no address
//! to fetch, so it opens the same anywhere, offline.

use std::fmt::Write as _;

use super::{Bars, Report, Section, Table};
use crate::format::{count, percent, thousands};
use crate::workspace::overview::Overview;

const STYLE: &str = "
body { font-family: system-ui, -apple-system, 'Segoe UI', Ubuntu, sans-serif; color: #1d2433;
  background: #f7f7f5; margin: 0; }
main { max-width: 980px; margin: 0 auto; padding: 32px 40px 48px; background: #fff; }
h1 { font-size: 30px; margin: 0 0 4px; color: #1f5e63; }
h2 { font-size: 22px; margin: 36px 0 8px; border-bottom: 2px solid #e3e7ea; padding-bottom: 4px; }
h3 { font-size: 15px; margin: 18px 0 6px; color: #4a5563; }
p { line-height: 1.5; margin: 6px 0; }
.muted { color: #6b7480; }
.headline { font-size: 19px; font-weight: 600; }
.cards { display: flex; flex-wrap: wrap; gap: 12px; margin: 16px 0; }
.card { border: 1px solid #dde2e6; border-radius: 8px; padding: 10px 14px; min-width: 120px; }
.card .title { color: #6b7480; font-size: 13px; }
.card .value { font-size: 26px; font-weight: 600; }
.card .note { color: #6b7480; font-size: 12px; }
table { border-collapse: collapse; margin: 10px 0 14px; font-size: 14px; }
th, td { text-align: left; padding: 4px 14px 4px 0; border-bottom: 1px solid #eceff1; }
th { color: #4a5563; }
td.num, th.num { text-align: right; }
svg text { font-family: inherit; font-size: 12px; fill: #4a5563; }
footer { margin-top: 40px; font-size: 12px; color: #6b7480; }
";

/// Colours of bars.
const BAR: &str = "#2a7ab8";
const LINE: &str = "#2e9e44";

/// `text` safe inside HTML text and attributes.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if c.is_control() => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

/// The whole report as HTML.
pub fn render(r: &Report) -> String {
    let mut h = String::new();
    let _ = write!(
        h,
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>Tailor report: {db}</title><style>{STYLE}</style></head><body><main>\
         <h1>Tailor report</h1><p class=\"muted\">{db} · made {made}</p>",
        db = escape(&r.database),
        made = escape(&r.made)
    );
    overview(&mut h, &r.overview, r);
    for s in &r.sections {
        section(&mut h, s);
    }
    h.push_str(
        "<footer>Made with Tailor, offline, from the database's latest stored results. It holds \
         no personal data: counts, shares, amounts and group names only.</footer>\
         </main></body></html>\n",
    );
    h
}

fn overview(h: &mut String, o: &Overview, r: &Report) {
    h.push_str("<h2>Overview</h2><div class=\"cards\">");
    let mut cards = vec![("Customers", thousands(o.customers), String::new())];
    if let Some(active) = o.active_customers {
        let note = format!(
            "{} bought in the last {} days",
            percent(active as f64 / o.customers.max(1) as f64),
            crate::workspace::overview::ACTIVE_DAYS
        );
        cards.push(("Active customers", thousands(active), note));
    }
    if let Some(orders) = o.orders {
        cards.push(("Orders", thousands(orders), String::new()));
    }
    if let Some((revenue, what)) = &o.revenue {
        cards.push(("Revenue", r.money.compact(*revenue), what.clone()));
    }
    if let Some((first, last)) = &o.period {
        let months = count(o.months.len() as u64, "month", "months");
        cards.push(("Period", months, format!("{first} to {last}")));
    }
    if o.products > 0 {
        cards.push(("Products", thousands(o.products), String::new()));
    }
    for (title, value, note) in cards {
        let _ = write!(
            h,
            "<div class=\"card\"><div class=\"title\">{}</div><div class=\"value\">{}</div>\
             <div class=\"note\">{}</div></div>",
            escape(title),
            escape(&value),
            escape(&note)
        );
    }
    h.push_str("</div>");
    if o.months.is_empty() {
        return;
    }
    let _ = write!(
        h,
        "<h3>{}</h3>",
        escape(&r.money.titled("Revenue by month"))
    );
    let revenue: Vec<f64> = o.months.iter().map(|m| m.revenue).collect();
    let labels: Vec<&str> = o.months.iter().map(|m| m.month.as_str()).collect();
    month_chart(h, &labels, &revenue, false, |v| r.money.compact(v));
    h.push_str("<h3>Active customers by month</h3>");
    let active: Vec<f64> = o.months.iter().map(|m| m.active as f64).collect();
    month_chart(h, &labels, &active, true, |v| {
        thousands(v.round().max(0.0) as u64)
    });
}

/// Values by month as bars (or a line), with the first, middle and last month named.
fn month_chart(
    h: &mut String,
    labels: &[&str],
    values: &[f64],
    line: bool,
    show: impl Fn(f64) -> String,
) {
    let (w, ht, left, bottom) = (880.0, 200.0, 70.0, 24.0);
    let max = values.iter().copied().fold(0.0_f64, f64::max).max(1e-9);
    let n = values.len().max(1) as f64;
    let step = (w - left) / n;
    let y = |v: f64| (ht - bottom) - (v.max(0.0) / max) * (ht - bottom - 10.0);
    let _ = write!(
        h,
        "<svg width=\"{w}\" height=\"{ht}\" viewBox=\"0 0 {w} {ht}\" role=\"img\">\
         <line x1=\"{left}\" y1=\"{b}\" x2=\"{w}\" y2=\"{b}\" stroke=\"#c8ced3\"/>\
         <text x=\"{tx}\" y=\"14\" text-anchor=\"end\">{top}</text>\
         <text x=\"{tx}\" y=\"{b}\" text-anchor=\"end\">0</text>",
        b = ht - bottom,
        tx = left - 6.0,
        top = escape(&show(max))
    );
    if line {
        let points: Vec<String> = values
            .iter()
            .enumerate()
            .map(|(i, v)| format!("{:.1},{:.1}", left + step * (i as f64 + 0.5), y(*v)))
            .collect();
        let _ = write!(
            h,
            "<polyline fill=\"none\" stroke=\"{LINE}\" stroke-width=\"2.5\" points=\"{}\"/>",
            points.join(" ")
        );
    } else {
        for (i, v) in values.iter().enumerate() {
            let top = y(*v);
            let _ = write!(
                h,
                "<rect x=\"{:.1}\" y=\"{top:.1}\" width=\"{:.1}\" height=\"{:.1}\" fill=\"{BAR}\">\
                 <title>{}: {}</title></rect>",
                left + step * i as f64 + step * 0.1,
                step * 0.8,
                (ht - bottom - top).max(0.0),
                escape(labels.get(i).copied().unwrap_or_default()),
                escape(&show(*v))
            );
        }
    }
    let last = labels.len().saturating_sub(1);
    for (i, anchor) in [(0, "start"), (labels.len() / 2, "middle"), (last, "end")] {
        if let Some(label) = labels.get(i) {
            let x = match anchor {
                "start" => left + step * i as f64,
                "end" => left + step * (i as f64 + 1.0),
                _ => left + step * (i as f64 + 0.5),
            };
            let _ = write!(
                h,
                "<text x=\"{x:.1}\" y=\"{:.1}\" text-anchor=\"{anchor}\">{}</text>",
                ht - 6.0,
                escape(label)
            );
        }
    }
    h.push_str("</svg>");
}

fn section(h: &mut String, s: &Section) {
    let _ = write!(h, "<h2>{}</h2>", escape(&s.heading));
    if let Some(headline) = &s.headline {
        let _ = write!(h, "<p class=\"headline\">{}</p>", escape(headline));
    }
    for line in &s.lines {
        let class = if s.headline.is_none() {
            " class=\"muted\""
        } else {
            ""
        };
        let _ = write!(h, "<p{class}>{}</p>", escape(line));
    }
    for chart in &s.charts {
        bars(h, chart);
    }
    for t in &s.tables {
        table(h, t);
    }
}

/// A horizontal bar chart with each bar's label on the left and its value on the right.
fn bars(h: &mut String, b: &Bars) {
    if b.bars.is_empty() {
        return;
    }
    let (w, row, label_w, value_w) = (880.0, 26.0, 260.0, 90.0);
    let ht = row * b.bars.len() as f64 + 8.0;
    let max = b
        .bars
        .iter()
        .map(|(_, v)| *v)
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let span = w - label_w - value_w;
    let _ = write!(
        h,
        "<h3>{}</h3><svg width=\"{w}\" height=\"{ht}\" viewBox=\"0 0 {w} {ht}\" role=\"img\">",
        escape(&b.title)
    );
    for (i, (label, v)) in b.bars.iter().enumerate() {
        let y = row * i as f64 + 4.0;
        let len = (v.max(0.0) / max) * span;
        let shown = b.shown.get(i).cloned().unwrap_or_default();
        let _ = write!(
            h,
            "<text x=\"{lx}\" y=\"{ty:.1}\" text-anchor=\"end\">{label}</text>\
             <rect x=\"{label_w}\" y=\"{y:.1}\" width=\"{len:.1}\" height=\"{bh:.1}\" fill=\"{BAR}\"/>\
             <text x=\"{vx:.1}\" y=\"{ty:.1}\">{shown}</text>",
            lx = label_w - 8.0,
            ty = y + row * 0.6,
            bh = row * 0.7,
            vx = label_w + len + 6.0,
            label = escape(label),
            shown = escape(&shown)
        );
    }
    h.push_str("</svg>");
}

fn table(h: &mut String, t: &Table) {
    h.push_str("<table><thead><tr>");
    let numeric: Vec<bool> = (0..t.titles.len())
        .map(|j| {
            !t.rows.is_empty()
                && t.rows.iter().all(|r| {
                    r.get(j).is_some_and(|c| {
                        c.chars()
                            .next()
                            .is_some_and(|ch| ch.is_ascii_digit() || ch == '–' || ch == '-')
                    })
                })
        })
        .collect();
    for (j, title) in t.titles.iter().enumerate() {
        let class = if numeric[j] { " class=\"num\"" } else { "" };
        let _ = write!(h, "<th{class}>{}</th>", escape(title));
    }
    h.push_str("</tr></thead><tbody>");
    for row in &t.rows {
        h.push_str("<tr>");
        for (j, cell) in row.iter().enumerate() {
            let class = if numeric.get(j).copied().unwrap_or(false) {
                " class=\"num\""
            } else {
                ""
            };
            let _ = write!(h, "<td{class}>{}</td>", escape(cell));
        }
        h.push_str("</tr>");
    }
    h.push_str("</tbody></table>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_is_escaped_and_nothing_is_fetched() {
        assert_eq!(
            escape("<a href='x'>&\"</a>"),
            "&lt;a href=&#39;x&#39;&gt;&amp;&quot;&lt;/a&gt;"
        );
        let mut h = String::new();
        section(
            &mut h,
            &Section {
                heading: "Segments <script>".into(),
                headline: Some("4 segments".into()),
                lines: vec!["a & b".into()],
                charts: vec![Bars {
                    title: "Customers".into(),
                    bars: vec![("<b>".into(), 3.0)],
                    shown: vec!["3".into()],
                }],
                tables: vec![Table {
                    titles: vec!["Segment".into(), "Customers".into()],
                    rows: vec![vec!["x".into(), "1,204".into()]],
                }],
            },
        );
        assert!(!h.contains("<script") && !h.contains("<b>"), "{h}");
        assert!(h.contains("<td class=\"num\">1,204</td>"), "{h}");
        assert!(!h.contains("http"), "{h}");
    }
}
