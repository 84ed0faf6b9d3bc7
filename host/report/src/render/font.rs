//! The font charts draw text with, found among the system fonts.
//!
//! plotters (with its `ab_glyph` feature) draws and measures text only in
//! fonts registered with [`plotters::style::register_font`], so this module
//! looks up one system font with `fontdb` and registers it as plotters'
//! `sans-serif` family, the family every chart element uses. A CJK family
//! comes first so that Chinese labels such as 邮件 render, and its Latin
//! glyphs serve the rest of the text.
//!
//! NOTE: plotters 0.3.7 places each glyph of PNG text without its left side
//! bearing (`draw` in its `style/font/ab_glyph.rs`), so letter spacing in
//! PNGs is uneven, with a visible gap after glyphs such as `1`. SVG text is
//! laid out by the viewer and is not affected.

use std::path::PathBuf;
use std::sync::OnceLock;

use fontdb::{Database, Family, Query, Source};
use plotters::style::{FontStyle, register_font};

/// Families that cover Simplified Chinese and Latin, most preferred first:
/// the list in `host/ui/src/font.rs`, so charts match the desktop app.
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

/// Latin families used when no CJK family is installed. Chinese text then
/// renders as missing-glyph boxes, but the rest of the chart is readable.
pub const LATIN_FAMILIES: &[&str] = &[
    "DejaVu Sans",
    "Liberation Sans",
    "Noto Sans",
    "Arial",
    "Helvetica",
];

/// The font registered for charts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChartFont {
    /// Family name, one of [`CJK_FAMILIES`] or [`LATIN_FAMILIES`].
    pub family: &'static str,
    /// File the font was read from, or `None` for a font loaded from memory.
    pub path: Option<PathBuf>,
    /// Whether the family is one of [`CJK_FAMILIES`].
    pub covers_cjk: bool,
}

static CHART_FONT: OnceLock<Option<ChartFont>> = OnceLock::new();

/// Returns the font that charts draw text with, looking it up and
/// registering it with plotters on the first call.
///
/// Returns `None`, and logs a warning once, when none of [`CJK_FAMILIES`]
/// and [`LATIN_FAMILIES`] is installed. Charts are then drawn without text.
pub fn chart_font() -> Option<&'static ChartFont> {
    CHART_FONT.get_or_init(register_system_font).as_ref()
}

fn register_system_font() -> Option<ChartFont> {
    let mut database = Database::new();
    database.load_system_fonts();

    let candidates = CJK_FAMILIES
        .iter()
        .map(|family| (*family, true))
        .chain(LATIN_FAMILIES.iter().map(|family| (*family, false)));
    for (family, covers_cjk) in candidates {
        let Some((path, data)) = load_face(&database, family) else {
            continue;
        };
        // plotters keeps a `&'static [u8]`, so the font data is leaked. This
        // happens once per process, because `CHART_FONT` caches the result.
        let data: &'static [u8] = Box::leak(data.into_boxed_slice());
        if register_font(plotters_family(), FontStyle::Normal, data).is_err() {
            tracing::warn!(
                family,
                ?path,
                "the font file is not a valid font, so it is skipped"
            );
            continue;
        }

        let font = ChartFont {
            family,
            path,
            covers_cjk,
        };
        if covers_cjk {
            tracing::info!(family, path = ?font.path, "drawing chart text with this font");
        } else {
            tracing::warn!(
                family,
                path = ?font.path,
                cjk_families = ?CJK_FAMILIES,
                "no CJK font found, so Chinese chart labels render as boxes; install one, \
                 for example fonts-noto-cjk or fonts-wqy-microhei on Debian"
            );
        }
        return Some(font);
    }

    tracing::warn!(
        families = ?CJK_FAMILIES.iter().chain(LATIN_FAMILIES).collect::<Vec<_>>(),
        "no font found, so charts are drawn without titles, labels or legends; install \
         one of these families, for example fonts-wqy-microhei on Debian"
    );
    None
}

/// A CJK font face read from the system fonts, for documents that embed it.
#[derive(Clone)]
pub struct CjkFace {
    /// Family name, one of [`CJK_FAMILIES`].
    pub family: &'static str,
    /// File the face was read from, or `None` for a font loaded from memory.
    pub path: Option<PathBuf>,
    /// The whole font file, which is a collection when `index` is above 0.
    pub data: Vec<u8>,
    /// Index of the face in a TrueType or OpenType collection (`.ttc`), 0
    /// for a single-face file.
    pub index: u32,
}

/// Reads the regular face of the first installed family of
/// [`CJK_FAMILIES`], or returns `None` when none is installed.
///
/// Unlike [`chart_font`], this never falls back to a Latin family, because
/// a document that embeds the font would show Chinese text as empty boxes.
pub fn find_cjk_face() -> Option<CjkFace> {
    let mut database = Database::new();
    database.load_system_fonts();
    CJK_FAMILIES.iter().find_map(|family| {
        let query = Query {
            families: &[Family::Name(family)],
            ..Query::default()
        };
        let id = database.query(&query)?;
        let path = match database.face_source(id)?.0 {
            Source::File(path) | Source::SharedFile(path, _) => Some(path),
            Source::Binary(_) => None,
        };
        let (data, index) = database.with_face_data(id, |data, index| (data.to_vec(), index))?;
        Some(CjkFace {
            family,
            path,
            data,
            index,
        })
    })
}

/// Family name the font is registered under in plotters. Chart elements
/// draw text in plotters' `sans-serif` family unless a style names another.
pub(crate) fn plotters_family() -> &'static str {
    plotters::style::FontFamily::SansSerif.as_str()
}

/// Reads the regular face of `family`, returning the file path (when it
/// came from a file) and the font data with that face first.
fn load_face(database: &Database, family: &str) -> Option<(Option<PathBuf>, Vec<u8>)> {
    let query = Query {
        families: &[Family::Name(family)],
        ..Query::default()
    };
    let id = database.query(&query)?;
    let path = match database.face_source(id)?.0 {
        Source::File(path) | Source::SharedFile(path, _) => Some(path),
        Source::Binary(_) => None,
    };
    let (mut data, index) = database.with_face_data(id, |data, index| (data.to_vec(), index))?;
    if index != 0 && !move_face_first(&mut data, index) {
        tracing::warn!(
            family,
            ?path,
            index,
            "the font collection header is invalid, so it is skipped"
        );
        return None;
    }
    Some((path, data))
}

/// Makes face `index` of a TrueType or OpenType collection (`.ttc`) its
/// first face, by swapping the two entries of the collection header's
/// table-directory offsets, and returns whether it did.
///
/// plotters' `register_font` reads only the first face of a collection, but
/// the family found may be a later face, as in collections that hold
/// several language variants of one design. The offsets count from the
/// start of the file, so the swap changes nothing else. Header layout: the tag `ttcf`, a 4-byte version, a 4-byte
/// face count, then one 4-byte big-endian offset per face.
fn move_face_first(data: &mut [u8], index: u32) -> bool {
    const OFFSETS_START: usize = 12;
    if data.get(0..4) != Some(b"ttcf".as_slice()) {
        return false;
    }
    let Some(count) = data.get(8..12) else {
        return false;
    };
    let count = u32::from_be_bytes([count[0], count[1], count[2], count[3]]);
    if index >= count {
        return false;
    }

    let target = OFFSETS_START + 4 * index as usize;
    if data.len() < target + 4 {
        return false;
    }
    for byte in 0..4 {
        data.swap(OFFSETS_START + byte, target + byte);
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Builds a collection header with three faces at offsets 100, 200 and 300.
    fn collection_header() -> Vec<u8> {
        let mut data = b"ttcf".to_vec();
        data.extend_from_slice(&0x0001_0000u32.to_be_bytes());
        data.extend_from_slice(&3u32.to_be_bytes());
        for offset in [100u32, 200, 300] {
            data.extend_from_slice(&offset.to_be_bytes());
        }
        data
    }

    fn offset(data: &[u8], index: usize) -> u32 {
        let start = 12 + 4 * index;
        u32::from_be_bytes(data[start..start + 4].try_into().unwrap())
    }

    #[test]
    fn move_face_first_swaps_offsets() {
        let mut data = collection_header();
        assert!(move_face_first(&mut data, 2));
        assert_eq!(offset(&data, 0), 300);
        assert_eq!(offset(&data, 1), 200);
        assert_eq!(offset(&data, 2), 100);
    }

    #[test]
    fn move_face_first_rejects_bad_headers() {
        let mut out_of_range = collection_header();
        assert!(!move_face_first(&mut out_of_range, 3));
        assert_eq!(out_of_range, collection_header());

        let mut not_collection = collection_header();
        not_collection[0..4].copy_from_slice(b"OTTO");
        assert!(!move_face_first(&mut not_collection, 1));

        let mut truncated = collection_header();
        truncated.truncate(16);
        assert!(!move_face_first(&mut truncated, 2));
    }

    /// CI installs fonts-wqy-microhei, so a CJK face must be found there.
    #[test]
    fn find_cjk_face_reads_face() {
        let face = find_cjk_face()
            .expect("no CJK font found; install fonts-wqy-microhei or fonts-noto-cjk");
        assert!(CJK_FAMILIES.contains(&face.family), "{}", face.family);
        assert!(!face.data.is_empty());
    }

    /// CI installs fonts-wqy-microhei, so a CJK family must be found there.
    #[test]
    fn chart_font_finds_cjk_family() {
        let font =
            chart_font().expect("no font found; install fonts-wqy-microhei or fonts-noto-cjk");
        assert!(
            font.covers_cjk,
            "{} has no CJK glyphs; install fonts-wqy-microhei or fonts-noto-cjk",
            font.family
        );
    }
}
