//! Chart rendering to SVG and PNG with plotters.

mod axis;
mod cartesian;
pub mod font;
mod heatmap;
mod pie;
pub mod regions;
mod style;

use plotters::coord::Shift;
use plotters::prelude::*;

use crate::error::ReportError;
use crate::model::{Chart, ChartKind};
use crate::validate::validate_chart;
use regions::{Region, RenderedChart};

/// Minimum width and height of a rendered chart, in pixels. Below it the
/// axis labels leave no room for the plot.
pub const MIN_CHART_SIDE: u32 = 120;

/// Maximum width and height of a rendered chart, in pixels. A PNG of this
/// size takes 48 MiB of RGB pixels while it is drawn.
pub const MAX_CHART_SIDE: u32 = 4_096;

/// Whether a chart is drawn with its title, axis labels and legend.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TextMode {
    /// Text is drawn with the font of [`font::chart_font`].
    Drawn,
    /// Only shapes are drawn, because no font is installed.
    Omitted,
}

impl TextMode {
    /// Text mode for the installed fonts.
    fn for_system() -> Self {
        match font::chart_font() {
            Some(_) => TextMode::Drawn,
            None => TextMode::Omitted,
        }
    }

    fn is_drawn(self) -> bool {
        self == TextMode::Drawn
    }
}

/// Renders a chart as an SVG document of `width` × `height` pixels.
///
/// The chart is checked with [`validate_chart`] first. Text is written as
/// SVG `<text>` elements in the `sans-serif` family, so the viewer's fonts
/// draw it. Text positions are measured with the font of
/// [`font::chart_font`]. When no font is installed, the chart is drawn
/// without text, and a warning is logged once.
pub fn render_svg(chart: &Chart, width: u32, height: u32) -> Result<String, ReportError> {
    render_svg_with(chart, width, height, TextMode::for_system())
}

/// Renders a chart as a PNG image of `width` × `height` pixels (8-bit RGB).
///
/// The chart is checked with [`validate_chart`] first. Text is drawn with
/// the font of [`font::chart_font`], a CJK font when one is installed. When
/// no font is installed, the chart is drawn without text, and a warning is
/// logged once.
pub fn render_png(chart: &Chart, width: u32, height: u32) -> Result<Vec<u8>, ReportError> {
    render_png_with(chart, width, height, TextMode::for_system())
}

/// Renders a chart as RGBA pixels of `width` × `height`, with the outline
/// of every bar, point, slice or cell, so that a front end can show the
/// image and find the value under a click.
///
/// The chart is checked with [`validate_chart`] first, and text is drawn as
/// [`render_png`] draws it.
pub fn render_rgba(chart: &Chart, width: u32, height: u32) -> Result<RenderedChart, ReportError> {
    render_rgba_with(chart, width, height, TextMode::for_system())
}

pub(crate) fn render_rgba_with(
    chart: &Chart,
    width: u32,
    height: u32,
    text: TextMode,
) -> Result<RenderedChart, ReportError> {
    check_chart(chart, width, height)?;
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    let mut regions = Vec::new();
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        draw_chart(&root, chart, text, &mut regions)?;
        root.present().map_err(drawing_error)?;
    }
    let rgba = pixels
        .chunks_exact(3)
        .flat_map(|rgb| [rgb[0], rgb[1], rgb[2], u8::MAX])
        .collect();
    Ok(RenderedChart {
        width,
        height,
        rgba,
        regions,
    })
}

pub(crate) fn render_svg_with(
    chart: &Chart,
    width: u32,
    height: u32,
    text: TextMode,
) -> Result<String, ReportError> {
    check_chart(chart, width, height)?;
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (width, height)).into_drawing_area();
        draw_chart(&root, chart, text, &mut Vec::new())?;
        root.present().map_err(drawing_error)?;
    }
    Ok(svg)
}

pub(crate) fn render_png_with(
    chart: &Chart,
    width: u32,
    height: u32,
    text: TextMode,
) -> Result<Vec<u8>, ReportError> {
    check_chart(chart, width, height)?;
    // Both sides are at most MAX_CHART_SIDE, so the product fits in usize.
    let mut pixels = vec![0u8; width as usize * height as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
        draw_chart(&root, chart, text, &mut Vec::new())?;
        root.present().map_err(drawing_error)?;
    }
    encode_png(&pixels, width, height)
}

fn check_chart(chart: &Chart, width: u32, height: u32) -> Result<(), ReportError> {
    validate_chart(chart)?;
    let valid_side = |side: u32| (MIN_CHART_SIDE..=MAX_CHART_SIDE).contains(&side);
    if !valid_side(width) || !valid_side(height) {
        return Err(ReportError::InvalidSize {
            width,
            height,
            min: MIN_CHART_SIDE,
            max: MAX_CHART_SIDE,
        });
    }
    Ok(())
}

fn draw_chart<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    chart: &Chart,
    text: TextMode,
    regions: &mut Vec<Region>,
) -> Result<(), ReportError> {
    root.fill(&WHITE).map_err(drawing_error)?;
    let sizes = style::TextSizes::for_area(root.dim_in_pixel());

    let area = if text.is_drawn() && !chart.title.is_empty() {
        let title_style = style::text_style(sizes.title);
        root.titled(&chart.title, title_style)
            .map_err(drawing_error)?
    } else {
        root.clone()
    };

    match chart.kind {
        ChartKind::Bar => cartesian::draw_bar(&area, chart, text, &sizes, regions),
        ChartKind::Line => cartesian::draw_line(&area, chart, text, &sizes, regions),
        ChartKind::Pie => pie::draw_pie(&area, chart, text, &sizes, regions),
        ChartKind::Heatmap => heatmap::draw_heatmap(&area, chart, text, &sizes, regions),
    }
}

/// Converts a plotters error, which borrows the backend's error type, into
/// an owned message.
pub(crate) fn drawing_error<E: std::error::Error + Send + Sync>(
    error: DrawingAreaErrorKind<E>,
) -> ReportError {
    ReportError::Drawing(error.to_string())
}

fn encode_png(pixels: &[u8], width: u32, height: u32) -> Result<Vec<u8>, ReportError> {
    let mut output = Vec::new();
    let mut encoder = png::Encoder::new(&mut output, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    let mut writer = encoder.write_header()?;
    writer.write_image_data(pixels)?;
    writer.finish()?;
    Ok(output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Series;

    fn chart(kind: ChartKind) -> Chart {
        Chart {
            kind,
            title: "工单".to_string(),
            categories: vec!["邮件".to_string(), "聊天".to_string()],
            series: vec![
                Series {
                    name: "新".to_string(),
                    values: vec![3.0, 5.0],
                },
                Series {
                    name: "已解决".to_string(),
                    values: vec![2.0, 1.0],
                },
            ],
            x_label: "渠道".to_string(),
            y_label: "数量".to_string(),
        }
    }

    const KINDS: [ChartKind; 4] = [
        ChartKind::Bar,
        ChartKind::Line,
        ChartKind::Pie,
        ChartKind::Heatmap,
    ];

    /// Without a font, every kind still renders, and no text is written.
    #[test]
    fn charts_render_without_text() {
        for kind in KINDS {
            let svg = render_svg_with(&chart(kind), 400, 300, TextMode::Omitted).unwrap();
            assert!(!svg.contains("<text"), "{kind:?} SVG has text:\n{svg}");
            assert!(
                svg.contains("<polygon") || svg.contains("<rect"),
                "{kind:?}"
            );

            let png = render_png_with(&chart(kind), 400, 300, TextMode::Omitted).unwrap();
            assert!(png.starts_with(b"\x89PNG"), "{kind:?}");
        }
    }
}
