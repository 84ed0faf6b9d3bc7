//! Rendering on a system without fonts, in a test binary of its own because
//! the font lookup runs once per process.

use kefu_report::{Chart, ChartKind, Series, chart_font, render_png, render_svg};

/// Points fontdb's fontconfig lookup at an empty folder, so that no system
/// font is found, and checks that every chart kind still renders.
#[test]
fn charts_render_without_fonts() {
    let root = std::env::temp_dir().join(format!("kefu-report-no-font-{}", std::process::id()));
    let empty = root.join("fonts");
    std::fs::create_dir_all(&empty).unwrap();
    let config = root.join("fonts.conf");
    let config_text = format!("<fontconfig><dir>{}</dir></fontconfig>\n", empty.display());
    std::fs::write(&config, config_text).unwrap();
    // SAFETY: this binary has no other test, so no other thread reads the
    // environment while it changes.
    unsafe { std::env::set_var("FONTCONFIG_FILE", &config) };

    assert_eq!(chart_font(), None, "a font was found in an empty folder");
    for kind in [
        ChartKind::Bar,
        ChartKind::Line,
        ChartKind::Pie,
        ChartKind::Heatmap,
    ] {
        let chart = Chart {
            kind,
            title: "工单".to_string(),
            categories: vec!["邮件".to_string(), "聊天".to_string()],
            series: vec![Series {
                name: "新".to_string(),
                values: vec![3.0, 5.0],
            }],
            x_label: "渠道".to_string(),
            y_label: "数量".to_string(),
        };
        let svg = render_svg(&chart, 400, 300).unwrap();
        assert!(!svg.contains("<text"), "{kind:?} SVG has text");
        let png = render_png(&chart, 400, 300).unwrap();
        assert!(png.starts_with(b"\x89PNG"), "{kind:?}");
    }
    std::fs::remove_dir_all(&root).unwrap();
}
