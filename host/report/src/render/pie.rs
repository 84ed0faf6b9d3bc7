//! Pie charts of the first series.

use std::f64::consts::{FRAC_PI_2, TAU};

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

use super::cartesian::PLOT_MARGIN;
use super::regions::{Region, Shape};
use super::style::{
    TextSizes, colored_text_style, format_value, series_color, shorten_label, text_color_on,
    text_style,
};
use super::{TextMode, drawing_error};
use crate::error::ReportError;
use crate::model::Chart;

/// Share of the width taken by the legend beside the pie.
const LEGEND_SHARE: f64 = 0.4;

/// Maximum angle between two points on a slice's arc, in radians (2°), so
/// that the polygon looks round at every size up to the maximum.
const ARC_STEP: f64 = TAU / 180.0;

/// Minimum share of the whole for a slice to get its percentage written
/// inside it.
const MIN_LABELLED_SHARE: f64 = 0.05;

/// Draws the first series as slices, clockwise from 12 o'clock in category
/// order, with a legend of category, value and percentage on the right.
/// Slices of value 0 are listed in the legend but not drawn.
pub(crate) fn draw_pie<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    text: TextMode,
    sizes: &TextSizes,
    regions: &mut Vec<Region>,
) -> Result<(), ReportError> {
    let values = &chart.series[0].values;
    // Validation ensures a positive total.
    let total: f64 = values.iter().sum();

    let (width, _) = area.dim_in_pixel();
    let (pie_area, legend_area) = if text.is_drawn() {
        let pie_width = (f64::from(width) * (1.0 - LEGEND_SHARE)) as u32;
        let (pie_area, legend_area) = area.split_horizontally(pie_width);
        (pie_area, Some(legend_area))
    } else {
        (area.clone(), None)
    };

    let (pie_width, pie_height) = pie_area.dim_in_pixel();
    let center = (pie_width as i32 / 2, pie_height as i32 / 2);
    let radius = f64::from(pie_width.min(pie_height)) / 2.0 - f64::from(PLOT_MARGIN);
    let radius = radius.max(1.0);
    let base = pie_area.get_base_pixel();

    let mut start = -FRAC_PI_2;
    for (index, value) in values.iter().enumerate() {
        let share = value / total;
        let sweep = share * TAU;
        if sweep > 0.0 {
            regions.push(Region {
                series: 0,
                category: index,
                shape: Shape::Sector {
                    center: (base.0 + center.0, base.1 + center.1),
                    radius,
                    start,
                    sweep,
                },
            });
            let color = series_color(index);
            let outline = wedge(center, radius, start, sweep);
            pie_area
                .draw(&Polygon::new(outline.clone(), color.filled()))
                .map_err(drawing_error)?;
            // A white edge keeps neighbouring slices of similar colour apart.
            let mut closed = outline;
            closed.push(center);
            pie_area
                .draw(&PathElement::new(closed, WHITE.stroke_width(1)))
                .map_err(drawing_error)?;

            if text.is_drawn() && share >= MIN_LABELLED_SHARE {
                let middle = start + sweep / 2.0;
                let position = point_on_circle(center, radius * 0.65, middle);
                let style = colored_text_style(sizes.label, text_color_on(color))
                    .pos(Pos::new(HPos::Center, VPos::Center));
                pie_area
                    .draw_text(&format!("{:.0}%", share * 100.0), &style, position)
                    .map_err(drawing_error)?;
            }
        }
        start += sweep;
    }

    if let Some(legend_area) = legend_area {
        draw_pie_legend(&legend_area, chart, total, sizes)?;
    }
    Ok(())
}

/// Outline of a slice: the centre, then points along the arc from `start`
/// through `sweep` radians, clockwise on screen.
fn wedge(center: (i32, i32), radius: f64, start: f64, sweep: f64) -> Vec<(i32, i32)> {
    let steps = (sweep / ARC_STEP).ceil().max(1.0) as usize;
    let mut points = Vec::with_capacity(steps + 2);
    points.push(center);
    for step in 0..=steps {
        let angle = start + sweep * step as f64 / steps as f64;
        points.push(point_on_circle(center, radius, angle));
    }
    points
}

/// Pixel at `angle` radians on the circle, measured clockwise from 3
/// o'clock because the y axis points down.
fn point_on_circle(center: (i32, i32), radius: f64, angle: f64) -> (i32, i32) {
    let (sin, cos) = angle.sin_cos();
    (
        center.0 + (radius * cos).round() as i32,
        center.1 + (radius * sin).round() as i32,
    )
}

/// Lists each category with its colour, and its value and percentage
/// aligned right. When the list is taller than the area, the last line that
/// fits shows how many categories are left out.
fn draw_pie_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, Shift>,
    chart: &Chart,
    total: f64,
    sizes: &TextSizes,
) -> Result<(), ReportError> {
    let values = &chart.series[0].values;
    let line_height = (sizes.label * 1.6).ceil() as i32;
    let (_, height) = area.dim_in_pixel();
    let margin = PLOT_MARGIN as i32;
    let fitting_lines = ((height as i32 - 2 * margin) / line_height).max(1) as usize;
    let listed_count = if values.len() > fitting_lines {
        fitting_lines - 1
    } else {
        values.len()
    };

    let style = text_style(sizes.label).pos(Pos::new(HPos::Left, VPos::Center));
    let number_style = text_style(sizes.label).pos(Pos::new(HPos::Right, VPos::Center));
    let right_edge = area.dim_in_pixel().0 as i32 - margin;
    let swatch = (sizes.label * 0.8) as i32;
    let lines = chart
        .categories
        .iter()
        .zip(values)
        .take(listed_count)
        .enumerate();
    for (index, (category, value)) in lines {
        let middle = margin + line_height * index as i32 + line_height / 2;
        let swatch_box = [(0, middle - swatch / 2), (swatch, middle + swatch / 2)];
        area.draw(&Rectangle::new(swatch_box, series_color(index).filled()))
            .map_err(drawing_error)?;
        area.draw_text(&shorten_label(category), &style, (swatch + 6, middle))
            .map_err(drawing_error)?;
        let share = format!("{} ({:.1}%)", format_value(*value), value / total * 100.0);
        area.draw_text(&share, &number_style, (right_edge, middle))
            .map_err(drawing_error)?;
    }

    let left_out = values.len() - listed_count;
    if left_out > 0 {
        let middle = margin + line_height * listed_count as i32 + line_height / 2;
        area.draw_text(&format!("… {left_out} more"), &style, (0, middle))
            .map_err(drawing_error)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wedge_quarter_runs_clockwise_from_top() {
        let points = wedge((100, 100), 50.0, -FRAC_PI_2, FRAC_PI_2);
        assert_eq!(points[0], (100, 100));
        assert_eq!(points[1], (100, 50));
        assert_eq!(*points.last().unwrap(), (150, 100));
        // 90° in steps of at most 2° needs 45 steps: the centre and 46 arc points.
        assert_eq!(points.len(), 47);
    }
}
