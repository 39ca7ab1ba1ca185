//! A one-page canvas of text and filled rectangles, written out as a PDF.
//!
//! Coordinates are in points from the page's top left corner, y growing downwards, as the
//! layout thinks of them; the PDF's are from the bottom left.

use std::collections::BTreeMap;

use flate2::Compression;
use pdf_writer::types::{CidFontType, FontFlags, SystemInfo};
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str, TextStr};

use super::CertificateError;
use super::font::{self, BOLD, Face, REGULAR};

/// The weight of a run of text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Weight {
    /// DejaVu Sans.
    Regular,
    /// DejaVu Sans Bold.
    Bold,
}

enum Mark {
    Text {
        weight: Weight,
        size: f32,
        x: f32,
        y: f32,
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        width: f32,
        height: f32,
    },
}

/// A page being drawn.
pub(super) struct Canvas {
    width: f32,
    height: f32,
    regular: &'static Face,
    bold: &'static Face,
    marks: Vec<Mark>,
}

fn face(
    face: &'static std::sync::LazyLock<Result<Face, CertificateError>>,
) -> Result<&'static Face, CertificateError> {
    face.as_ref().map_err(Clone::clone)
}

impl Canvas {
    /// An empty page of `width` by `height` points.
    pub fn new(width: f32, height: f32) -> Result<Self, CertificateError> {
        Ok(Canvas {
            width,
            height,
            regular: face(&REGULAR)?,
            bold: face(&BOLD)?,
            marks: Vec::with_capacity(128),
        })
    }

    fn face(&self, weight: Weight) -> &'static Face {
        match weight {
            Weight::Regular => self.regular,
            Weight::Bold => self.bold,
        }
    }

    /// The width of `text` at `size` points in `weight`.
    pub fn width(&self, weight: Weight, size: f32, text: &str) -> f32 {
        self.face(weight).width(text, size)
    }

    /// Sets `text` with its baseline starting at (`x`, `y`).
    pub fn text(&mut self, weight: Weight, size: f32, x: f32, y: f32, text: &str) {
        if !text.is_empty() {
            self.marks.push(Mark::Text {
                weight,
                size,
                x,
                y,
                text: text.to_string(),
            });
        }
    }

    /// Fills a black rectangle whose top left corner is (`x`, `y`).
    pub fn rect(&mut self, x: f32, y: f32, width: f32, height: f32) {
        self.marks.push(Mark::Rect {
            x,
            y,
            width,
            height,
        });
    }

    /// The PDF of the page, with `title` and `language` in its metadata.
    pub fn finish(self, title: &str, language: &str) -> Result<Vec<u8>, CertificateError> {
        let mut used: [BTreeMap<u16, char>; 2] = [BTreeMap::new(), BTreeMap::new()];
        for mark in &self.marks {
            if let Mark::Text { weight, text, .. } = mark {
                let face = self.face(*weight);
                let set = &mut used[*weight as usize];
                for c in text.chars() {
                    let (gid, shown) = face.glyph(c);
                    set.entry(gid).or_insert(shown);
                }
            }
        }
        let subsets = [
            self.regular.subset_for(&used[0])?,
            self.bold.subset_for(&used[1])?,
        ];

        let mut content = Content::new();
        for mark in &self.marks {
            if let Mark::Text {
                weight,
                size,
                x,
                y,
                text,
            } = mark
            {
                let face = self.face(*weight);
                let subset = &subsets[*weight as usize];
                let mut codes = Vec::with_capacity(text.len() * 2);
                for c in text.chars() {
                    let cid = subset.cid(face.glyph(c).0).unwrap_or(0);
                    codes.extend_from_slice(&cid.to_be_bytes());
                }
                content.begin_text();
                content.set_font(font_name(*weight), *size);
                content.next_line(*x, self.height - *y);
                content.show(Str(&codes));
                content.end_text();
            }
        }
        // The rectangles make one path, filled once (a path cannot enclose text objects).
        let mut any_rect = false;
        for mark in &self.marks {
            if let Mark::Rect {
                x,
                y,
                width,
                height,
            } = mark
            {
                content.rect(*x, self.height - *y - *height, *width, *height);
                any_rect = true;
            }
        }
        if any_rect {
            content.fill_nonzero();
        }
        let content = font::deflate(&content.finish(), Compression::fast())?;

        let mut pdf = Pdf::new();
        let catalog = Ref::new(1);
        let pages = Ref::new(2);
        let page = Ref::new(3);
        let contents = Ref::new(4);
        let info = Ref::new(5);
        pdf.catalog(catalog).pages(pages).lang(TextStr(language));
        pdf.pages(pages).kids([page]).count(1);
        let mut p = pdf.page(page);
        p.parent(pages)
            .media_box(Rect::new(0.0, 0.0, self.width, self.height))
            .contents(contents);
        {
            let mut resources = p.resources();
            let mut fonts = resources.fonts();
            for (i, weight) in [Weight::Regular, Weight::Bold].into_iter().enumerate() {
                fonts.pair(font_name(weight), Ref::new(10 + 10 * i as i32));
            }
        }
        p.finish();
        pdf.stream(contents, &content).filter(Filter::FlateDecode);
        pdf.document_info(info)
            .title(TextStr(title))
            .producer(TextStr("bmc-core"));
        for (i, weight) in [Weight::Regular, Weight::Bold].into_iter().enumerate() {
            write_font(
                &mut pdf,
                10 + 10 * i as i32,
                self.face(weight),
                weight,
                &subsets[i],
            );
        }
        Ok(pdf.finish())
    }
}

fn font_name(weight: Weight) -> Name<'static> {
    match weight {
        Weight::Regular => Name(b"F1"),
        Weight::Bold => Name(b"F2"),
    }
}

/// Writes a face's subset as a Type 0 font (Identity-H) at object numbers `first` onwards.
fn write_font(pdf: &mut Pdf, first: i32, face: &Face, weight: Weight, subset: &font::Subset) {
    let type0 = Ref::new(first);
    let cid_font = Ref::new(first + 1);
    let descriptor = Ref::new(first + 2);
    let program = Ref::new(first + 3);
    let to_unicode = Ref::new(first + 4);
    let name = format!("{}+{}", subset.tag, face.postscript_name());
    let name = Name(name.as_bytes());
    pdf.type0_font(type0)
        .base_font(name)
        .encoding_predefined(Name(b"Identity-H"))
        .descendant_font(cid_font)
        .to_unicode(to_unicode);
    let widths: Vec<f32> = subset
        .glyph_ids()
        .map(|g| face.advance(g).round())
        .collect();
    let mut cid = pdf.cid_font(cid_font);
    cid.subtype(CidFontType::Type2)
        .base_font(name)
        .system_info(SystemInfo {
            registry: Str(b"Adobe"),
            ordering: Str(b"Identity"),
            supplement: 0,
        })
        .font_descriptor(descriptor)
        .cid_to_gid_map_predefined(Name(b"Identity"));
    cid.widths().consecutive(0, widths);
    cid.finish();
    let (bbox, ascent, descent, cap_height) = face.metrics();
    let mut flags = FontFlags::NON_SYMBOLIC;
    if weight == Weight::Bold {
        flags |= FontFlags::FORCE_BOLD;
    }
    pdf.font_descriptor(descriptor)
        .name(name)
        .flags(flags)
        .bbox(Rect::new(bbox[0], bbox[1], bbox[2], bbox[3]))
        .italic_angle(0.0)
        .ascent(ascent)
        .descent(descent)
        .cap_height(cap_height)
        .stem_v(if weight == Weight::Bold { 140.0 } else { 80.0 })
        .font_file2(program);
    pdf.stream(program, &subset.font_file)
        .filter(Filter::FlateDecode);
    pdf.stream(to_unicode, &subset.to_unicode)
        .filter(Filter::FlateDecode);
}
