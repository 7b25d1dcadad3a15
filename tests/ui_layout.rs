//! A layout that holds: every panel, at 1280×800 and 1920×1080, with presentation mode off and
//! on, on the sample with stored segments, churn and lifetime value. Every label lies within
//! the window's width (nothing cut at the right edge), and no two labels on screen overlap.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::Path;
use std::time::Duration;

use egui::accesskit::Role;
use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use tailor::app::{AppConfig, Command, Panel, TailorApp};
use tailor::progress::NoProgress;

mod ui_common;
use ui_common::*;

/// The sample with a segmentation, a churn run and lifetime values stored.
fn prepared(dir: &Path) -> std::path::PathBuf {
    let path = demo_copy(dir);
    let mut ws = tailor::workspace::Workspace::open(&path).unwrap();
    ws.segment(&Default::default(), &NoProgress).unwrap();
    ws.churn(&Default::default(), &NoProgress).unwrap();
    let params =
        tailor::models::clv::run::ClvParams::new(tailor::models::clv::summary::TimeUnit::Week);
    ws.clv(&params, &NoProgress).unwrap();
    path
}

/// A label's text and its rectangle on screen.
struct Placed {
    text: String,
    rect: egui::Rect,
}

fn labels(h: &Harness<'_, TailorApp>) -> Vec<Placed> {
    h.query_all_by_role(Role::Label)
        .filter_map(|n| {
            let node = n.accesskit_node();
            let text = node.label().or(node.value())?.to_string();
            let b = node.bounding_box()?;
            (!text.trim().is_empty()).then(|| Placed {
                text,
                rect: egui::Rect::from_min_max(
                    egui::pos2(b.x0 as f32, b.y0 as f32),
                    egui::pos2(b.x1 as f32, b.y1 as f32),
                ),
            })
        })
        .collect()
}

/// What is wrong with the layout on screen now: labels past the window's right edge, and
/// pairs of labels that overlap by more than a sliver.
fn problems(h: &Harness<'_, TailorApp>, size: [f32; 2], what: &str) -> Vec<String> {
    let [w, ht] = size;
    let on_screen: Vec<Placed> = labels(h)
        .into_iter()
        .filter(|l| l.rect.min.y >= 0.0 && l.rect.max.y <= ht && l.rect.height() > 1.0)
        .collect();
    let mut out = Vec::new();
    // A column scrolled wholly out of view (a wide grid) is not cut; one that straddles the
    // right edge of the window is.
    for l in on_screen.iter().filter(|l| l.rect.min.x < w) {
        if l.rect.max.x > w + 1.0 || l.rect.min.x < -1.0 {
            out.push(format!(
                "{what}: {:?} runs off the window at {:?}",
                l.text, l.rect
            ));
        }
    }
    // Overlaps between single lines of text: a wrapped label's box spans the row it starts in
    // (its text flows after its neighbour), so it is judged by the right edge only.
    let line = on_screen
        .iter()
        .map(|l| l.rect.height())
        .fold(f32::INFINITY, f32::min);
    let single: Vec<&Placed> = on_screen
        .iter()
        .filter(|l| l.rect.height() < 1.6 * line)
        .collect();
    for (i, a) in single.iter().enumerate() {
        for b in &single[i + 1..] {
            let overlap = a.rect.intersect(b.rect);
            if !overlap.is_positive() {
                continue;
            }
            let smaller = a.rect.area().min(b.rect.area()).max(1.0);
            if overlap.area() > 0.25 * smaller && overlap.area() > 20.0 {
                out.push(format!(
                    "{what}: {:?} at {:?} overlaps {:?} at {:?}",
                    a.text, a.rect, b.text, b.rect
                ));
            }
        }
    }
    out
}

#[test]
fn every_panel_holds_its_layout_in_both_sizes_and_modes() {
    let dir = tempfile::tempdir().unwrap();
    let db = prepared(dir.path());
    let mut found = Vec::new();
    for size in [[1280.0, 800.0], [1920.0, 1080.0]] {
        for presentation in [false, true] {
            let path = db.clone();
            let mut h = Harness::builder().with_size(size).build_eframe(move |cc| {
                TailorApp::with_config(&cc.egui_ctx, Some(path), AppConfig::ephemeral())
            });
            h.state_mut()
                .command(Command::SetPresentation(presentation));
            assert!(
                step_until(&mut h, Duration::from_secs(30), |h| has_label(
                    h,
                    "Active customers"
                )),
                "{}",
                dump(&h)
            );
            for panel in Panel::ALL {
                h.state_mut().command(Command::ShowPanel(panel));
                // Wait for the panel's work (fits, audits, the audience) to settle: nothing
                // running for a second and a half.
                let mut quiet_since: Option<std::time::Instant> = None;
                let deadline = std::time::Instant::now() + Duration::from_secs(90);
                while std::time::Instant::now() < deadline {
                    h.step();
                    if h.state().is_busy() {
                        quiet_since = None;
                    } else if quiet_since
                        .get_or_insert_with(std::time::Instant::now)
                        .elapsed()
                        > Duration::from_millis(1500)
                    {
                        break;
                    }
                    std::thread::sleep(Duration::from_millis(10));
                }
                let what = format!(
                    "{} at {}×{}{}",
                    panel.label(),
                    size[0],
                    size[1],
                    if presentation { ", presentation" } else { "" }
                );
                found.extend(problems(&h, size, &what));
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
