//! What scanning does to a page, reproduced for the OCR corpus: tilt, speckle noise, and
//! JPEG compression.

use image::{GrayImage, Luma};

/// How a page is degraded.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Scan {
    /// Tilt in degrees, counter-clockwise positive.
    pub skew: f32,
    /// Noise amplitude in grey levels (0 = clean).
    pub noise: u8,
    /// JPEG quality (1–100); `None` keeps the page lossless (PNG).
    pub jpeg_quality: Option<u8>,
}

impl Scan {
    /// The `n`th of a fixed rotation of degradations, as office scanners and phone
    /// captures produce them: tilts up to ±10°, noise up to 30 grey levels, JPEG quality
    /// down to 50.
    pub fn variant(n: usize) -> Scan {
        const SKEWS: [f32; 9] = [0.0, 0.7, -1.5, 2.5, -4.0, 5.5, -7.0, 10.0, -10.0];
        const NOISE: [u8; 4] = [0, 10, 20, 30];
        const QUALITY: [Option<u8>; 4] = [None, Some(90), Some(75), Some(50)];
        Scan {
            skew: SKEWS[n % SKEWS.len()],
            noise: NOISE[(n / 2) % NOISE.len()],
            jpeg_quality: QUALITY[(n / 3) % QUALITY.len()],
        }
    }

    /// A short label, such as `skew=-4.0 noise=20 jpeg=60`.
    pub fn label(&self) -> String {
        format!(
            "skew={:+.1} noise={} {}",
            self.skew,
            self.noise,
            self.jpeg_quality
                .map_or("png".to_string(), |q| format!("jpeg={q}"))
        )
    }
}

/// Adds the noise; the tilt is rendered with the page (see `PageStyle::tilt`) and the JPEG
/// step happens when the page is encoded.
pub fn degrade(page: &GrayImage, scan: &Scan, seed: u64) -> GrayImage {
    let mut out = page.clone();
    if scan.noise > 0 {
        let mut state = seed ^ 0x005E_ED0F_5CA4;
        let amplitude = i32::from(scan.noise);
        for pixel in out.pixels_mut() {
            state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            // Sum of two uniforms: a triangular distribution around 0.
            let a = (z & 0xFFFF) as i32 * amplitude / 0xFFFF;
            let b = ((z >> 16) & 0xFFFF) as i32 * amplitude / 0xFFFF;
            let value = i32::from(pixel.0[0]) + a - b;
            *pixel = Luma([value.clamp(0, 255) as u8]);
        }
    }
    out
}

/// Encodes the page as the scan says: JPEG at its quality, or PNG.
pub fn encode(page: &GrayImage, scan: &Scan) -> Result<Vec<u8>, image::ImageError> {
    let mut bytes = Vec::new();
    match scan.jpeg_quality {
        Some(q) => {
            let encoder =
                image::codecs::jpeg::JpegEncoder::new_with_quality(&mut bytes, q.clamp(1, 100));
            page.write_with_encoder(encoder)?;
        }
        None => {
            let encoder = image::codecs::png::PngEncoder::new(&mut bytes);
            page.write_with_encoder(encoder)?;
        }
    }
    Ok(bytes)
}
