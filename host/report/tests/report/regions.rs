//! The outlines from `render_rgba` lie on the values it drew.

use kefu_report::{ChartKind, Shape, render_png, render_rgba};

use crate::sample;

const WIDTH: u32 = 600;
const HEIGHT: u32 = 400;

fn pixel(rgba: &[u8], (x, y): (f32, f32)) -> [u8; 3] {
    let index = (y.round() as usize * WIDTH as usize + x.round() as usize) * 4;
    [rgba[index], rgba[index + 1], rgba[index + 2]]
}

#[test]
fn rgba_has_one_region_per_drawn_value() {
    let expected = [
        (ChartKind::Bar, 8),
        (ChartKind::Line, 8),
        (ChartKind::Pie, 4),
        (ChartKind::Heatmap, 8),
    ];
    for (kind, count) in expected {
        let chart = sample::chart(kind);
        let rendered = render_rgba(&chart, WIDTH, HEIGHT).unwrap();
        assert_eq!(
            rendered.rgba.len(),
            (WIDTH * HEIGHT * 4) as usize,
            "{kind:?}"
        );
        assert_eq!(rendered.regions.len(), count, "{kind:?}");
        let mut seen: Vec<(usize, usize)> = rendered
            .regions
            .iter()
            .map(|region| (region.series, region.category))
            .collect();
        seen.sort_unstable();
        seen.dedup();
        assert_eq!(seen.len(), count, "{kind:?} has duplicate regions");
    }
}

#[test]
fn rgba_matches_png_pixels() {
    let chart = sample::chart(ChartKind::Bar);
    let rendered = render_rgba(&chart, WIDTH, HEIGHT).unwrap();
    let png = render_png(&chart, WIDTH, HEIGHT).unwrap();
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let mut rgb = vec![0; reader.output_buffer_size().unwrap()];
    reader.next_frame(&mut rgb).unwrap();
    let from_rgba: Vec<u8> = rendered
        .rgba
        .chunks_exact(4)
        .flat_map(|pixel| [pixel[0], pixel[1], pixel[2]])
        .collect();
    assert!(from_rgba == rgb, "RGBA and PNG pixels differ");
    assert!(rendered.rgba.chunks_exact(4).all(|pixel| pixel[3] == 255));
}

#[test]
fn region_interiors_are_painted_and_hit() {
    for kind in sample::all_kinds() {
        let chart = sample::chart(kind);
        let rendered = render_rgba(&chart, WIDTH, HEIGHT).unwrap();
        for region in &rendered.regions {
            let value = chart.series[region.series].values[region.category];
            if kind == ChartKind::Bar && value == 0.0 {
                // A bar of 0 has no height to click.
                continue;
            }
            let point = region.shape.interior_point();
            let color = pixel(&rendered.rgba, point);
            assert_ne!(
                color,
                [255, 255, 255],
                "{kind:?} series {} category {} is white at {point:?}",
                region.series,
                region.category
            );
            let hit = rendered
                .region_at(point.0, point.1)
                .unwrap_or_else(|| panic!("{kind:?}: nothing at {point:?}"));
            assert_eq!(
                (hit.series, hit.category),
                (region.series, region.category),
                "{kind:?} at {point:?}"
            );
        }
        assert_eq!(rendered.region_at(1.0, 1.0), None, "{kind:?} corner");
    }
}

#[test]
fn bars_grow_with_their_values() {
    let chart = sample::chart(ChartKind::Bar);
    let rendered = render_rgba(&chart, WIDTH, HEIGHT).unwrap();
    let height = |series: usize, category: usize| {
        let region = rendered
            .regions
            .iter()
            .find(|region| region.series == series && region.category == category)
            .unwrap();
        match region.shape {
            Shape::Rect { top, bottom, .. } => (bottom - top).abs(),
            other => panic!("a bar is drawn as {other:?}"),
        }
    };
    // 120 against 30 in the first series, on a shared axis from 0.
    let ratio = f64::from(height(0, 0)) / f64::from(height(0, 2));
    assert!((ratio - 4.0).abs() < 0.1, "ratio {ratio}");
    assert_eq!(height(1, 3), 0);
}
