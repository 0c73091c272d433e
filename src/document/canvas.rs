//! What a page shows, as a list of drawing operations in points from the top-left corner, and
//! how that list becomes PDF through krilla. Laying out first and drawing after lets the
//! layout know the page count (for "page 1/2") and lets tests read a page without a PDF.

use std::sync::LazyLock;

use krilla::color::rgb::Color;
use krilla::geom::{PathBuilder, Point, Rect};
use krilla::page::PageSettings;
use krilla::paint::{Fill, Stroke};
use krilla::text::{Font, TextDirection};
use skrifa::instance::{LocationRef, Size};
use skrifa::{FontRef, MetadataProvider};

/// A4 in points.
pub const PAGE_WIDTH: f32 = 595.28;
pub const PAGE_HEIGHT: f32 = 841.89;

/// DejaVu Sans Condensed (assets/fonts, with its licence): shipped, never a system font, so
/// the document looks the same on every machine. krilla embeds only the glyphs used.
const REGULAR: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansCondensed.ttf");
const BOLD: &[u8] = include_bytes!("../../assets/fonts/DejaVuSansCondensed-Bold.ttf");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Weight {
    Regular,
    Bold,
}

pub const BLACK: (u8, u8, u8) = (0, 0, 0);
pub const INK: (u8, u8, u8) = (33, 37, 41);
pub const GREY: (u8, u8, u8) = (108, 117, 125);
pub const RULE: (u8, u8, u8) = (190, 196, 202);
pub const STRIPE: (u8, u8, u8) = (241, 243, 245);
pub const BRAND: (u8, u8, u8) = (0, 61, 121);
pub const PALE_BRAND: (u8, u8, u8) = (228, 236, 245);
pub const ALARM: (u8, u8, u8) = (200, 16, 46);
pub const PALE_ALARM: (u8, u8, u8) = (253, 232, 235);

/// The width of `text` set in `weight` at `size` points, from the font's advance widths.
pub fn width(text: &str, weight: Weight, size: f32) -> f32 {
    static REGULAR_REF: LazyLock<FontRef<'static>> =
        LazyLock::new(|| FontRef::new(REGULAR).expect("the shipped regular font parses"));
    static BOLD_REF: LazyLock<FontRef<'static>> =
        LazyLock::new(|| FontRef::new(BOLD).expect("the shipped bold font parses"));
    let font = match weight {
        Weight::Regular => &*REGULAR_REF,
        Weight::Bold => &*BOLD_REF,
    };
    let charmap = font.charmap();
    let metrics = font.glyph_metrics(Size::new(size), LocationRef::default());
    text.chars()
        .filter_map(|c| charmap.map(c))
        .filter_map(|glyph| metrics.advance_width(glyph))
        .sum()
}

/// `text` cut to fit `max` points, with an ellipsis when something was cut.
pub fn fit(text: &str, weight: Weight, size: f32, max: f32) -> String {
    if width(text, weight, size) <= max {
        return text.to_owned();
    }
    let mut kept: String = text.to_owned();
    while !kept.is_empty() && width(&format!("{kept}…"), weight, size) > max {
        kept.pop();
    }
    format!("{}…", kept.trim_end())
}

/// Words of `text` in lines no wider than `max`.
pub fn wrap(text: &str, weight: Weight, size: f32, max: f32) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for word in text.split(' ') {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if line.is_empty() || width(&candidate, weight, size) <= max {
            line = candidate;
        } else {
            lines.push(std::mem::replace(&mut line, word.to_owned()));
        }
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}

#[derive(Debug, Clone, PartialEq)]
pub enum Op {
    /// `y` is the baseline.
    Text {
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        color: (u8, u8, u8),
        text: String,
    },
    Rect {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        color: (u8, u8, u8),
    },
    /// An open polyline.
    Line {
        points: Vec<(f32, f32)>,
        width: f32,
        color: (u8, u8, u8),
        dashed: bool,
    },
    /// Filled bars of one height and colour as one path, each `(x, y, width)`: the QR code's
    /// dark modules, a row's neighbours merged.
    Bars {
        bars: Vec<(f32, f32, f32)>,
        height: f32,
        color: (u8, u8, u8),
    },
    /// A clickable area that opens `uri`.
    Link {
        x: f32,
        y: f32,
        w: f32,
        h: f32,
        uri: String,
    },
}

/// One page's operations.
#[derive(Debug, Default, Clone)]
pub struct Page {
    pub ops: Vec<Op>,
}

impl Page {
    pub fn text(
        &mut self,
        x: f32,
        y: f32,
        size: f32,
        weight: Weight,
        color: (u8, u8, u8),
        text: impl Into<String>,
    ) {
        self.ops.push(Op::Text {
            x,
            y,
            size,
            weight,
            color,
            text: text.into(),
        });
    }

    /// Text whose right edge is at `right`.
    pub fn text_right(
        &mut self,
        right: f32,
        y: f32,
        size: f32,
        weight: Weight,
        color: (u8, u8, u8),
        text: impl Into<String>,
    ) {
        let text = text.into();
        let x = right - width(&text, weight, size);
        self.text(x, y, size, weight, color, text);
    }

    pub fn rect(&mut self, x: f32, y: f32, w: f32, h: f32, color: (u8, u8, u8)) {
        self.ops.push(Op::Rect { x, y, w, h, color });
    }

    pub fn line(&mut self, points: Vec<(f32, f32)>, width: f32, color: (u8, u8, u8)) {
        self.ops.push(Op::Line {
            points,
            width,
            color,
            dashed: false,
        });
    }

    pub fn dashed(&mut self, points: Vec<(f32, f32)>, width: f32, color: (u8, u8, u8)) {
        self.ops.push(Op::Line {
            points,
            width,
            color,
            dashed: true,
        });
    }
}

fn rgb((r, g, b): (u8, u8, u8)) -> Color {
    Color::new(r, g, b)
}

fn fill(color: (u8, u8, u8)) -> Option<Fill> {
    Some(Fill {
        paint: rgb(color).into(),
        ..Fill::default()
    })
}

/// The PDF of `pages`, with the document's metadata.
pub fn render(pages: &[Page], metadata: krilla::metadata::Metadata) -> Vec<u8> {
    let regular = Font::new(REGULAR.into(), 0).expect("the shipped regular font loads");
    let bold = Font::new(BOLD.into(), 0).expect("the shipped bold font loads");
    let mut document = krilla::Document::new();
    document.set_metadata(metadata);
    for content in pages {
        let settings = PageSettings::from_wh(PAGE_WIDTH, PAGE_HEIGHT).expect("A4 is a valid size");
        let mut page = document.start_page_with(settings);
        let mut links = Vec::new();
        let mut surface = page.surface();
        for op in &content.ops {
            match op {
                Op::Text {
                    x,
                    y,
                    size,
                    weight,
                    color,
                    text,
                } => {
                    let font = match weight {
                        Weight::Regular => regular.clone(),
                        Weight::Bold => bold.clone(),
                    };
                    surface.set_stroke(None);
                    surface.set_fill(fill(*color));
                    surface.draw_text(
                        Point::from_xy(*x, *y),
                        font,
                        *size,
                        text,
                        false,
                        TextDirection::Auto,
                    );
                }
                Op::Rect { x, y, w, h, color } => {
                    if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                        let mut path = PathBuilder::new();
                        path.push_rect(rect);
                        if let Some(path) = path.finish() {
                            surface.set_stroke(None);
                            surface.set_fill(fill(*color));
                            surface.draw_path(&path);
                        }
                    }
                }
                Op::Line {
                    points,
                    width,
                    color,
                    dashed,
                } => {
                    let mut path = PathBuilder::new();
                    for (i, (x, y)) in points.iter().enumerate() {
                        if i == 0 {
                            path.move_to(*x, *y);
                        } else {
                            path.line_to(*x, *y);
                        }
                    }
                    if let Some(path) = path.finish() {
                        surface.set_fill(None);
                        surface.set_stroke(Some(Stroke {
                            paint: rgb(*color).into(),
                            width: *width,
                            dash: dashed.then(|| krilla::paint::StrokeDash {
                                array: vec![3.0, 2.0],
                                offset: 0.0,
                            }),
                            ..Stroke::default()
                        }));
                        surface.draw_path(&path);
                    }
                }
                Op::Bars {
                    bars,
                    height,
                    color,
                } => {
                    let mut path = PathBuilder::new();
                    for (x, y, w) in bars {
                        if let Some(rect) = Rect::from_xywh(*x, *y, *w, *height) {
                            path.push_rect(rect);
                        }
                    }
                    if let Some(path) = path.finish() {
                        surface.set_stroke(None);
                        surface.set_fill(fill(*color));
                        surface.draw_path(&path);
                    }
                }
                Op::Link { x, y, w, h, uri } => {
                    if let Some(rect) = Rect::from_xywh(*x, *y, *w, *h) {
                        links.push((rect, uri.clone()));
                    }
                }
            }
        }
        surface.finish();
        for (rect, uri) in links {
            let target =
                krilla::annotation::Target::Action(krilla::action::LinkAction::new(uri).into());
            page.add_annotation(krilla::annotation::Annotation::new_link(
                krilla::annotation::LinkAnnotation::new(rect, target),
                None,
            ));
        }
        page.finish();
    }
    document
        .finish()
        .expect("a document of shipped fonts, paths and text always serialises")
}
