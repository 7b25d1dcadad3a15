//! The status bar: the running job, its progress, Cancel, and the last notice.

use crate::app::{Command, theme};

/// The job shown as running.
#[derive(Debug, Clone, Copy)]
pub struct RunningView<'a> {
    /// What it does.
    pub label: &'a str,
    /// 0..=1, or negative when unknown.
    pub fraction: f32,
    /// Its latest progress message.
    pub message: &'a str,
}

/// Draws the bar.
pub fn status_bar_ui(
    ui: &mut egui::Ui,
    running: Option<RunningView<'_>>,
    notice: Option<&str>,
    commands: &mut Vec<Command>,
) {
    ui.horizontal(|ui| {
        if let Some(job) = running {
            ui.label(job.label);
            let bar = if job.fraction >= 0.0 {
                egui::ProgressBar::new(job.fraction.clamp(0.0, 1.0)).show_percentage()
            } else {
                egui::ProgressBar::new(0.0).animate(true)
            };
            ui.add(bar.desired_width(theme::PROGRESS_WIDTH));
            if !job.message.is_empty() {
                ui.label(job.message);
            }
            if ui.button("Cancel").clicked() {
                commands.push(Command::CancelJob);
            }
            ui.separator();
        }
        if let Some(notice) = notice {
            ui.add(egui::Label::new(notice).truncate());
        } else if running.is_none() {
            ui.label("Ready");
        }
    });
}
