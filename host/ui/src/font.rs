//! The default font, chosen so that Chinese text renders.
//!
//! iced's bundled fonts have no CJK glyphs. cosmic-text 0.15, iced's text
//! engine, falls back per script, but on Unix its only fallback for Han is
//! the Noto Sans CJK family for the locale (SC unless the locale is
//! Japanese, Korean, Hong Kong or Taiwan). Without that font it tries every
//! installed font in turn, so Chinese comes from whichever font it finds
//! first. An installed CJK family as the default font avoids the search and
//! keeps Latin and Chinese glyphs in one design.

use iced::Font;
use iced::advanced::graphics::text::font_system;

/// Families that cover Simplified Chinese and Latin, most preferred first.
/// Noto Sans CJK SC (Debian: fonts-noto-cjk) and Source Han Sans SC are one
/// design under two names. WenQuanYi Micro Hei (Debian: fonts-wqy-microhei)
/// is a smaller package. Microsoft YaHei and PingFang SC ship with Windows
/// and macOS.
pub const CJK_FAMILIES: &[&str] = &[
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
];

/// Picks the first installed family of [`CJK_FAMILIES`], or iced's default
/// font with a warning when none is installed.
pub fn default_font() -> Font {
    match installed_cjk_family() {
        Some(family) => {
            tracing::info!(family, "using an installed CJK font as the default font");
            Font::with_name(family)
        }
        None => {
            tracing::warn!(
                families = ?CJK_FAMILIES,
                "no CJK font found, so Chinese text may not render; install one, \
                 for example fonts-noto-cjk or fonts-wqy-microhei on Debian"
            );
            Font::DEFAULT
        }
    }
}

/// Returns the first family of [`CJK_FAMILIES`] in iced's font database,
/// which contains the system fonts.
pub fn installed_cjk_family() -> Option<&'static str> {
    let Ok(mut system) = font_system().write() else {
        tracing::warn!("the font database lock is poisoned, so no CJK font can be looked up");
        return None;
    };
    let database = system.raw().db();
    CJK_FAMILIES.iter().copied().find(|family| {
        database
            .faces()
            .any(|face| face.families.iter().any(|(name, _)| name == family))
    })
}

#[cfg(test)]
mod tests {
    use iced::advanced::graphics::text::cosmic_text::{Attrs, Buffer, Family, Metrics, Shaping};

    use super::*;

    /// Shapes Chinese and Latin text in the chosen family and checks that no
    /// glyph needed a fallback font.
    #[test]
    fn cjk_family_shapes_chinese_without_fallback() {
        let family = installed_cjk_family()
            .expect("no CJK font installed; install fonts-noto-cjk or fonts-wqy-microhei");
        let text = "退款申请：订单 12345，价格咨询";

        let mut system = font_system().write().unwrap();
        let raw = system.raw();
        let mut buffer = Buffer::new(raw, Metrics::new(16.0, 20.0));
        let attrs = Attrs::new().family(Family::Name(family));
        buffer.set_text(raw, text, &attrs, Shaping::Advanced, None);
        buffer.shape_until_scroll(raw, false);

        let glyphs: Vec<_> = buffer
            .layout_runs()
            .flat_map(|run| run.glyphs.iter())
            .collect();
        assert!(!glyphs.is_empty(), "shaping {text:?} produced no glyphs");
        for glyph in glyphs {
            let face = raw
                .db()
                .face(glyph.font_id)
                .expect("face of a shaped glyph");
            let in_family = face.families.iter().any(|(name, _)| name == family);
            assert!(
                in_family,
                "{:?} came from {:?}, not {family}",
                &text[glyph.start..glyph.end],
                face.families
            );
            assert_ne!(
                glyph.glyph_id,
                0,
                "{family} has no glyph for {:?}",
                &text[glyph.start..glyph.end]
            );
        }
    }
}
