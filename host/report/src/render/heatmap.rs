//! Heatmaps: a grid of categories by series, coloured by value.

use std::ops::Range;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::axis::CategoryAxis;
use super::cartesian::{LabelAreas, PLOT_MARGIN, category_label, x_label_count};
use super::regions::{Region, Shape};
use super::style::{
    TextSizes, colored_text_style, format_value, heat_color, shorten_label, text_color_on,
    text_style,
};
use super::{TextMode, drawing_error};
use crate::error::ReportError;
use crate::model::Chart;

/// Number of bands in the colour scale beside the grid.
const SCALE_STEPS: usize = 64;

/// Width of the colour scale's bar, in pixels.
const SCALE_BAR_WIDTH: u32 = 14;

/// Draws categories along x and series along y, the first series at the
/// top, each cell coloured by its value on the viridis scale from the
/// smallest to the largest value. With text, a colour scale on the right
/// shows the smallest, middle and largest value, and cells wide enough for
/// their value show it.
pub(crate) fn draw_heatmap<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    text: TextMode,
    sizes: &TextSizes,
    regions: &mut Vec<Region>,
) -> Result<(), ReportError> {
    let (low, high) = value_bounds(chart);
    let fraction = |value: f64| {
        if high > low {
            (value - low) / (high - low)
        } else {
            0.5
        }
    };

    let (grid_area, scale_area) = if text.is_drawn() {
        let scale_width = SCALE_BAR_WIDTH + 12 + (sizes.label * 5.0) as u32;
        let (width, _) = area.dim_in_pixel();
        let (grid_area, scale_area) = area.split_horizontally(width.saturating_sub(scale_width));
        (grid_area, Some(scale_area))
    } else {
        (area.clone(), None)
    };

    let x_axis = CategoryAxis {
        count: chart.categories.len(),
    };
    let y_axis = CategoryAxis {
        count: chart.series.len(),
    };
    // Series 0 sits at the top, at the highest position on the y axis.
    let row_position = |series: usize| (y_axis.count - 1 - series) as f64;

    let mut builder = ChartBuilder::on(&grid_area);
    builder.margin(PLOT_MARGIN);
    if text.is_drawn() {
        let names: Vec<String> = chart
            .series
            .iter()
            .map(|s| shorten_label(&s.name))
            .collect();
        let areas = LabelAreas::measure(&grid_area, chart, sizes, &names)?;
        builder
            .x_label_area_size(areas.x)
            .y_label_area_size(areas.y);
    }
    let mut context = builder
        .build_cartesian_2d(x_axis, y_axis)
        .map_err(drawing_error)?;

    let x_label_count = x_label_count(&context, chart, text, sizes)?;
    let plot_height = context.plotting_area().dim_in_pixel().1;
    let y_label_count = if text.is_drawn() {
        ((f64::from(plot_height) / (sizes.label * 1.5)) as usize).clamp(1, y_axis.count)
    } else {
        0
    };
    let x_formatter = |position: &f64| category_label(chart, x_axis, *position);
    let y_formatter = |position: &f64| {
        y_axis
            .index(*position)
            .map(|row| shorten_label(&chart.series[y_axis.count - 1 - row].name))
            .unwrap_or_default()
    };
    let mut mesh = context.configure_mesh();
    mesh.disable_mesh()
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

    for (series_index, series) in chart.series.iter().enumerate() {
        let row = row_position(series_index);
        for category in 0..series.values.len() {
            let column = category as f64;
            let (left, top) = context.backend_coord(&(column - 0.5, row + 0.5));
            let (right, bottom) = context.backend_coord(&(column + 0.5, row - 0.5));
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
        let cells = series.values.iter().enumerate().map(|(category, value)| {
            let column = category as f64;
            let corners = [(column - 0.5, row - 0.5), (column + 0.5, row + 0.5)];
            Rectangle::new(corners, heat_color(fraction(*value)).filled())
        });
        context.draw_series(cells).map_err(drawing_error)?;
    }

    if text.is_drawn() {
        draw_cell_values(&mut context, chart, sizes, &fraction)?;
    }
    if let Some(scale_area) = scale_area {
        // The scale spans the grid's height, in the scale area's pixels.
        let (_, grid_rows) = context.plotting_area().get_pixel_range();
        let scale_top = scale_area.get_base_pixel().1;
        let span = (grid_rows.start - scale_top)..(grid_rows.end - scale_top);
        draw_scale(&scale_area, span, low, high, sizes)?;
    }
    Ok(())
}

/// Smallest and largest value of all series.
fn value_bounds(chart: &Chart) -> (f64, f64) {
    chart
        .series
        .iter()
        .flat_map(|series| series.values.iter().copied())
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(low, high), value| {
            (low.min(value), high.max(value))
        })
}

/// Writes each value in its cell when every value fits its cell.
fn draw_cell_values<DB: DrawingBackend>(
    context: &mut ChartContext<'_, DB, Cartesian2d<CategoryAxis, CategoryAxis>>,
    chart: &Chart,
    sizes: &TextSizes,
    fraction: &dyn Fn(f64) -> f64,
) -> Result<(), ReportError> {
    let plot = context.plotting_area();
    let (plot_width, plot_height) = plot.dim_in_pixel();
    let cell_width = f64::from(plot_width) / chart.categories.len() as f64;
    let cell_height = f64::from(plot_height) / chart.series.len() as f64;

    let style = text_style(sizes.label).pos(Pos::new(HPos::Center, VPos::Center));
    let mut widest = 0;
    for value in chart.series.iter().flat_map(|series| &series.values) {
        let (width, _) = plot
            .estimate_text_size(&format_value(*value), &style)
            .map_err(drawing_error)?;
        widest = widest.max(width);
    }
    let padding = 4.0;
    if f64::from(widest) + padding > cell_width || sizes.label + padding > cell_height {
        return Ok(());
    }

    let rows = chart.series.len();
    for (series_index, series) in chart.series.iter().enumerate() {
        let row = (rows - 1 - series_index) as f64;
        let labels = series.values.iter().enumerate().map(|(category, value)| {
            let background = heat_color(fraction(*value));
            let cell_style = colored_text_style(sizes.label, text_color_on(background))
                .pos(Pos::new(HPos::Center, VPos::Center));
            Text::new(format_value(*value), (category as f64, row), cell_style)
        });
        context.draw_series(labels).map_err(drawing_error)?;
    }
    Ok(())
}

/// Draws a vertical colour bar over the pixel rows `span`, from the largest
/// value at the top to the smallest at the bottom, labelled with both and
/// the middle value.
fn draw_scale<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    span: Range<i32>,
    low: f64,
    high: f64,
    sizes: &TextSizes,
) -> Result<(), ReportError> {
    let (top, bottom) = (span.start, span.end);
    let left = 4;
    let right = left + SCALE_BAR_WIDTH as i32;
    let height = f64::from((bottom - top).max(1));

    for step in 0..SCALE_STEPS {
        // Step 0 is the top band, the largest values.
        let band_top = top + (height * step as f64 / SCALE_STEPS as f64).round() as i32;
        let band_bottom = top + (height * (step + 1) as f64 / SCALE_STEPS as f64).round() as i32;
        let fraction = 1.0 - (step as f64 + 0.5) / SCALE_STEPS as f64;
        let band = [(left, band_top), (right, band_bottom)];
        area.draw(&Rectangle::new(band, heat_color(fraction).filled()))
            .map_err(drawing_error)?;
    }
    area.draw(&Rectangle::new(
        [(left, top), (right, bottom)],
        BLACK.mix(0.4),
    ))
    .map_err(drawing_error)?;

    let style = text_style(sizes.label).pos(Pos::new(HPos::Left, VPos::Center));
    let labels = [
        (top, high),
        ((top + bottom) / 2, (low + high) / 2.0),
        (bottom, low),
    ];
    for (y, value) in labels {
        area.draw_text(&format_value(value), &style, (right + 6, y))
            .map_err(drawing_error)?;
    }
    Ok(())
}
