//! Scrolling a 1,000,000-customer table in the window: frame times while rows stream in.
//!
//! `cargo bench --bench ui_scroll`. The database is built once and cached in
//! `target/bench-data/sample-1m.sqlite`. Goal: p95 frame time under 16 ms.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::print_stdout)]

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use egui_kittest::Harness;
use egui_kittest::kittest::Queryable;
use tailor::app::{AppConfig, TailorApp};
use tailor::data::sample::{self, SampleOptions};
use tailor::progress::NoProgress;

const CUSTOMERS: usize = 1_000_000;
const FRAMES: usize = 300;
/// Rows scrolled per frame in the first half: a brisk wheel scroll (about 1,400 points a frame).
const SMOOTH_ROWS_PER_FRAME: u64 = 60;
/// Rows scrolled per frame in the second half: dragging the scroll bar through the table.
const FLICK_ROWS_PER_FRAME: u64 = 3_000;

fn bench_db() -> PathBuf {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("target"));
    let dir = target.join("bench-data");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sample-1m.sqlite");
    if path.exists() {
        return path;
    }
    let started = Instant::now();
    let options = SampleOptions {
        customers: CUSTOMERS,
        seed: 1,
    };
    sample::generate(&path, &options, None, &NoProgress).expect("generate the 1M sample");
    println!("generated the sample in {:.1?}", started.elapsed());
    path
}

fn main() {
    let path = bench_db();
    let mut h = Harness::builder()
        .with_size([1280.0, 800.0])
        .build_eframe(move |cc| {
            TailorApp::with_config(&cc.egui_ctx, Some(path), AppConfig::ephemeral())
        });
    let deadline = Instant::now() + Duration::from_secs(120);
    while h.query_all_by_label("1,000,000 rows").next().is_none() {
        assert!(Instant::now() < deadline, "the database never opened");
        h.step();
        std::thread::sleep(Duration::from_millis(10));
    }
    // Warm up: the first page.
    for _ in 0..20 {
        h.step();
        std::thread::sleep(Duration::from_millis(5));
    }

    let mut times = Vec::with_capacity(FRAMES);
    let mut loaded_frames = 0;
    let mut row = 0u64;
    let mut loaded_smooth = 0;
    for frame in 0..FRAMES {
        let smooth = frame < FRAMES / 2;
        row += if smooth {
            SMOOTH_ROWS_PER_FRAME
        } else {
            FLICK_ROWS_PER_FRAME
        };
        h.state_mut().scroll_rows_to(row);
        let started = Instant::now();
        h.step();
        times.push(started.elapsed());
        if h.state().is_row_loaded(row) {
            loaded_frames += 1;
            if smooth {
                loaded_smooth += 1;
            }
        }
        // A display refreshes every ~16 ms; the worker streams rows meanwhile.
        std::thread::sleep(Duration::from_millis(4));
    }
    // Then stop and let the rows arrive.
    let settle = Instant::now();
    while !h.state().is_row_loaded(row) && settle.elapsed() < Duration::from_secs(5) {
        h.step();
    }
    let settled_ms = settle.elapsed().as_secs_f64() * 1000.0;

    times.sort();
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mean = times.iter().map(|d| ms(*d)).sum::<f64>() / times.len() as f64;
    let pct = |p: f64| ms(times[((times.len() - 1) as f64 * p).round() as usize]);
    println!(
        "ui_scroll: {FRAMES} frames over {} customers, scrolled to row {row}",
        tailor::format::thousands(CUSTOMERS as u64)
    );
    println!(
        "frame time ms: mean {mean:.2}, p50 {:.2}, p95 {:.2}, max {:.2} (goal p95 < 16)",
        pct(0.5),
        pct(0.95),
        ms(*times.last().unwrap())
    );
    println!(
        "top row already loaded in {loaded_smooth} of {} wheel-scroll frames and {} of {} scroll-bar frames; last page arrived {settled_ms:.0} ms after scrolling stopped; {} pages cached",
        FRAMES / 2,
        loaded_frames - loaded_smooth,
        FRAMES - FRAMES / 2,
        h.state().loaded_row_pages()
    );
}
