//! SVG and PNG rendering of every chart kind.

use kefu_report::{
    Chart, ChartKind, MAX_CHART_SIDE, MIN_CHART_SIDE, ReportError, Series, chart_font, render_png,
    render_svg,
};

use crate::sample::{self, CATEGORIES};

/// Escapes text the way SVG text content needs it.
fn svg_escaped(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Returns the content of each `<text>` element, trimmed and still escaped.
fn svg_texts(svg: &str) -> Vec<String> {
    svg.split("<text")
        .skip(1)
        .map(|element| {
            let content_start = element.find('>').expect("end of a text start tag") + 1;
            let content_end = element.find("</text>").expect("text end tag");
            element[content_start..content_end].trim().to_string()
        })
        .collect()
}

/// Asserts that some `<text>` element of `svg` contains exactly `text`.
fn assert_has_text(svg: &str, text: &str, context: &str) {
    let texts = svg_texts(svg);
    assert!(
        texts.iter().any(|found| *found == svg_escaped(text)),
        "{context}: no text element contains {text:?}; found {texts:?}"
    );
}

/// Decodes a PNG, returning its width, height and 8-bit RGB pixels.
fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
    let decoder = png::Decoder::new(std::io::Cursor::new(bytes));
    let mut reader = decoder.read_info().expect("PNG header");
    let mut pixels = vec![0; reader.output_buffer_size().expect("PNG buffer size")];
    let frame = reader.next_frame(&mut pixels).expect("PNG image data");
    assert_eq!(frame.color_type, png::ColorType::Rgb);
    assert_eq!(frame.bit_depth, png::BitDepth::Eight);
    pixels.truncate(frame.buffer_size());
    (frame.width, frame.height, pixels)
}

fn require_font() {
    let font = chart_font().expect("no font found; install fonts-wqy-microhei or fonts-noto-cjk");
    assert!(
        font.covers_cjk,
        "{} has no CJK glyphs; install fonts-wqy-microhei or fonts-noto-cjk",
        font.family
    );
}

#[test]
fn svg_contains_title_and_categories() {
    require_font();
    for kind in sample::all_kinds() {
        let svg = render_svg(&sample::chart(kind), 800, 500).unwrap();
        assert!(svg.starts_with("<svg"), "{kind:?}: {}", &svg[..80]);
        assert!(
            svg.contains(r#"width="800" height="500""#),
            "{kind:?} SVG has the wrong size"
        );
        let context = format!("{kind:?}");
        assert_has_text(&svg, sample::TITLE, &context);
        for category in CATEGORIES {
            assert_has_text(&svg, category, &context);
        }
    }
}

#[test]
fn svg_names_series_in_legend() {
    require_font();
    for kind in [ChartKind::Bar, ChartKind::Line, ChartKind::Heatmap] {
        let svg = render_svg(&sample::chart(kind), 800, 500).unwrap();
        for name in ["收到", "回复"] {
            assert_has_text(&svg, name, &format!("{kind:?}"));
        }
    }
}

#[test]
fn svg_shows_axis_labels() {
    require_font();
    for kind in [ChartKind::Bar, ChartKind::Line, ChartKind::Heatmap] {
        let svg = render_svg(&sample::chart(kind), 800, 500).unwrap();
        assert_has_text(&svg, "渠道", &format!("{kind:?} x axis"));
        assert_has_text(&svg, "消息数", &format!("{kind:?} y axis"));
    }
}

#[test]
fn pie_svg_shows_shares() {
    require_font();
    let svg = render_svg(&sample::chart(ChartKind::Pie), 800, 500).unwrap();
    // The first series totals 203.5, so 邮件 is 120 of it.
    assert_has_text(&svg, "59%", "pie slice");
    assert_has_text(&svg, "120 (59.0%)", "pie legend");
    assert!(!svg.contains("回复"), "pie draws the second series");
}

#[test]
fn heatmap_svg_shows_scale() {
    require_font();
    let svg = render_svg(&sample::chart(ChartKind::Heatmap), 800, 500).unwrap();
    // Values run from 0 to 120, so the scale reads 120, 60 and 0.
    for label in ["120", "60", "0", "45.5"] {
        assert_has_text(&svg, label, "heatmap");
    }
}

#[test]
fn png_decodes_to_requested_size() {
    for kind in sample::all_kinds() {
        let png = render_png(&sample::chart(kind), 640, 360).unwrap();
        let (width, height, pixels) = decode_png(&png);
        assert_eq!((width, height), (640, 360), "{kind:?}");
        let white = [255, 255, 255];
        let coloured = pixels.chunks(3).filter(|pixel| *pixel != white).count();
        assert!(
            coloured > 640 * 360 / 20,
            "{kind:?} PNG has only {coloured} non-white pixels"
        );
    }
}

#[test]
fn png_draws_cjk_glyphs() {
    require_font();
    // A font without these characters draws the same missing-glyph box for
    // each, so the two images would be equal.
    let mut first = sample::chart(ChartKind::Bar);
    first.title = "邮件".to_string();
    let mut second = first.clone();
    second.title = "聊天".to_string();

    let (_, _, first_pixels) = decode_png(&render_png(&first, 400, 300).unwrap());
    let (_, _, second_pixels) = decode_png(&render_png(&second, 400, 300).unwrap());
    assert_ne!(first_pixels, second_pixels, "邮件 and 聊天 render the same");
}

#[test]
fn smallest_size_renders_every_kind() {
    for kind in sample::all_kinds() {
        let chart = sample::chart(kind);
        let svg = render_svg(&chart, MIN_CHART_SIDE, MIN_CHART_SIDE);
        assert!(svg.is_ok(), "{kind:?}: {svg:?}");
        let png = render_png(&chart, MIN_CHART_SIDE, MIN_CHART_SIDE).unwrap();
        let (width, height, _) = decode_png(&png);
        assert_eq!((width, height), (MIN_CHART_SIDE, MIN_CHART_SIDE));
    }
}

#[test]
fn invalid_size_is_rejected() {
    let chart = sample::chart(ChartKind::Bar);
    for (width, height) in [
        (0, 300),
        (300, MIN_CHART_SIDE - 1),
        (MAX_CHART_SIDE + 1, 300),
    ] {
        let error = render_png(&chart, width, height).unwrap_err();
        assert!(
            matches!(error, ReportError::InvalidSize { .. }),
            "{width}×{height}: {error}"
        );
        let error = render_svg(&chart, width, height).unwrap_err();
        assert!(
            matches!(error, ReportError::InvalidSize { .. }),
            "{width}×{height}: {error}"
        );
    }
}

#[test]
fn invalid_chart_is_not_rendered() {
    let mut chart = sample::chart(ChartKind::Line);
    chart.series[1].values[2] = f64::NAN;
    let error = render_svg(&chart, 400, 300).unwrap_err();
    assert!(
        matches!(error, ReportError::NonFiniteValue { .. }),
        "{error}"
    );
}

#[test]
fn largest_chart_renders() {
    // 1,000 categories by 10 series is the maximum number of values.
    let categories: Vec<String> = (0..1_000).map(|day| format!("第{day}天")).collect();
    let series: Vec<Series> = (0..10)
        .map(|index| Series {
            name: format!("坐席 {index}"),
            values: (0..1_000)
                .map(|day| f64::from((day * (index + 3)) % 97) - 20.0)
                .collect(),
        })
        .collect();
    for kind in sample::all_kinds() {
        let chart = Chart {
            kind,
            title: "每日工单".to_string(),
            categories: categories.clone(),
            series: if kind == ChartKind::Pie {
                vec![Series {
                    name: "工单".to_string(),
                    values: (0..1_000).map(|day| f64::from(day % 7)).collect(),
                }]
            } else {
                series.clone()
            },
            x_label: String::new(),
            y_label: String::new(),
        };
        let png = render_png(&chart, 1200, 600).unwrap();
        assert_eq!(decode_png(&png).0, 1200, "{kind:?}");
        let svg = render_svg(&chart, 1200, 600).unwrap();
        assert!(
            svg.ends_with("</svg>\n"),
            "{kind:?}: {}",
            &svg[svg.len() - 20..]
        );
    }
}

#[test]
fn single_value_charts_render() {
    for kind in sample::all_kinds() {
        // A pie needs a positive total, and 0 tests a flat value axis.
        let value = if kind == ChartKind::Pie { 1.0 } else { 0.0 };
        let chart = Chart {
            kind,
            title: String::new(),
            categories: vec!["今天".to_string()],
            series: vec![Series {
                name: String::new(),
                values: vec![value],
            }],
            x_label: String::new(),
            y_label: String::new(),
        };
        let svg = render_svg(&chart, 300, 200);
        assert!(svg.is_ok(), "{kind:?}: {svg:?}");
        let png = render_png(&chart, 300, 200);
        assert!(png.is_ok(), "{kind:?}: {png:?}");
    }
}
