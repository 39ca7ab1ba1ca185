//! Skew: finding the angle text lines make with the horizontal, and turning the page back.
//!
//! Tesseract reads pages tilted a degree or two but returns nothing for a page tilted 10°,
//! so pages are straightened first. The angle is the one whose projection of dark pixels
//! onto the vertical axis is the most peaked (text lines become narrow dense bands): a
//! coarse search over ±15° in half degrees, then a fine one around the best in 0.05°.

use image::{GrayImage, Luma};

/// The skew of the text on `page`, in degrees, counter-clockwise positive: rotating the
/// page by `-skew` straightens it.
pub fn estimate(page: &GrayImage) -> f32 {
    let points = dark_points(page, 1200);
    if points.len() < 50 {
        return 0.0;
    }
    let extent = points.iter().map(|&(x, y)| x.max(y)).fold(0.0f32, f32::max) as usize + 1;
    let mut bins = vec![0u32; 4 * extent];
    let mut score = |degrees: f32| -> f64 {
        let (sin, cos) = degrees.to_radians().sin_cos();
        bins.iter_mut().for_each(|b| *b = 0);
        for &(x, y) in &points {
            // The row this point falls on once the page is turned by -degrees.
            let row = (y * cos + x * sin).round() as isize + 2 * extent as isize;
            if let Some(bin) = bins.get_mut(row.max(0) as usize) {
                *bin += 1;
            }
        }
        bins.iter().map(|&c| f64::from(c) * f64::from(c)).sum()
    };
    let mut best_of = |from: f32, to: f32, step: f32| {
        let mut best = (from, f64::MIN);
        let mut a = from;
        while a <= to + 1e-6 {
            let s = score(a);
            if s > best.1 {
                best = (a, s);
            }
            a += step;
        }
        best.0
    };
    let coarse = best_of(-15.0, 15.0, 0.5);
    best_of(coarse - 0.5, coarse + 0.5, 0.05)
}

/// Dark pixels of the page scaled to about `width` pixels wide, as (x, y) pairs.
fn dark_points(page: &GrayImage, width: u32) -> Vec<(f32, f32)> {
    let step = (page.width() / width).max(1);
    let mut points = Vec::new();
    for y in (0..page.height()).step_by(step as usize) {
        for x in (0..page.width()).step_by(step as usize) {
            if page.get_pixel(x, y).0[0] < 128 {
                points.push(((x / step) as f32, (y / step) as f32));
            }
        }
    }
    points
}

/// `page` turned by `degrees` (counter-clockwise positive) about its centre, bilinear, on
/// a canvas grown to hold all of it (white where nothing was): a tilted page loses no
/// corner.
pub fn rotate(page: &GrayImage, degrees: f32) -> GrayImage {
    let (w, h) = page.dimensions();
    let (cx, cy) = (w as f32 / 2.0, h as f32 / 2.0);
    let (sin, cos) = degrees.to_radians().sin_cos();
    let out_w = (w as f32 * cos.abs() + h as f32 * sin.abs()).ceil() as u32;
    let out_h = (w as f32 * sin.abs() + h as f32 * cos.abs()).ceil() as u32;
    let (ox, oy) = (out_w as f32 / 2.0, out_h as f32 / 2.0);
    let mut out = GrayImage::from_pixel(out_w, out_h, Luma([255]));
    for y in 0..out_h {
        for x in 0..out_w {
            // Where this output pixel comes from in the input.
            let dx = x as f32 - ox;
            let dy = y as f32 - oy;
            let sx = cos * dx - sin * dy + cx;
            let sy = sin * dx + cos * dy + cy;
            if sx < 0.0 || sy < 0.0 || sx >= (w - 1) as f32 || sy >= (h - 1) as f32 {
                continue;
            }
            let (x0, y0) = (sx.floor() as u32, sy.floor() as u32);
            let (fx, fy) = (sx - x0 as f32, sy - y0 as f32);
            let p = |x: u32, y: u32| f32::from(page.get_pixel(x, y).0[0]);
            let top = p(x0, y0) * (1.0 - fx) + p(x0 + 1, y0) * fx;
            let bottom = p(x0, y0 + 1) * (1.0 - fx) + p(x0 + 1, y0 + 1) * fx;
            let value = top * (1.0 - fy) + bottom * fy;
            out.put_pixel(x, y, Luma([value.round().clamp(0.0, 255.0) as u8]));
        }
    }
    out
}

/// The page straightened, and the skew that was removed.
pub fn straighten(page: &GrayImage) -> (GrayImage, f32) {
    let skew = estimate(page);
    if skew.abs() < 0.3 {
        return (page.clone(), skew);
    }
    (rotate(page, -skew), skew)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines of dark dashes, like text on a page.
    fn page() -> GrayImage {
        let mut img = GrayImage::from_pixel(800, 1000, Luma([255]));
        for line in 0..30 {
            let y = 100 + line * 28;
            for x in 100..700 {
                if (x / 9) % 5 != 4 {
                    for dy in 0..8 {
                        img.put_pixel(x, y + dy, Luma([0]));
                    }
                }
            }
        }
        img
    }

    #[test]
    fn finds_and_removes_skew() {
        for angle in [-10.0f32, -4.0, 2.5, 7.0, 10.0] {
            let skewed = rotate(&page(), angle);
            let found = estimate(&skewed);
            assert!((found - angle).abs() < 0.3, "{angle}: {found}");
            let (straight, removed) = straighten(&skewed);
            assert!((removed - angle).abs() < 0.3);
            assert!(estimate(&straight).abs() < 0.3);
        }
        assert!(estimate(&page()).abs() < 0.1);
    }
}
