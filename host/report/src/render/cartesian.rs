//! Bar and line charts, and the axes they share with the heatmap.

use plotters::coord::Shift;
use plotters::coord::ranged1d::{BoldPoints, Ranged};
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use super::axis::{CategoryAxis, value_range};
use super::regions::{Region, Shape};
use super::style::{TextSizes, format_value, series_color, shorten_label, text_style};
use super::{TextMode, drawing_error};
use crate::error::ReportError;
use crate::model::Chart;

/// Share of a category's band that its group of bars fills.
const BAR_GROUP_WIDTH: f64 = 0.8;

/// Minimum distance in pixels between line-chart categories for drawing a
/// marker on each point. Closer markers would merge into a thick line.
const MIN_MARKER_SPACING: u32 = 8;

/// Radius of a line-chart marker, in pixels.
const MARKER_RADIUS: i32 = 3;

/// Distance in pixels from a line-chart point within which a click hits it.
const POINT_HIT_RADIUS: f64 = 8.0;

/// Margin around the plot, in pixels.
pub(crate) const PLOT_MARGIN: u32 = 10;

/// Draws one group of bars per category, one bar per series, from 0 to the
/// value.
pub(crate) fn draw_bar<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    text: TextMode,
    sizes: &TextSizes,
    regions: &mut Vec<Region>,
) -> Result<(), ReportError> {
    let y_range = value_range(all_values(chart), true);
    let mut context = build_value_chart(area, chart, text, sizes, y_range)?;

    let bar_width = BAR_GROUP_WIDTH / chart.series.len() as f64;
    for (series_index, series) in chart.series.iter().enumerate() {
        let color = series_color(series_index);
        let offset = -BAR_GROUP_WIDTH / 2.0 + series_index as f64 * bar_width;
        for (category, value) in series.values.iter().enumerate() {
            let left = category as f64 + offset;
            let (left, top) = context.backend_coord(&(left, *value));
            let (right, bottom) =
                context.backend_coord(&(category as f64 + offset + bar_width, 0.0));
            regions.push(Region {
                series: series_index,
                category,
                shape: Shape::Rect {
                    left,
                    top,
                    right,
                    bottom,
                },
            });
        }
        let bars = series.values.iter().enumerate().map(|(category, value)| {
            let left = category as f64 + offset;
            Rectangle::new([(left, 0.0), (left + bar_width, *value)], color.filled())
        });
        let annotation = context.draw_series(bars).map_err(drawing_error)?;
        if text.is_drawn() && !series.name.is_empty() {
            annotation
                .label(shorten_label(&series.name))
                .legend(move |(x, y)| {
                    Rectangle::new([(x, y - 5), (x + 10, y + 5)], color.filled())
                });
        }
    }
    draw_legend(&mut context, chart, text, sizes)
}

/// Draws one line per series through its values, with a marker on each
/// value when the categories are far enough apart.
pub(crate) fn draw_line<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    text: TextMode,
    sizes: &TextSizes,
    regions: &mut Vec<Region>,
) -> Result<(), ReportError> {
    let y_range = value_range(all_values(chart), false);
    let mut context = build_value_chart(area, chart, text, sizes, y_range)?;

    let plot_width = context.plotting_area().dim_in_pixel().0;
    let categories = chart.categories.len();
    let draw_markers = categories == 1 || plot_width / categories as u32 >= MIN_MARKER_SPACING;

    for (series_index, series) in chart.series.iter().enumerate() {
        let color = series_color(series_index);
        let points: Vec<(f64, f64)> = series
            .values
            .iter()
            .enumerate()
            .map(|(category, value)| (category as f64, *value))
            .collect();
        for (category, point) in points.iter().enumerate() {
            regions.push(Region {
                series: series_index,
                category,
                shape: Shape::Disc {
                    center: context.backend_coord(point),
                    radius: POINT_HIT_RADIUS,
                },
            });
        }

        let annotation = context
            .draw_series(LineSeries::new(points.clone(), color.stroke_width(2)))
            .map_err(drawing_error)?;
        if text.is_drawn() && !series.name.is_empty() {
            annotation
                .label(shorten_label(&series.name))
                .legend(move |(x, y)| {
                    PathElement::new(vec![(x, y), (x + 16, y)], color.stroke_width(2))
                });
        }

        if draw_markers {
            let markers = points
                .into_iter()
                .map(|point| Circle::new(point, MARKER_RADIUS, color.filled()));
            context.draw_series(markers).map_err(drawing_error)?;
        }
    }
    draw_legend(&mut context, chart, text, sizes)
}

fn all_values(chart: &Chart) -> impl Iterator<Item = f64> + '_ {
    chart
        .series
        .iter()
        .flat_map(|series| series.values.iter().copied())
}

type ValueChart<'a, DB> = ChartContext<'a, DB, Cartesian2d<CategoryAxis, RangedCoordf64>>;

/// Builds a chart with categories along x and `y_range` along y, and draws
/// its grid, axes and axis labels.
fn build_value_chart<'a, DB: DrawingBackend>(
    area: &'a DrawingArea<DB, Shift>,
    chart: &Chart,
    text: TextMode,
    sizes: &TextSizes,
    y_range: std::ops::Range<f64>,
) -> Result<ValueChart<'a, DB>, ReportError> {
    let x_axis = CategoryAxis {
        count: chart.categories.len(),
    };
    let y_axis = RangedCoordf64::from(y_range);
    let y_label_count = y_label_count(area, sizes);

    let mut builder = ChartBuilder::on(area);
    builder.margin(PLOT_MARGIN);
    if text.is_drawn() {
        let y_labels: Vec<String> = y_axis
            .key_points(BoldPoints(y_label_count))
            .into_iter()
            .map(format_value)
            .collect();
        let areas = LabelAreas::measure(area, chart, sizes, &y_labels)?;
        builder
            .x_label_area_size(areas.x)
            .y_label_area_size(areas.y);
    }
    let mut context = builder
        .build_cartesian_2d(x_axis, y_axis)
        .map_err(drawing_error)?;

    let x_label_count = x_label_count(&context, chart, text, sizes)?;
    let x_formatter = |position: &f64| category_label(chart, x_axis, *position);
    let y_formatter = |value: &f64| format_value(*value);
    let mut mesh = context.configure_mesh();
    mesh.disable_x_mesh()
        .max_light_lines(0)
        .x_labels(x_label_count)
        .y_labels(y_label_count)
        .x_label_formatter(&x_formatter)
        .y_label_formatter(&y_formatter)
        .label_style(text_style(sizes.label))
        .axis_desc_style(text_style(sizes.label));
    if !chart.x_label.is_empty() {
        mesh.x_desc(chart.x_label.as_str());
    }
    if !chart.y_label.is_empty() {
        mesh.y_desc(chart.y_label.as_str());
    }
    mesh.draw().map_err(drawing_error)?;
    Ok(context)
}

/// Label of the category at `position` on the x axis, shortened.
pub(crate) fn category_label(chart: &Chart, axis: CategoryAxis, position: f64) -> String {
    axis.index(position)
        .map(|index| shorten_label(&chart.categories[index]))
        .unwrap_or_default()
}

/// Number of y-axis labels that fit the area's height, 2 to 10.
fn y_label_count<DB: DrawingBackend>(area: &DrawingArea<DB, Shift>, sizes: &TextSizes) -> usize {
    let height = f64::from(area.dim_in_pixel().1);
    ((height / (sizes.label * 3.0)) as usize).clamp(2, 10)
}

/// Number of x-axis labels that fit side by side under the plot, at least
/// 1, or 0 when no text is drawn.
pub(crate) fn x_label_count<DB: DrawingBackend, Y: Ranged>(
    context: &ChartContext<'_, DB, Cartesian2d<CategoryAxis, Y>>,
    chart: &Chart,
    text: TextMode,
    sizes: &TextSizes,
) -> Result<usize, ReportError> {
    let categories = chart.categories.len();
    if !text.is_drawn() {
        return Ok(0);
    }
    let plot_width = context.plotting_area().dim_in_pixel().0;
    let style = text_style(sizes.label);
    let mut widest = 0;
    for category in &chart.categories {
        let (width, _) = context
            .plotting_area()
            .estimate_text_size(&shorten_label(category), &style)
            .map_err(drawing_error)?;
        widest = widest.max(width);
    }
    // One label width of gap keeps neighbouring labels apart.
    let slot = f64::from(widest) + sizes.label;
    Ok(((f64::from(plot_width) / slot) as usize).clamp(1, categories))
}

/// Sizes in pixels of the label areas below and left of the plot.
pub(crate) struct LabelAreas {
    pub x: u32,
    pub y: u32,
}

impl LabelAreas {
    /// Measures the label areas for category labels along x, `y_labels`
    /// along y, and the chart's axis descriptions. The y area takes at most
    /// a third of the width.
    pub fn measure<DB: DrawingBackend>(
        area: &DrawingArea<DB, Shift>,
        chart: &Chart,
        sizes: &TextSizes,
        y_labels: &[String],
    ) -> Result<Self, ReportError> {
        let style = text_style(sizes.label);
        let mut widest_y_label = 0;
        for label in y_labels {
            let (width, _) = area
                .estimate_text_size(label, &style)
                .map_err(drawing_error)?;
            widest_y_label = widest_y_label.max(width);
        }

        // Room for the tick mark and the gap between it and the label:
        // plotters 0.3.7 draws ticks up to 5 pixels long and labels twice
        // the tick length away from the axis.
        let tick_room = 12.0;
        let description_room = sizes.label * 1.5;
        let mut x = sizes.label * 1.3 + tick_room;
        if !chart.x_label.is_empty() {
            x += description_room;
        }
        let mut y = f64::from(widest_y_label) + tick_room;
        if !chart.y_label.is_empty() {
            y += description_room;
        }
        let max_y = f64::from(area.dim_in_pixel().0) / 3.0;
        Ok(LabelAreas {
            x: x.ceil() as u32,
            y: y.min(max_y).ceil() as u32,
        })
    }
}

/// Draws the series legend in the upper right corner, when text is drawn,
/// some series has a name, and the legend takes at most half the plot's
/// height. A taller legend would hide the data it names.
fn draw_legend<'a, DB: DrawingBackend + 'a>(
    context: &mut ValueChart<'a, DB>,
    chart: &Chart,
    text: TextMode,
    sizes: &TextSizes,
) -> Result<(), ReportError> {
    let named = chart
        .series
        .iter()
        .filter(|series| !series.name.is_empty())
        .count();
    if !text.is_drawn() || named == 0 {
        return Ok(());
    }
    // plotters 0.3.7 spaces legend lines 1.25 text sizes apart, inside a
    // margin of 10 pixels.
    let legend_height = named as f64 * sizes.label * 1.25 + 20.0;
    let plot_height = f64::from(context.plotting_area().dim_in_pixel().1);
    if legend_height > plot_height / 2.0 {
        tracing::debug!(
            series = named,
            plot_height,
            "the legend would cover more than half the plot, so it is left out"
        );
        return Ok(());
    }
    context
        .configure_series_labels()
        .label_font(text_style(sizes.label))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.4))
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(drawing_error)
}
