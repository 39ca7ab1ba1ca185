//! The certificate's QR code, as the rectangles that draw it.
//!
//! The symbol is built with `qrcode`'s canvas; the mask is chosen here by the penalty rules of
//! ISO/IEC 18004 (§7.8.3), evaluated on a plain grid of modules, which costs a small fraction of
//! the crate's own evaluation (that was a tenth of a registration's time).

use qrcode::canvas::{Canvas, MaskPattern};
use qrcode::{Color, EcLevel};

const MASKS: [MaskPattern; 8] = [
    MaskPattern::Checkerboard,
    MaskPattern::HorizontalLines,
    MaskPattern::VerticalLines,
    MaskPattern::DiagonalLines,
    MaskPattern::LargeCheckerboard,
    MaskPattern::Fields,
    MaskPattern::Diamonds,
    MaskPattern::Meadow,
];

/// The modules of the QR code of `payload` (error correction level M), row by row, `true` for
/// dark, with the side in modules; `None` when the payload does not fit in a QR code.
pub(super) fn modules(payload: &str) -> Option<(Vec<bool>, usize)> {
    let bits = qrcode::bits::encode_auto(payload.as_bytes(), EcLevel::M).ok()?;
    let version = bits.version();
    let (data, ec) =
        qrcode::ec::construct_codewords(&bits.into_bytes(), version, EcLevel::M).ok()?;
    let mut canvas = Canvas::new(version, EcLevel::M);
    canvas.draw_all_functional_patterns();
    canvas.draw_data(&data, &ec);
    let side = usize::try_from(version.width()).ok()?;
    MASKS
        .iter()
        .map(|&mask| {
            let mut masked = canvas.clone();
            masked.apply_mask(mask);
            let dark: Vec<bool> = masked
                .into_colors()
                .into_iter()
                .map(|c| c == Color::Dark)
                .collect();
            (penalty(&dark, side), dark)
        })
        .min_by_key(|(score, _)| *score)
        .map(|(_, dark)| (dark, side))
}

/// A horizontal run of dark modules: its first column, its row and its length.
pub(super) type Run = (usize, usize, usize);

/// The dark modules of the QR code of `payload` as horizontal runs, with the side in modules.
pub(super) fn runs(payload: &str) -> Option<(Vec<Run>, usize)> {
    let (dark, side) = modules(payload)?;
    let mut runs = Vec::new();
    for (row, line) in dark.chunks(side).enumerate() {
        let mut column = 0;
        while column < side {
            if line[column] {
                let start = column;
                while column < side && line[column] {
                    column += 1;
                }
                runs.push((start, row, column - start));
            } else {
                column += 1;
            }
        }
    }
    Some((runs, side))
}

/// The penalty of a masked symbol: the sum of the standard's four rules.
fn penalty(dark: &[bool], side: usize) -> u32 {
    let row = |i: usize| -> Vec<bool> { dark[i * side..(i + 1) * side].to_vec() };
    let column = |i: usize| -> Vec<bool> { (0..side).map(|j| dark[j * side + i]).collect() };
    let mut score = 0;
    for i in 0..side {
        for line in [row(i), column(i)] {
            score += runs_penalty(&line) + finder_penalty(&line);
        }
    }
    score + blocks_penalty(dark, side) + balance_penalty(dark)
}

/// Rule 1: five or more modules of one colour in a row score 3, and 1 more for each beyond five.
fn runs_penalty(line: &[bool]) -> u32 {
    let mut score = 0;
    let mut length = 0;
    for (i, &module) in line.iter().enumerate() {
        if i > 0 && module == line[i - 1] {
            length += 1;
        } else {
            if length >= 5 {
                score += length - 2;
            }
            length = 1;
        }
    }
    if length >= 5 {
        score += length - 2;
    }
    score
}

/// Rule 2: each 2 × 2 block of one colour scores 3.
fn blocks_penalty(dark: &[bool], side: usize) -> u32 {
    let mut score = 0;
    for y in 0..side - 1 {
        for x in 0..side - 1 {
            let m = dark[y * side + x];
            if dark[y * side + x + 1] == m
                && dark[(y + 1) * side + x] == m
                && dark[(y + 1) * side + x + 1] == m
            {
                score += 3;
            }
        }
    }
    score
}

/// Rule 3: a finder-like 1:1:3:1:1 pattern with four light modules on one side (the quiet zone
/// counts as light) scores 40.
fn finder_penalty(line: &[bool]) -> u32 {
    const PATTERN: [bool; 7] = [true, false, true, true, true, false, true];
    let light = |from: isize, to: isize| {
        (from..to).all(|k| k < 0 || k as usize >= line.len() || !line[k as usize])
    };
    let mut score = 0;
    for start in 0..line.len().saturating_sub(6) {
        if line[start..start + 7] == PATTERN {
            let s = start as isize;
            if light(s - 4, s) || light(s + 7, s + 11) {
                score += 40;
            }
        }
    }
    score
}

/// Rule 4: 10 for each full 5 % the share of dark modules is away from half.
fn balance_penalty(dark: &[bool]) -> u32 {
    let share = dark.iter().filter(|&&d| d).count() * 100 / dark.len().max(1);
    (share.abs_diff(50) / 5 * 10) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_score_as_the_standard_says() {
        let line = |s: &str| s.chars().map(|c| c == '#').collect::<Vec<_>>();
        assert_eq!(runs_penalty(&line("#####.")), 3);
        assert_eq!(runs_penalty(&line("..#######")), 5);
        assert_eq!(runs_penalty(&line("####.####")), 0);
        assert_eq!(finder_penalty(&line("#.###.#....")), 40);
        assert_eq!(finder_penalty(&line("....#.###.#")), 40);
        assert_eq!(
            finder_penalty(&line("#.###.#")),
            40,
            "the quiet zone is light"
        );
        assert_eq!(finder_penalty(&line("##.###.#.#.#")), 0);
        assert_eq!(blocks_penalty(&line("##.##."), 2), 0);
        assert_eq!(blocks_penalty(&line("########."), 3), 9);
        assert_eq!(balance_penalty(&line("##########")), 100);
        assert_eq!(balance_penalty(&line("#####.....")), 0);
        assert_eq!(balance_penalty(&line("###.......")), 40);
    }

    #[test]
    fn the_symbol_has_the_right_size_and_finders() {
        let (dark, side) = modules("BMC-RF|RF-20261129-25DC927C9E|25dc927c9e59d84d219515faf8cf30274dfdea9651537930c5564b3aa9d343f8").unwrap();
        assert_eq!(dark.len(), side * side);
        assert_eq!((side - 17) % 4, 0, "a QR side is 17 + 4 × version");
        // The top left finder: a dark ring of 7 with a dark 3 × 3 centre.
        let at = |x: usize, y: usize| dark[y * side + x];
        assert!((0..7).all(|i| at(i, 0) && at(0, i) && at(i, 6) && at(6, i)));
        assert!((1..6).all(|i| !at(i, 1) && !at(1, i)));
        assert!((2..5).all(|x| (2..5).all(|y| at(x, y))));
    }
}
