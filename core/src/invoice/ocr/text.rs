//! Words with positions and confidences: what every text source gives, and lines made of
//! them.

/// The engine a text came from; each has its own confidence scale and default threshold.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    /// Tesseract (TSV or hOCR output).
    Tesseract,
    /// Amazon Textract.
    Textract,
    /// The text layer of a PDF (`pdftotext -tsv`): exact text, confidence 100.
    PdfText,
}

impl Engine {
    /// The default threshold below which a field read by this engine is doubtful.
    ///
    /// Tesseract's word confidences run low even for right readings (65 for a correct NIT
    /// has been seen), so its threshold is lower and cross-checks carry more weight.
    pub fn default_threshold(self) -> f32 {
        match self {
            Engine::Tesseract => 60.0,
            Engine::Textract => 80.0,
            Engine::PdfText => 50.0,
        }
    }
}

/// One word on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct Word {
    /// The text.
    pub text: String,
    /// Left edge, in the page's units (pixels, points, or thousandths for Textract).
    pub left: f32,
    /// Top edge.
    pub top: f32,
    /// Width.
    pub width: f32,
    /// Height.
    pub height: f32,
    /// The engine's confidence, 0 to 100.
    pub confidence: f32,
}

impl Word {
    fn center_y(&self) -> f32 {
        self.top + self.height / 2.0
    }
}

/// The words of one page.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct TextPage {
    /// 1-based page number.
    pub number: u32,
    /// Page width in the words' units.
    pub width: f32,
    /// Page height in the words' units.
    pub height: f32,
    /// The words, in any order.
    pub words: Vec<Word>,
}

/// The text of a document, as an engine gave it.
#[derive(Debug, Clone, PartialEq)]
pub struct TextDocument {
    /// The engine.
    pub engine: Engine,
    /// The pages.
    pub pages: Vec<TextPage>,
}

/// A line of text: words side by side, left to right.
#[derive(Debug, Clone, PartialEq)]
pub struct TextLine {
    /// The page it is on.
    pub page: u32,
    /// The words, left to right.
    pub words: Vec<Word>,
}

impl TextLine {
    /// The words joined by single spaces.
    pub fn text(&self) -> String {
        self.words
            .iter()
            .map(|w| w.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// The lowest confidence of the words.
    pub fn confidence(&self) -> f32 {
        min_confidence(&self.words)
    }
}

/// The lowest confidence of `words` (100 for none).
pub fn min_confidence(words: &[Word]) -> f32 {
    words.iter().map(|w| w.confidence).fold(100.0, f32::min)
}

impl TextDocument {
    /// The document's lines, top to bottom and page by page. Words are grouped by where
    /// they sit, not by the engine's own line ids, so every engine is read the same way: a
    /// word joins a line when its vertical middle falls within the line's band.
    pub fn lines(&self) -> Vec<TextLine> {
        let mut out = Vec::new();
        for page in &self.pages {
            // Words far taller than text are what OCR makes of graphics (the QR code, logos,
            // stamps); they would join unrelated lines into one, so they are left out.
            let mut heights: Vec<f32> = page.words.iter().map(|w| w.height).collect();
            heights.sort_by(f32::total_cmp);
            let typical = heights.get(heights.len() / 2).copied().unwrap_or(0.0);
            let mut words: Vec<&Word> = page
                .words
                .iter()
                .filter(|w| !w.text.trim().is_empty())
                .filter(|w| typical == 0.0 || w.height <= typical * 2.5)
                .collect();
            words.sort_by(|a, b| a.center_y().total_cmp(&b.center_y()));
            let mut lines: Vec<(f32, f32, Vec<Word>)> = Vec::new();
            for word in words {
                let center = word.center_y();
                let joined = lines.iter_mut().rev().take(3).find(|(top, bottom, _)| {
                    let band = (bottom - top).max(word.height);
                    center >= top - band * 0.15 && center <= bottom + band * 0.15 && {
                        let line_center = (top + bottom) / 2.0;
                        (center - line_center).abs() < band * 0.5
                    }
                });
                match joined {
                    Some((top, bottom, members)) => {
                        *top = top.min(word.top);
                        *bottom = bottom.max(word.top + word.height);
                        members.push(word.clone());
                    }
                    None => lines.push((word.top, word.top + word.height, vec![word.clone()])),
                }
            }
            lines.sort_by(|a, b| a.0.total_cmp(&b.0));
            for (_, _, mut words) in lines {
                words.sort_by(|a, b| a.left.total_cmp(&b.left));
                if self.engine != Engine::PdfText {
                    words = join_split_numbers(words);
                }
                out.push(TextLine {
                    page: page.number,
                    words,
                });
            }
        }
        out
    }
}

/// Digits, separators, or a percent sign: a piece of a number.
fn is_number_piece(text: &str) -> bool {
    text.chars().any(|c| c.is_ascii_digit())
        && text
            .chars()
            .all(|c| c.is_ascii_digit() || matches!(c, '.' | ',' | '%'))
}

/// OCR splits numbers printed in proportional fonts where a narrow digit leaves a gap
/// (`1 85,81`, `$ 1 31 .340,00`, `1 9%`). Pieces of numbers closer than a third of the text
/// height are one number: a word space is wider than that, and columns much wider.
fn join_split_numbers(words: Vec<Word>) -> Vec<Word> {
    let mut out: Vec<Word> = Vec::with_capacity(words.len());
    for word in words {
        if let Some(last) = out.last_mut() {
            let gap = word.left - (last.left + last.width);
            let height = last.height.max(word.height);
            if is_number_piece(&last.text)
                && is_number_piece(&word.text)
                && !last.text.ends_with('%')
                && gap < height * 0.34
            {
                last.text.push_str(&word.text);
                let right = (word.left + word.width).max(last.left + last.width);
                let bottom = (word.top + word.height).max(last.top + last.height);
                last.top = last.top.min(word.top);
                last.width = right - last.left;
                last.height = bottom - last.top;
                last.confidence = last.confidence.min(word.confidence);
                continue;
            }
        }
        out.push(word);
    }
    out
}
