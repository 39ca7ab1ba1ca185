//! The certificate's two faces, DejaVu Sans and DejaVu Sans Bold (licence in
//! `data/fonts/LICENSE`), and the subsets of them a PDF embeds.
//!
//! A PDF carries only the glyphs it shows, as a CID-keyed TrueType subset with its widths and a
//! ToUnicode map, so that text extraction and screen readers get the characters back. Nearly
//! every certificate shows only characters of Spanish text and amounts: the subset of that
//! repertoire is made and compressed once per process and shared by all of them. A certificate
//! showing any other character gets a subset of its own.

use std::collections::BTreeMap;
use std::io::Write;
use std::sync::{LazyLock, OnceLock};

use flate2::Compression;
use flate2::write::ZlibEncoder;

use super::CertificateError;

/// What the regular face's shared subset holds: printable ASCII, the letters and signs of
/// Spanish, and common punctuation (names, addresses and product descriptions).
const TEXT: &str = " !\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`\
    abcdefghijklmnopqrstuvwxyz{|}~áéíóúüñÁÉÍÓÚÜÑ¿¡°ºª·–—…‘’“”•€";

/// What the bold face's shared subset holds: the bold face sets headings, labels and amounts.
const HEADINGS: &str = " #$%(),-.0123456789:ABCDEFGHIJKLMNOPQRSTUVWXYZ\
    abcdefghijklmnopqrstuvwxyzáéíóúñÁÉÍÓÚÑ";

/// One of the certificate's faces.
pub(super) struct Face {
    face: ttf_parser::Face<'static>,
    data: &'static [u8],
    postscript_name: &'static str,
    repertoire: &'static str,
    common: OnceLock<Result<Subset, CertificateError>>,
}

/// DejaVu Sans.
pub(super) static REGULAR: LazyLock<Result<Face, CertificateError>> = LazyLock::new(|| {
    Face::new(
        include_bytes!("../../../data/fonts/DejaVuSans.ttf"),
        "DejaVuSans",
        TEXT,
    )
});

/// DejaVu Sans Bold.
pub(super) static BOLD: LazyLock<Result<Face, CertificateError>> = LazyLock::new(|| {
    Face::new(
        include_bytes!("../../../data/fonts/DejaVuSans-Bold.ttf"),
        "DejaVuSans-Bold",
        HEADINGS,
    )
});

/// Glyphs of a face as one PDF embeds them: `glyphs[cid]` is the face's glyph id shown by
/// character id `cid`, with the character it stands for.
pub(super) struct Subset {
    /// Six capital letters naming this subset (the PDF's subset tag).
    pub tag: String,
    /// Each glyph of the subset in CID order: its glyph id in the face and its character.
    glyphs: Vec<(u16, char)>,
    /// The character id of each of the face's glyph ids in the subset.
    cids: BTreeMap<u16, u16>,
    /// The subset font program, zlib-compressed.
    pub font_file: Vec<u8>,
    /// The ToUnicode CMap, zlib-compressed.
    pub to_unicode: Vec<u8>,
}

impl Face {
    fn new(
        data: &'static [u8],
        postscript_name: &'static str,
        repertoire: &'static str,
    ) -> Result<Self, CertificateError> {
        let face = ttf_parser::Face::parse(data, 0).map_err(|e| CertificateError::Pdf {
            message: format!("the embedded font {postscript_name} cannot be read: {e}"),
        })?;
        Ok(Face {
            face,
            data,
            postscript_name,
            repertoire,
            common: OnceLock::new(),
        })
    }

    /// The PostScript name of the face.
    pub fn postscript_name(&self) -> &'static str {
        self.postscript_name
    }

    /// The glyph showing `c`: the replacement character's when the face has none for it, so
    /// that a missing glyph is visible rather than silently blank.
    pub fn glyph(&self, c: char) -> (u16, char) {
        match self.face.glyph_index(c) {
            Some(g) => (g.0, c),
            None => match self.face.glyph_index('\u{FFFD}') {
                Some(g) => (g.0, '\u{FFFD}'),
                None => (0, '\u{FFFD}'),
            },
        }
    }

    /// The advance of glyph `gid` in thousandths of an em (PDF glyph space).
    pub fn advance(&self, gid: u16) -> f32 {
        let units = self
            .face
            .glyph_hor_advance(ttf_parser::GlyphId(gid))
            .unwrap_or(0);
        f32::from(units) * 1000.0 / f32::from(self.face.units_per_em())
    }

    /// The width of `text` set at `size` points.
    pub fn width(&self, text: &str, size: f32) -> f32 {
        text.chars()
            .map(|c| self.advance(self.glyph(c).0))
            .sum::<f32>()
            * size
            / 1000.0
    }

    /// Font metrics for the PDF's font descriptor, in glyph space: bounding box, ascent,
    /// descent, cap height.
    pub fn metrics(&self) -> ([f32; 4], f32, f32, f32) {
        let scale = 1000.0 / f32::from(self.face.units_per_em());
        let b = self.face.global_bounding_box();
        let bbox = [
            f32::from(b.x_min) * scale,
            f32::from(b.y_min) * scale,
            f32::from(b.x_max) * scale,
            f32::from(b.y_max) * scale,
        ];
        let cap = self.face.capital_height().unwrap_or(self.face.ascender());
        (
            bbox,
            f32::from(self.face.ascender()) * scale,
            f32::from(self.face.descender()) * scale,
            f32::from(cap) * scale,
        )
    }

    /// The subset for a document showing `glyphs` (glyph id to character): the shared one when
    /// it holds them all, otherwise one made for them.
    pub fn subset_for(
        &self,
        glyphs: &BTreeMap<u16, char>,
    ) -> Result<SubsetRef<'_>, CertificateError> {
        let common = self
            .common
            .get_or_init(|| {
                let mut all = BTreeMap::new();
                for c in self.repertoire.chars() {
                    let (gid, shown) = self.glyph(c);
                    all.entry(gid).or_insert(shown);
                }
                self.subset(&all, Compression::best())
            })
            .as_ref()
            .map_err(Clone::clone)?;
        if glyphs.keys().all(|g| common.cids.contains_key(g)) {
            Ok(SubsetRef::Shared(common))
        } else {
            Ok(SubsetRef::Own(self.subset(glyphs, Compression::default())?))
        }
    }

    fn subset(
        &self,
        glyphs: &BTreeMap<u16, char>,
        level: Compression,
    ) -> Result<Subset, CertificateError> {
        let mut order: Vec<(u16, char)> = vec![(0, '\u{FFFD}')];
        order.extend(
            glyphs
                .iter()
                .filter(|(g, _)| **g != 0)
                .map(|(g, c)| (*g, *c)),
        );
        let mut remapper = subsetter::GlyphRemapper::new();
        for (gid, _) in &order {
            remapper.remap(*gid);
        }
        let program =
            subsetter::subset(self.data, 0, &remapper).map_err(|e| CertificateError::Pdf {
                message: format!("the font {} cannot be subset: {e}", self.postscript_name),
            })?;
        let cids = order
            .iter()
            .enumerate()
            .map(|(cid, (gid, _))| (*gid, cid as u16))
            .collect();
        let mut cmap = pdf_writer::types::UnicodeCmap::new(
            pdf_writer::Name(b"Custom"),
            pdf_writer::types::SystemInfo {
                registry: pdf_writer::Str(b"Adobe"),
                ordering: pdf_writer::Str(b"Identity"),
                supplement: 0,
            },
        );
        for (cid, (_, c)) in order.iter().enumerate().skip(1) {
            cmap.pair(cid as u16, *c);
        }
        Ok(Subset {
            tag: tag(self.postscript_name, &order),
            glyphs: order,
            cids,
            font_file: deflate(&program, level)?,
            to_unicode: deflate(&cmap.finish(), level)?,
        })
    }
}

impl Subset {
    /// The character id showing glyph `gid`, if the subset holds it.
    pub fn cid(&self, gid: u16) -> Option<u16> {
        self.cids.get(&gid).copied()
    }

    /// The face's glyph ids in character id order.
    pub fn glyph_ids(&self) -> impl Iterator<Item = u16> + '_ {
        self.glyphs.iter().map(|(g, _)| *g)
    }
}

/// A subset one PDF uses: the process-wide shared one or its own.
pub(super) enum SubsetRef<'a> {
    /// The subset of the common repertoire.
    Shared(&'a Subset),
    /// A subset made for this document.
    Own(Subset),
}

impl std::ops::Deref for SubsetRef<'_> {
    type Target = Subset;
    fn deref(&self) -> &Subset {
        match self {
            SubsetRef::Shared(s) => s,
            SubsetRef::Own(s) => s,
        }
    }
}

/// zlib-compresses `data` (the PDF's FlateDecode).
pub(super) fn deflate(data: &[u8], level: Compression) -> Result<Vec<u8>, CertificateError> {
    let mut encoder = ZlibEncoder::new(Vec::with_capacity(data.len() / 2), level);
    encoder
        .write_all(data)
        .and_then(|()| encoder.finish())
        .map_err(|e| CertificateError::Pdf {
            message: format!("compression failed: {e}"),
        })
}

/// The subset tag: six capital letters derived from the face and its glyphs, so that different subsets of a
/// face are told apart and the same subset always has the same tag.
fn tag(face: &str, glyphs: &[(u16, char)]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let bytes = glyphs.iter().flat_map(|(gid, _)| gid.to_be_bytes());
    for byte in face.bytes().chain(bytes) {
        hash = (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3);
    }
    (0..6)
        .map(|i| char::from(b'A' + ((hash >> (i * 8)) % 26) as u8))
        .collect()
}
