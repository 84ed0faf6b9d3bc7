//! Draws laid-out pages into a PDF with krilla, adding the page numbers.

use krilla::Document;
use krilla::color::rgb;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::num::NormalizedF32;
use krilla::page::PageSettings;
use krilla::paint::Fill;
use krilla::surface::Surface;
use krilla::text::{Font, TextDirection};
use krilla_svg::{SurfaceExt, SvgSettings};

use super::layout::{
    BODY_SIZE, Color, FOOTER_HEIGHT, GREY, MARGIN, Op, PAGE_HEIGHT, PAGE_WIDTH, TextMeasure,
};
use crate::export::Progress;

/// Draws `pages` with `font`, adding "第 N 页，共 M 页 Page N of M" and
/// `footer` at the bottom of each, and returns the PDF file's bytes.
pub fn draw_document(
    pages: &[Vec<Op>],
    charts: &[usvg::Tree],
    font: &Font,
    measure: &TextMeasure<'_>,
    footer: &str,
    progress: &mut Progress<'_>,
) -> anyhow::Result<Vec<u8>> {
    let mut document = Document::new();
    let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).expect("A4 is a valid size");
    let total = pages.len();
    for (index, ops) in pages.iter().enumerate() {
        let mut page = document.start_page_with(settings.clone());
        let mut surface = page.surface();
        for op in ops {
            draw_op(&mut surface, op, charts, font)?;
        }

        let footer_y = PAGE_HEIGHT - MARGIN - FOOTER_HEIGHT / 2.0 + BODY_SIZE;
        draw_text(
            &mut surface,
            font,
            MARGIN,
            footer_y,
            BODY_SIZE,
            GREY,
            footer,
        );
        let number = format!(
            "第 {} 页，共 {total} 页  Page {} of {total}",
            index + 1,
            index + 1
        );
        let number_x = PAGE_WIDTH - MARGIN - measure.width(&number, BODY_SIZE);
        draw_text(
            &mut surface,
            font,
            number_x,
            footer_y,
            BODY_SIZE,
            GREY,
            &number,
        );
        surface.finish();
        page.finish();
        progress.advance(1);
    }
    document
        .finish()
        .map_err(|error| anyhow::anyhow!("building the PDF failed: {error:?}"))
}

fn draw_op(
    surface: &mut Surface<'_>,
    op: &Op,
    charts: &[usvg::Tree],
    font: &Font,
) -> anyhow::Result<()> {
    match op {
        Op::Text {
            x,
            y,
            size,
            color,
            text,
        } => draw_text(surface, font, *x, *y, *size, *color, text),
        Op::Rect {
            x,
            y,
            width,
            height,
            color,
        } => {
            let Some(rect) = Rect::from_xywh(*x, *y, *width, *height) else {
                return Ok(());
            };
            let mut builder = PathBuilder::new();
            builder.push_rect(rect);
            if let Some(path) = builder.finish() {
                surface.set_fill(Some(fill(*color)));
                surface.draw_path(&path);
            }
        }
        Op::Chart {
            index,
            x,
            y,
            width,
            height,
        } => {
            let tree = &charts[*index];
            // Scale the chart to fit the box and keep its aspect ratio.
            let scale = (width / tree.size().width()).min(height / tree.size().height());
            let size = Size::from_wh(tree.size().width() * scale, tree.size().height() * scale)
                .ok_or_else(|| anyhow::anyhow!("chart {index} has an empty size"))?;
            surface.push_transform(&Transform::from_translate(*x, *y));
            let drawn = surface.draw_svg(tree, size, SvgSettings::default());
            surface.pop();
            if drawn.is_none() {
                anyhow::bail!("drawing chart {index} into the PDF failed");
            }
        }
    }
    Ok(())
}

fn draw_text(
    surface: &mut Surface<'_>,
    font: &Font,
    x: f32,
    y: f32,
    size: f32,
    color: Color,
    text: &str,
) {
    if text.is_empty() {
        return;
    }
    surface.set_fill(Some(fill(color)));
    surface.draw_text(
        Point::from_xy(x, y),
        font.clone(),
        size,
        text,
        false,
        TextDirection::Auto,
    );
}

fn fill(Color(red, green, blue): Color) -> Fill {
    Fill {
        paint: rgb::Color::new(red, green, blue).into(),
        opacity: NormalizedF32::ONE,
        rule: Default::default(),
    }
}
