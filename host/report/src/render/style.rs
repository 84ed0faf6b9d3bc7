//! Colours, text sizes and number formats shared by the chart kinds.

use plotters::prelude::*;
use plotters::style::TextStyle;

use super::font::plotters_family;

/// Text sizes in pixels, scaled to the chart.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TextSizes {
    pub title: f64,
    pub label: f64,
}

impl TextSizes {
    /// Sizes for a chart of `(width, height)` pixels: labels are a 32nd of
    /// the shorter side, kept between 10 and 16 pixels, and the title is one
    /// and a half times that.
    pub fn for_area((width, height): (u32, u32)) -> Self {
        let label = (f64::from(width.min(height)) / 32.0).clamp(10.0, 16.0);
        TextSizes {
            title: label * 1.5,
            label,
        }
    }
}

/// Black text of `size` pixels in the registered chart font.
pub(crate) fn text_style(size: f64) -> TextStyle<'static> {
    colored_text_style(size, BLACK)
}

/// Text of `size` pixels and `color` in the registered chart font.
pub(crate) fn colored_text_style(size: f64, color: RGBColor) -> TextStyle<'static> {
    (plotters_family(), size).into_font().color(&color)
}

/// The Tableau 10 palette, which stays distinguishable for the common forms
/// of colour blindness.
const PALETTE: [RGBColor; 10] = [
    RGBColor(0x4e, 0x79, 0xa7),
    RGBColor(0xf2, 0x8e, 0x2b),
    RGBColor(0xe1, 0x57, 0x59),
    RGBColor(0x76, 0xb7, 0xb2),
    RGBColor(0x59, 0xa1, 0x4f),
    RGBColor(0xed, 0xc9, 0x48),
    RGBColor(0xb0, 0x7a, 0xa1),
    RGBColor(0xff, 0x9d, 0xa7),
    RGBColor(0x9c, 0x75, 0x5f),
    RGBColor(0xba, 0xb0, 0xac),
];

/// Colour of series (or pie slice) `index`: the palette first, then hues a
/// golden-ratio turn apart, so that no two of the first few hundred are
/// equal.
pub(crate) fn series_color(index: usize) -> RGBColor {
    if let Some(color) = PALETTE.get(index) {
        return *color;
    }
    let hue = (index as f64 * 0.618_033_988_75).fract();
    let (red, green, blue) = HSLColor(hue, 0.55, 0.5).rgb();
    RGBColor(red, green, blue)
}

/// Stops of the viridis colour map, from low to high values. Viridis is
/// ordered in lightness and readable in greyscale.
const HEAT_STOPS: [RGBColor; 5] = [
    RGBColor(0x44, 0x01, 0x54),
    RGBColor(0x3b, 0x52, 0x8b),
    RGBColor(0x21, 0x91, 0x8c),
    RGBColor(0x5e, 0xc9, 0x62),
    RGBColor(0xfd, 0xe7, 0x25),
];

/// Colour of a heatmap cell at `fraction` of the value range, clamped to 0
/// to 1, interpolated linearly between the viridis stops.
pub(crate) fn heat_color(fraction: f64) -> RGBColor {
    let position = fraction.clamp(0.0, 1.0) * (HEAT_STOPS.len() - 1) as f64;
    let lower = (position.floor() as usize).min(HEAT_STOPS.len() - 2);
    let weight = position - lower as f64;
    let mix = |from: u8, to: u8| {
        (f64::from(from) + (f64::from(to) - f64::from(from)) * weight).round() as u8
    };
    let (from, to) = (HEAT_STOPS[lower], HEAT_STOPS[lower + 1]);
    RGBColor(mix(from.0, to.0), mix(from.1, to.1), mix(from.2, to.2))
}

/// Black or white, whichever reads better on `background`, by the WCAG
/// relative luminance without gamma correction.
pub(crate) fn text_color_on(background: RGBColor) -> RGBColor {
    let luminance = 0.2126 * f64::from(background.0)
        + 0.7152 * f64::from(background.1)
        + 0.0722 * f64::from(background.2);
    if luminance > 128.0 { BLACK } else { WHITE }
}

/// Formats a value for a label: zero and whole numbers without a
/// fraction, other values with up to two decimals, and values from 10¹⁵ up
/// or below 0.01 in scientific notation, all without trailing zeros.
pub(crate) fn format_value(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude == 0.0 {
        return "0".to_string();
    }
    if !(0.01..1e15).contains(&magnitude) {
        let text = format!("{value:.2e}");
        let (mantissa, exponent) = text.split_once('e').unwrap_or((&text, "0"));
        return format!("{}e{exponent}", trim_fraction(mantissa));
    }
    if value.fract() == 0.0 {
        return format!("{value:.0}");
    }
    trim_fraction(&format!("{value:.2}")).to_string()
}

/// Removes trailing zeros after a decimal point, and the point when nothing
/// follows it.
fn trim_fraction(number: &str) -> &str {
    if number.contains('.') {
        number.trim_end_matches('0').trim_end_matches('.')
    } else {
        number
    }
}

/// Maximum number of characters of a category or series name on an axis
/// or in a legend. Longer names are cut and end in `…`.
const MAX_SHOWN_LABEL_CHARS: usize = 24;

/// Shortens `label` to [`MAX_SHOWN_LABEL_CHARS`] characters.
pub(crate) fn shorten_label(label: &str) -> String {
    if label.chars().count() <= MAX_SHOWN_LABEL_CHARS {
        return label.to_string();
    }
    let mut short: String = label.chars().take(MAX_SHOWN_LABEL_CHARS - 1).collect();
    short.push('…');
    short
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_value_trims_fraction() {
        assert_eq!(format_value(3.0), "3");
        assert_eq!(format_value(-12.0), "-12");
        assert_eq!(format_value(0.5), "0.5");
        assert_eq!(format_value(2.345), "2.35");
        assert_eq!(format_value(0.0), "0");
        assert_eq!(format_value(-0.0015), "-1.5e-3");
        assert_eq!(format_value(1e20), "1e20");
        assert_eq!(format_value(0.999), "1");
    }

    #[test]
    fn shorten_label_cuts_long_names() {
        assert_eq!(shorten_label("邮件"), "邮件");
        let long = "客".repeat(30);
        let short = shorten_label(&long);
        assert_eq!(short.chars().count(), MAX_SHOWN_LABEL_CHARS);
        assert!(short.ends_with('…'));
    }

    #[test]
    fn heat_color_spans_viridis() {
        assert_eq!(heat_color(0.0), HEAT_STOPS[0]);
        assert_eq!(heat_color(1.0), HEAT_STOPS[4]);
        assert_eq!(heat_color(0.5), HEAT_STOPS[2]);
        assert_eq!(heat_color(-3.0), HEAT_STOPS[0]);
    }

    #[test]
    fn series_colors_differ() {
        let colors: Vec<RGBColor> = (0..40).map(series_color).collect();
        for (index, color) in colors.iter().enumerate() {
            assert!(
                !colors[..index].contains(color),
                "series {index} repeats colour {color:?}"
            );
        }
    }
}
