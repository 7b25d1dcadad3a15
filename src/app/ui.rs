//! Drawing the window: bars, rail, the current panel and dialogs.

use crate::app::panels::{
    banner, campaigns, churn_value, data, fairness, overview, rail, recommendations, segments,
    status_bar, top_bar,
};
use crate::app::widgets::preamble::PanelCx;
use crate::app::{DbView, Panel, TailorApp, theme};

impl TailorApp {
    /// Draws everything; panels push commands, applied after drawing.
    pub(super) fn draw(&mut self, ui: &mut egui::Ui) {
        let palette = theme::palette(ui.ctx());
        self.forget_lost_jobs();
        let busy = self.desk.is_busy();
        let export_folder = self.export_folder();
        let commands = &mut self.commands;
        let db = &self.data.db;

        egui::Panel::top("top_bar").show(ui, |ui| {
            top_bar::top_bar_ui(ui, db, self.settings.presentation, busy, commands);
        });
        if let Some(error) = &self.desk.error {
            egui::Panel::top("error_banner")
                .frame(banner::frame(palette.error_fill))
                .show(ui, |ui| banner::error_ui(ui, error, &palette, commands));
        }
        if let DbView::Open(info) = db
            && let Some(reason) = &info.read_only_reason
        {
            egui::Panel::top("read_only_notice")
                .frame(banner::frame(palette.notice_fill))
                .show(ui, |ui| banner::read_only_ui(ui, reason, &palette));
        }
        egui::Panel::bottom("status_bar").show(ui, |ui| {
            let running = self.desk.running.as_ref().map(|r| status_bar::RunningView {
                label: &r.label,
                fraction: r.fraction,
                message: &r.message,
            });
            status_bar::status_bar_ui(ui, running, self.desk.notice.as_deref(), commands);
        });
        egui::Panel::left("rail")
            .resizable(false)
            .exact_size(theme::RAIL_WIDTH)
            .show(ui, |ui| rail::rail_ui(ui, self.panel, commands));
        let mut cx = PanelCx {
            db,
            busy,
            commands,
            export_folder: export_folder.as_deref(),
        };
        egui::CentralPanel::default_margins().show(ui, |ui| match self.panel {
            Panel::Overview => overview::overview_ui(ui, &mut self.data.view, &mut cx),
            Panel::Data => data::data_ui(
                ui,
                cx.db,
                &mut self.data.view,
                self.settings.presentation,
                cx.busy,
                cx.commands,
            ),
            Panel::Segments => segments::segments_ui(ui, &mut self.segments, &mut cx),
            Panel::Recommendations => {
                recommendations::recommendations_ui(ui, &mut self.recs, &mut cx)
            }
            Panel::ChurnValue => churn_value::churn_value_ui(ui, &mut self.churn, &mut cx),
            Panel::Fairness => fairness::fairness_ui(ui, &mut self.fairness, &mut cx),
            Panel::Campaigns => campaigns::campaigns_ui(ui, &mut self.campaigns, &mut cx),
        });
        let db_open = matches!(db, DbView::Open(_));
        self.dialogs
            .ui(ui.ctx(), &self.settings.recent, db_open, &palette, commands);
    }
}
