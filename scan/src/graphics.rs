//! Graphics on a page that are not text (DIAN's QR code, logos): found and blanked before
//! OCR, which would otherwise read them as rows of garbage merged into the text around.

use image::{GrayImage, Luma};

const CELL: u32 = 16;

/// The page with every large, square, uniformly dense block painted white. Text lines are
/// wide and short, separated by white gaps, so they never form such a block.
pub fn blank_blocks(page: &GrayImage) -> GrayImage {
    let (w, h) = page.dimensions();
    let (cols, rows) = (w / CELL, h / CELL);
    let dense: Vec<bool> = (0..rows * cols)
        .map(|i| {
            let (cx, cy) = (i % cols, i / cols);
            let mut dark = 0u32;
            for y in cy * CELL..(cy + 1) * CELL {
                for x in cx * CELL..(cx + 1) * CELL {
                    if page.get_pixel(x, y).0[0] < 128 {
                        dark += 1;
                    }
                }
            }
            let ratio = dark as f32 / (CELL * CELL) as f32;
            (0.2..0.9).contains(&ratio)
        })
        .collect();
    let mut seen = vec![false; dense.len()];
    let mut out = page.clone();
    for start in 0..dense.len() {
        if !dense[start] || seen[start] {
            continue;
        }
        // Flood the component, keeping its bounding box and size.
        let mut stack = vec![start];
        seen[start] = true;
        let (mut x0, mut y0, mut x1, mut y1, mut count) = (u32::MAX, u32::MAX, 0, 0, 0u32);
        while let Some(i) = stack.pop() {
            let (cx, cy) = (i as u32 % cols, i as u32 / cols);
            x0 = x0.min(cx);
            y0 = y0.min(cy);
            x1 = x1.max(cx);
            y1 = y1.max(cy);
            count += 1;
            let mut visit = |nx: u32, ny: u32| {
                let j = (ny * cols + nx) as usize;
                if dense[j] && !seen[j] {
                    seen[j] = true;
                    stack.push(j);
                }
            };
            if cx > 0 {
                visit(cx - 1, cy);
            }
            if cx + 1 < cols {
                visit(cx + 1, cy);
            }
            if cy > 0 {
                visit(cx, cy - 1);
            }
            if cy + 1 < rows {
                visit(cx, cy + 1);
            }
        }
        let (bw, bh) = (x1 - x0 + 1, y1 - y0 + 1);
        let square = bw >= 6 && bh >= 6 && (bw as f32 / bh as f32 - 1.0).abs() < 0.4;
        if square && count as f32 >= 0.6 * (bw * bh) as f32 {
            let margin = CELL;
            for y in (y0 * CELL).saturating_sub(margin)..((y1 + 1) * CELL + margin).min(h) {
                for x in (x0 * CELL).saturating_sub(margin)..((x1 + 1) * CELL + margin).min(w) {
                    out.put_pixel(x, y, Luma([255]));
                }
            }
        }
    }
    out
}
