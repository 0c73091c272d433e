//! What the reference DMS's screen shows at a step that needs a screenshot (C07's paper-form
//! message, C14's refusal reasons), drawn as a real PNG: a title bar and lines of text in a
//! small bitmap font of its own, so that staff reviewing a session see a screen, not a pixel.

/// Glyphs 5 pixels wide and 7 high, one string per glyph, row after row ('#' is ink).
const GLYPHS: &[(char, &str)] = &[
    ('A', ".###.#...##...#######...##...##...#"),
    ('B', "####.#...##...#####.#...##...#####."),
    ('C', ".###.#...##....#....#....#...#.###."),
    ('D', "####.#...##...##...##...##...#####."),
    ('E', "######....#....####.#....#....#####"),
    ('F', "######....#....####.#....#....#...."),
    ('G', ".###.#...##....#.####...##...#.####"),
    ('H', "#...##...##...#######...##...##...#"),
    ('I', ".###...#....#....#....#....#...###."),
    ('J', "..###...#....#....#....#.#..#..##.."),
    ('K', "#...##..#.#.#..##...#.#..#..#.#...#"),
    ('L', "#....#....#....#....#....#....#####"),
    ('M', "#...###.###.#.##.#.##...##...##...#"),
    ('N', "#...##...###..##.#.##..###...##...#"),
    ('O', ".###.#...##...##...##...##...#.###."),
    ('P', "####.#...##...#####.#....#....#...."),
    ('Q', ".###.#...##...##...##.#.##..#..##.#"),
    ('R', "####.#...##...#####.#.#..#..#.#...#"),
    ('S', ".#####....#.....###.....#....#####."),
    ('T', "#####..#....#....#....#....#....#.."),
    ('U', "#...##...##...##...##...##...#.###."),
    ('V', "#...##...##...##...##...#.#.#...#.."),
    ('W', "#...##...##...##.#.##.#.##.#.#.#.#."),
    ('X', "#...##...#.#.#...#...#.#.#...##...#"),
    ('Y', "#...##...#.#.#...#....#....#....#.."),
    ('Z', "#####....#...#...#...#...#....#####"),
    ('0', ".###.#...##..###.#.###..##...#.###."),
    ('1', "..#...##....#....#....#....#...###."),
    ('2', ".###.#...#....#...#...#...#...#####"),
    ('3', "#####...#...#.....#.....##...#.###."),
    ('4', "...#...##..#.#.#..#.#####...#....#."),
    ('5', "######....####.....#....##...#.###."),
    ('6', "..##..#...#....####.#...##...#.###."),
    ('7', "#####....#...#...#...#....#....#..."),
    ('8', ".###.#...##...#.###.#...##...#.###."),
    ('9', ".###.#...##...#.####....#...#..##.."),
    ('.', "..........................##...##.."),
    (',', ".....................##...##...#..."),
    (':', "......##...##........##...##......."),
    ('-', "................###................"),
    ('/', ".........#...#...#...#...#........."),
    ('(', "...#...#...#....#....#.....#.....#."),
    (')', ".#.....#.....#....#....#...#...#..."),
    ('\'', "..#....#...#......................."),
    ('?', ".###.#...#....#...#...#.........#.."),
    (';', ".......##...##.......##...##...#..."),
    ('_', "..............................#####"),
    ('=', "..........#####.....#####.........."),
    (' ', "..................................."),
];

const SCALE: usize = 2;
const ADVANCE: usize = 6 * SCALE;
const LINE: usize = 11 * SCALE;
const MARGIN: usize = 16;
const WIDTH: usize = 720;
const COLUMNS: usize = (WIDTH - 2 * MARGIN) / ADVANCE;
const BAR: usize = LINE + 2 * MARGIN;
const PAPER: u8 = 0xF4;
const INK: u8 = 0x20;

fn glyph(c: char) -> &'static str {
    let c = c.to_ascii_uppercase();
    let c = match c {
        'À' | 'Á' | 'Â' | 'Ä' | 'à' | 'á' | 'â' | 'ä' => 'A',
        'È' | 'É' | 'Ê' | 'Ë' | 'è' | 'é' | 'ê' | 'ë' => 'E',
        'Ï' | 'Î' | 'ï' | 'î' => 'I',
        'Ô' | 'Ö' | 'ô' | 'ö' => 'O',
        'Ù' | 'Û' | 'Ü' | 'ù' | 'û' | 'ü' => 'U',
        'Ç' | 'ç' => 'C',
        c => c,
    };
    GLYPHS
        .iter()
        .find(|(g, _)| *g == c)
        .or_else(|| GLYPHS.iter().find(|(g, _)| *g == '?'))
        .map(|(_, rows)| *rows)
        .expect("'?' is a glyph")
}

/// Breaks text into lines of at most `COLUMNS` characters, at spaces where it can.
fn wrap(text: &str) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let fits = line.chars().count() + 1 + word.chars().count() <= COLUMNS;
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
                .chunks(COLUMNS)
                .map(|c| c.iter().collect::<String>())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// A screen with a title bar and paragraphs, as an 8-bit greyscale PNG.
pub fn render(title: &str, paragraphs: &[String]) -> Vec<u8> {
    let mut lines = Vec::new();
    for paragraph in paragraphs {
        lines.extend(wrap(paragraph));
        lines.push(String::new());
    }
    let height = BAR + MARGIN + lines.len() * LINE + MARGIN;
    let mut pixels = vec![PAPER; WIDTH * height];
    for y in 0..BAR {
        pixels[y * WIDTH..(y + 1) * WIDTH].fill(INK);
    }
    let mut draw = |text: &str, top: usize, colour: u8| {
        for (i, c) in text.chars().take(COLUMNS).enumerate() {
            let rows = glyph(c).as_bytes();
            for (n, _) in rows.iter().enumerate().filter(|(_, b)| **b == b'#') {
                let (gx, gy) = (n % 5, n / 5);
                for dy in 0..SCALE {
                    let y = top + gy * SCALE + dy;
                    let x = MARGIN + i * ADVANCE + gx * SCALE;
                    pixels[y * WIDTH + x..y * WIDTH + x + SCALE].fill(colour);
                }
            }
        }
    };
    draw(title, MARGIN, PAPER);
    for (i, line) in lines.iter().enumerate() {
        draw(line, BAR + MARGIN + i * LINE, INK);
    }
    png(WIDTH, height, &pixels)
}

/// PNG with its image data in stored (uncompressed) deflate blocks: valid for every reader,
/// and no compression library for a test fixture.
fn png(width: usize, height: usize, grey: &[u8]) -> Vec<u8> {
    let mut raw = Vec::with_capacity((width + 1) * height);
    for row in grey.chunks(width) {
        raw.push(0);
        raw.extend_from_slice(row);
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        zlib.extend_from_slice(&len.to_le_bytes());
        zlib.extend_from_slice(&(!len).to_le_bytes());
        zlib.extend_from_slice(block);
    }
    zlib.extend_from_slice(&adler32(&raw).to_be_bytes());
    let mut header = Vec::new();
    header.extend_from_slice(&(width as u32).to_be_bytes());
    header.extend_from_slice(&(height as u32).to_be_bytes());
    header.extend_from_slice(&[8, 0, 0, 0, 0]);
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    for (kind, data) in [(b"IHDR", header), (b"IDAT", zlib), (b"IEND", Vec::new())] {
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

fn adler32(bytes: &[u8]) -> u32 {
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in bytes {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    (b << 16) | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_glyph_is_five_by_seven() {
        for (c, rows) in GLYPHS {
            assert_eq!(rows.len(), 35, "{c:?}");
        }
    }

    #[test]
    fn the_crc_is_png_s() {
        // The CRC of an empty IEND chunk, as every PNG ends.
        assert_eq!(crc32(b"IEND"), 0xAE42_6082);
        assert_eq!(adler32(b"Wikipedia"), 0x11E6_0398);
    }

    #[test]
    fn a_screen_is_a_png_as_wide_as_a_window_with_its_text_drawn() {
        let png = render(
            "Acme DMS 4.2",
            &["CORRECTION_LIMIT: send the signed paper correction form.".into()],
        );
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"));
        let width = u32::from_be_bytes(png[16..20].try_into().unwrap());
        let height = u32::from_be_bytes(png[20..24].try_into().unwrap());
        assert_eq!(width as usize, WIDTH);
        assert!(height > 100, "{height}");
        assert!(png.ends_with(&[0, 0, 0, 0, b'I', b'E', b'N', b'D', 0xAE, 0x42, 0x60, 0x82]));
        // Ink below the title bar: the text was drawn.
        let blank = render("Acme DMS 4.2", &[String::new()]);
        assert_ne!(png.len(), blank.len());
    }

    #[test]
    fn long_text_wraps_at_spaces() {
        let text = "word ".repeat(40);
        let lines = wrap(&text);
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|l| l.chars().count() <= COLUMNS));
    }
}
