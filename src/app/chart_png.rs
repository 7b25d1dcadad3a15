//! "Save as PNG…" for any chart: the chart's screen rectangle is remembered as it is drawn; the
//! button opens a typed-path dialog; saving asks the window for a screenshot of the next frame
//! (`ViewportCommand::Screenshot`), crops it to the chart and writes a PNG atomically.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use egui::{ColorImage, Rect};

use crate::app::theme;
use crate::app::widgets::path::{DialogAnswer, SaveDialog};
use crate::error::{Error, Result};

/// The part of `image` (a screenshot at `pixels_per_point`) under `rect` (in points), clamped
/// to the image; `None` when nothing of it is inside.
pub fn crop(image: &ColorImage, rect: Rect, pixels_per_point: f32) -> Option<ColorImage> {
    let [width, height] = image.size;
    let px = |v: f32, limit: usize| ((v * pixels_per_point).round().max(0.0) as usize).min(limit);
    let (x0, x1) = (px(rect.min.x, width), px(rect.max.x, width));
    let (y0, y1) = (px(rect.min.y, height), px(rect.max.y, height));
    if x1 <= x0 || y1 <= y0 {
        return None;
    }
    let mut pixels = Vec::with_capacity((x1 - x0) * (y1 - y0));
    for y in y0..y1 {
        pixels.extend_from_slice(image.pixels.get(y * width + x0..y * width + x1)?);
    }
    Some(ColorImage::new([x1 - x0, y1 - y0], pixels))
}

/// Encodes `image` as an 8-bit RGBA PNG into `out`.
pub fn encode_png(image: &ColorImage, out: impl Write) -> Result<()> {
    let [width, height] = image.size;
    let invalid =
        |e: png::EncodingError| Error::Invalid(format!("the PNG could not be encoded: {e}"));
    let mut encoder = png::Encoder::new(out, width as u32, height as u32);
    encoder.set_color(png::ColorType::Rgba);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header().map_err(invalid)?;
    let mut data = Vec::with_capacity(width * height * 4);
    for p in &image.pixels {
        data.extend_from_slice(&p.to_srgba_unmultiplied());
    }
    writer.write_image_data(&data).map_err(invalid)?;
    writer.finish().map_err(invalid)
}

/// `image` with each pixel repeated `factor` times across and down: a chart saved from a
/// normal screen comes out at twice its on-screen size, sharp (no blur from interpolation).
pub fn enlarge(image: &ColorImage, factor: usize) -> ColorImage {
    let [width, height] = image.size;
    if factor <= 1 {
        return image.clone();
    }
    let mut pixels = Vec::with_capacity(width * height * factor * factor);
    for row in image.pixels.chunks(width.max(1)) {
        let wide: Vec<egui::Color32> = row
            .iter()
            .flat_map(|p| std::iter::repeat_n(*p, factor))
            .collect();
        for _ in 0..factor {
            pixels.extend_from_slice(&wide);
        }
    }
    ColorImage::new([width * factor, height * factor], pixels)
}

/// Crops `screenshot` to `rect` and writes it to `path` as a PNG (temporary name, then renamed),
/// at twice the chart's size in points (a screen at 2 pixels per point already is).
pub fn save_cropped(
    screenshot: &ColorImage,
    rect: Rect,
    pixels_per_point: f32,
    path: &Path,
) -> Result<()> {
    let image = crop(screenshot, rect, pixels_per_point).ok_or_else(|| {
        Error::Invalid(format!(
            "the chart is not on screen: scroll it into view and save again: {}",
            path.display()
        ))
    })?;
    let factor = (2.0 / pixels_per_point.max(0.5)).round().max(1.0) as usize;
    let image = enlarge(&image, factor);
    crate::files::write_atomically(path, |w| encode_png(&image, w))
}

/// One chart's "Save as PNG…" button, path dialog and pending screenshot.
#[derive(Debug, Default)]
pub struct PngSaver {
    /// The chart's rectangle as last drawn.
    rect: Option<Rect>,
    /// The dialog's typed path, when open.
    dialog: Option<String>,
    /// Whether a screenshot was asked for and not answered yet.
    waiting: bool,
    /// The answer of the screenshot callback: the file written, or why not.
    answer: Arc<Mutex<Option<std::result::Result<PathBuf, String>>>>,
    /// The last save's outcome, shown next to the button.
    last: Option<std::result::Result<PathBuf, String>>,
    /// The dialog's Browse… (the system file dialog, on its own thread).
    picker: crate::app::file_picker::FilePicker,
}

impl PngSaver {
    /// Remembers where the chart was drawn this frame.
    pub fn set_rect(&mut self, rect: Rect) {
        self.rect = Some(rect);
    }

    /// Whether a screenshot is awaited.
    pub fn is_waiting(&self) -> bool {
        self.waiting
    }

    /// The "Save as PNG…" button; `suggested` is the path the dialog starts with.
    pub fn button(&mut self, ui: &mut egui::Ui, suggested: impl FnOnce() -> String) {
        let button = ui
            .add_enabled(
                self.rect.is_some() && !self.waiting,
                egui::Button::new("Save as PNG…"),
            )
            .on_hover_text("Saves this chart as an image for a slide deck");
        if button.clicked() {
            self.dialog = Some(suggested());
        }
    }

    /// Draws the chart, everything `draw` adds in one column, and remembers where it is.
    pub fn capture<R>(&mut self, ui: &mut egui::Ui, draw: impl FnOnce(&mut egui::Ui) -> R) -> R {
        let chart = ui.vertical(draw);
        self.set_rect(chart.response.rect);
        chart.inner
    }

    /// The button and the last save's outcome beside it.
    pub fn controls(
        &mut self,
        ui: &mut egui::Ui,
        palette: &theme::Palette,
        suggested: impl FnOnce() -> String,
    ) {
        self.button(ui, suggested);
        self.status_ui(ui, palette);
    }

    /// The last save's outcome as a short label ("Saved …" or why not).
    pub fn status_ui(&self, ui: &mut egui::Ui, palette: &theme::Palette) {
        match &self.last {
            Some(Ok(path)) => {
                ui.label(
                    egui::RichText::new(format!("Saved {}", path.display()))
                        .color(palette.muted_text),
                );
            }
            Some(Err(e)) => {
                ui.label(egui::RichText::new(e).color(palette.error_text));
            }
            None if self.waiting => {
                ui.spinner();
            }
            None => {}
        }
    }

    /// Draws the dialog (when open) and returns the outcome of a finished save, once.
    pub fn ui(
        &mut self,
        ctx: &egui::Context,
        title: &str,
    ) -> Option<std::result::Result<PathBuf, String>> {
        if let Some(path_text) = self.dialog.as_mut() {
            let answer = SaveDialog::new(title)
                .confirm("Save")
                .browse_for(&mut self.picker, &[("PNG image", &["png"])])
                .extension("png")
                .show(ctx, path_text, |ui| {
                    ui.label(
                        "Writes the chart with its title, at twice its size on screen, to a PNG \
                         image.",
                    );
                });
            match answer {
                DialogAnswer::Confirmed(path) => {
                    self.dialog = None;
                    self.request(ctx, path);
                }
                DialogAnswer::Cancelled => self.dialog = None,
                DialogAnswer::Open => {}
            }
        }
        if !self.waiting {
            return None;
        }
        let answer = self.answer.lock().ok().and_then(|mut a| a.take());
        if answer.is_some() {
            self.waiting = false;
            self.last.clone_from(&answer);
        }
        answer
    }

    /// Asks for a screenshot of the next frame (the dialog is closed by then) and saves the
    /// chart's part of it to `path` when it arrives.
    fn request(&mut self, ctx: &egui::Context, path: PathBuf) {
        let Some(rect) = self.rect else {
            return;
        };
        self.waiting = true;
        let answer = Arc::clone(&self.answer);
        let repaint = ctx.clone();
        let pixels_per_point = ctx.pixels_per_point();
        ctx.request_screenshot(move |image| {
            let result = save_cropped(&image, rect, pixels_per_point, &path)
                .map(|()| path)
                .map_err(|e| e.to_string());
            if let Ok(mut slot) = answer.lock() {
                *slot = Some(result);
            }
            repaint.request_repaint();
        });
        ctx.request_repaint();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use egui::{Color32, pos2};

    #[test]
    fn crops_clamps_and_encodes() {
        // A 20×10 image whose pixel (x, y) has red = x, green = y.
        let mut pixels = Vec::new();
        for y in 0..10u8 {
            for x in 0..20u8 {
                pixels.push(Color32::from_rgb(x, y, 7));
            }
        }
        let image = ColorImage::new([20, 10], pixels);
        let rect = |x0, y0, x1, y1| Rect::from_min_max(pos2(x0, y0), pos2(x1, y1));
        // Points at 2 pixels per point: (2,1)–(5,4) is pixels (4,2)–(10,8).
        let part = crop(&image, rect(2.0, 1.0, 5.0, 4.0), 2.0).unwrap();
        assert_eq!(part.size, [6, 6]);
        assert_eq!(part.pixels[0], Color32::from_rgb(4, 2, 7));
        assert_eq!(part.pixels[6 * 6 - 1], Color32::from_rgb(9, 7, 7));
        // Partly outside: clamped; wholly outside: none.
        let edge = crop(&image, rect(15.0, 5.0, 40.0, 40.0), 1.0).unwrap();
        assert_eq!(edge.size, [5, 5]);
        assert!(crop(&image, rect(30.0, 0.0, 40.0, 5.0), 1.0).is_none());

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("chart.png");
        save_cropped(&image, rect(2.0, 1.0, 5.0, 4.0), 2.0, &path).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n");
        let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!((info.width, info.height), (6, 6));
        assert_eq!(&buf[..4], &[4, 2, 7, 255]);
        // No temporary file is left behind.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
        // From a screen at 1 pixel per point: twice the size, each pixel doubled.
        let big = enlarge(&part, 2);
        assert_eq!(big.size, [12, 12]);
        assert_eq!(big.pixels[0], part.pixels[0]);
        assert_eq!(big.pixels[1], part.pixels[0]);
        assert_eq!(big.pixels[12], part.pixels[0]);
        assert_eq!(big.pixels[2], part.pixels[1]);
    }
}
