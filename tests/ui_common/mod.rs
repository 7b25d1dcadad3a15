//! Helpers shared by the window tests (egui_kittest, no display).
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::{NodeT, Queryable};
use tailor::app::{AppConfig, TailorApp};

pub fn demo_copy(dir: &Path) -> PathBuf {
    let bundled = Path::new(env!("CARGO_MANIFEST_DIR")).join("sample_db/demo.sqlite");
    let path = dir.join("demo.sqlite");
    std::fs::copy(bundled, &path).unwrap();
    path
}

pub fn harness(db: Option<PathBuf>) -> Harness<'static, TailorApp> {
    Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| TailorApp::with_config(&cc.egui_ctx, db, AppConfig::ephemeral()))
}

pub fn has_label(h: &Harness<'_, TailorApp>, text: &str) -> bool {
    h.query_all_by_label(text).next().is_some()
}

pub fn has_label_containing(h: &Harness<'_, TailorApp>, text: &str) -> bool {
    h.query_all_by_label_contains(text).next().is_some()
}

/// Steps frames until `done` holds or `limit` passes; the worker keeps asking for repaints, so
/// `run()` would not settle.
pub fn step_until(
    h: &mut Harness<'_, TailorApp>,
    limit: Duration,
    done: impl Fn(&Harness<'_, TailorApp>) -> bool,
) -> bool {
    let deadline = Instant::now() + limit;
    while Instant::now() < deadline {
        h.step();
        if done(h) {
            return true;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    false
}

/// Everything on screen, for failure messages.
pub fn dump(h: &Harness<'_, TailorApp>) -> String {
    h.query_all_by_label_contains("")
        .filter_map(|n| {
            let node = n.accesskit_node();
            node.label().or(node.value()).map(|s| s.to_string())
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

pub fn click(h: &mut Harness<'_, TailorApp>, label: &str) {
    // Let the layout settle (text sizes change one frame after presentation mode is toggled).
    h.step();
    h.step();
    h.query_all_by_label(label)
        .next()
        .unwrap_or_else(|| panic!("no {label:?} on screen"))
        .click();
    h.step();
    h.step();
}

/// Replaces the text of text field number `field`.
pub fn replace_text(h: &mut Harness<'_, TailorApp>, field: usize, text: &str) {
    h.query_all_by_role(egui::accesskit::Role::TextInput)
        .nth(field)
        .unwrap()
        .focus();
    h.step();
    h.key_combination_modifiers(egui::Modifiers::COMMAND, &[egui::Key::A]);
    h.step();
    h.query_all_by_role(egui::accesskit::Role::TextInput)
        .nth(field)
        .unwrap()
        .type_text(text);
    h.step();
}

/// The window on `db`, showing the Data panel instead of the Overview.
pub fn data_harness(db: Option<PathBuf>) -> Harness<'static, TailorApp> {
    let mut h = harness(db);
    h.state_mut()
        .command(tailor::app::Command::ShowPanel(tailor::app::Panel::Data));
    h
}
