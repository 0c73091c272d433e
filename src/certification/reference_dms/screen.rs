//! What the reference DMS's screen shows at a step that needs a screenshot (C07's paper-form
//! message, C14's refusal reasons), drawn as a real PNG: a window with a title bar and the
//! message in DejaVu Sans Mono (shipped in `assets/fonts/` with its licence), with its accents,
//! so that staff reviewing a session read the screen a garage's operator would.

use std::io::Write;

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};

/// DejaVu Sans Mono (Bitstream Vera licence, `assets/fonts/dms-screen-DejaVuSansMono.LICENSE`).
const FONT: &[u8] = include_bytes!("../../../assets/fonts/dms-screen-DejaVuSansMono.ttf");

const SIZE: f32 = 17.0;
const TITLE_SIZE: f32 = 18.0;
const MARGIN: usize = 18;
const WIDTH: usize = 720;
const LINE: usize = 24;
const BAR: usize = 44;
const PAPER: [u8; 3] = [0xF6, 0xF8, 0xFA];
const INK: [u8; 3] = [0x1D, 0x27, 0x33];
const TITLE_BAR: [u8; 3] = [0x1F, 0x5F, 0x9E];
const TITLE_INK: [u8; 3] = [0xFF, 0xFF, 0xFF];

fn font() -> FontRef<'static> {
    FontRef::try_from_slice(FONT).expect("the shipped font parses")
}

/// How many characters fit a line: the font is monospaced.
fn columns(font: &FontRef<'_>) -> usize {
    let advance = font
        .as_scaled(PxScale::from(SIZE))
        .h_advance(font.glyph_id('M'));
    ((WIDTH - 2 * MARGIN) as f32 / advance).floor() as usize
}

/// Breaks text into lines of at most `columns` characters, at spaces where it can.
fn wrap(text: &str, columns: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let fits = line.chars().count() + 1 + word.chars().count() <= columns;
        if !line.is_empty() && !fits {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    lines.push(line);
    lines
        .into_iter()
        .flat_map(|l| {
            let chars: Vec<char> = l.chars().collect();
            chars
                .chunks(columns.max(1))
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// An RGB canvas.
struct Canvas {
    width: usize,
    height: usize,
    pixels: Vec<u8>,
}

impl Canvas {
    fn new(width: usize, height: usize) -> Canvas {
        let mut pixels = Vec::with_capacity(width * height * 3);
        for _ in 0..width * height {
            pixels.extend_from_slice(&PAPER);
        }
        Canvas {
            width,
            height,
            pixels,
        }
    }

    fn fill(&mut self, top: usize, bottom: usize, colour: [u8; 3]) {
        for y in top..bottom.min(self.height) {
            for x in 0..self.width {
                self.pixels[(y * self.width + x) * 3..][..3].copy_from_slice(&colour);
            }
        }
    }

    /// Blends `colour` into a pixel by the glyph's coverage.
    fn blend(&mut self, x: i64, y: i64, coverage: f32, colour: [u8; 3]) {
        if x < 0 || y < 0 || x as usize >= self.width || y as usize >= self.height {
            return;
        }
        let at = (y as usize * self.width + x as usize) * 3;
        let c = coverage.clamp(0.0, 1.0);
        for (i, channel) in colour.iter().enumerate() {
            let old = f32::from(self.pixels[at + i]);
            self.pixels[at + i] = (old + (f32::from(*channel) - old) * c).round() as u8;
        }
    }

    /// One line of text with its baseline at `baseline`, from the left margin.
    fn text(
        &mut self,
        font: &FontRef<'_>,
        size: f32,
        baseline: usize,
        text: &str,
        colour: [u8; 3],
    ) {
        let scaled = font.as_scaled(PxScale::from(size));
        let mut x = MARGIN as f32;
        for c in text.chars() {
            let id = scaled.glyph_id(c);
            let glyph = id.with_scale_and_position(size, ab_glyph::point(x, baseline as f32));
            x += scaled.h_advance(id);
            if let Some(outlined) = font.outline_glyph(glyph) {
                let bounds = outlined.px_bounds();
                outlined.draw(|gx, gy, coverage| {
                    self.blend(
                        bounds.min.x as i64 + i64::from(gx),
                        bounds.min.y as i64 + i64::from(gy),
                        coverage,
                        colour,
                    );
                });
            }
        }
    }
}

/// A screen with a title bar and paragraphs, as an RGB PNG.
pub fn render(title: &str, paragraphs: &[String]) -> Vec<u8> {
    let font = font();
    let columns = columns(&font);
    let mut lines = Vec::new();
    for paragraph in paragraphs {
        lines.extend(wrap(paragraph, columns));
        lines.push(String::new());
    }
    let height = BAR + MARGIN + lines.len() * LINE + MARGIN;
    let mut canvas = Canvas::new(WIDTH, height);
    canvas.fill(0, BAR, TITLE_BAR);
    let title: String = title.chars().take(columns).collect();
    canvas.text(&font, TITLE_SIZE, BAR / 2 + 6, &title, TITLE_INK);
    for (i, line) in lines.iter().enumerate() {
        canvas.text(&font, SIZE, BAR + MARGIN + i * LINE + 16, line, INK);
    }
    png(&canvas)
}

/// The PNG file of an RGB canvas: the chunks written here, the image data deflated by flate2.
fn png(canvas: &Canvas) -> Vec<u8> {
    let row = canvas.width * 3;
    let mut raw = Vec::with_capacity((row + 1) * canvas.height);
    for line in canvas.pixels.chunks(row) {
        raw.push(0);
        raw.extend_from_slice(line);
    }
    let mut zlib = flate2::write::ZlibEncoder::new(Vec::new(), flate2::Compression::default());
    zlib.write_all(&raw).expect("writing to memory cannot fail");
    let data = zlib.finish().expect("writing to memory cannot fail");
    let mut header = Vec::new();
    header.extend_from_slice(&(canvas.width as u32).to_be_bytes());
    header.extend_from_slice(&(canvas.height as u32).to_be_bytes());
    // 8 bits per channel, RGB, deflate, adaptive filtering, no interlace.
    header.extend_from_slice(&[8, 2, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", header), (b"IDAT", data), (b"IEND", Vec::new())] {
        out.extend_from_slice(&(data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend_from_slice(kind);
        out.extend_from_slice(&data);
        let crc = crc32(&out[start..]);
        out.extend_from_slice(&crc.to_be_bytes());
    }
    out
}

fn crc32(bytes: &[u8]) -> u32 {
    let mut crc = 0xFFFF_FFFFu32;
    for &b in bytes {
        crc ^= u32::from(b);
        for _ in 0..8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

#[cfg(test)]
mod tests {
    use std::io::Read;

    use super::*;

    #[test]
    fn the_crc_is_png_s() {
        // The CRC of an empty IEND chunk, as every PNG ends.
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
    }

    /// The image's width, height and pixels, read back from the PNG.
    fn decode(png: &[u8]) -> (usize, usize, Vec<u8>) {
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap()) as usize;
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap()) as usize;
        let length = u32::from_be_bytes(png[33..37].try_into().unwrap()) as usize;
        assert_eq!(&png[37..41], b"IDAT");
        let mut raw = Vec::new();
        flate2::read::ZlibDecoder::new(&png[41..41 + length])
            .read_to_end(&mut raw)
            .unwrap();
        assert_eq!(raw.len(), (width * 3 + 1) * height);
        (width, height, raw)
    }

    #[test]
    fn a_screen_is_a_png_as_wide_as_a_window_with_its_text_drawn() {
        let png = render(
            "Acme DMS 4.2",
            &["CORRECTION_LIMIT : envoyez le formulaire de correction signé.".into()],
        );
        let (width, height, raw) = decode(&png);
        assert_eq!(width, WIDTH);
        assert!(height > 100, "{height}");
        assert!(png.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]));
        // Ink below the title bar: the text was drawn, anti-aliased (some grey between).
        let body = &raw[(width * 3 + 1) * BAR..];
        let shades: std::collections::BTreeSet<u8> = body.iter().copied().collect();
        assert!(
            shades.contains(&INK[0]) || shades.iter().any(|&s| s < 0x40),
            "no ink"
        );
        assert!(shades.len() > 20, "{} shades", shades.len());
        let (_, _, blank) = decode(&render("Acme DMS 4.2", &[String::new()]));
        assert_ne!(raw[..blank.len().min(raw.len())], blank[..]);
    }

    #[test]
    fn an_accent_is_drawn_not_replaced() {
        let font = font();
        for c in ['é', 'è', 'ç', 'ë', 'ü', 'ß'] {
            assert_ne!(font.glyph_id(c).0, 0, "{c} has a glyph");
        }
    }

    #[test]
    fn long_text_wraps_at_spaces() {
        let columns = columns(&font());
        assert!(columns > 50, "{columns}");
        let text = "word ".repeat(40);
        let lines = wrap(&text, columns);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.chars().count() <= columns));
    }
}
