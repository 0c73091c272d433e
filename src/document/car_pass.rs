//! The Car-Pass on A4 (seed 002): the ID and the QR code that verifies it, the vehicle, the
//! dates and price, the mentions that are true, the chart, and the history table, which runs
//! on to further pages when it is long.

use chrono::Timelike;

use super::canvas::{self, Op, Page, Weight, PAGE_HEIGHT, PAGE_WIDTH};
use super::canvas::{ALARM, BLACK, BRAND, GREY, INK, PALE_ALARM, PALE_BRAND, RULE, STRIPE};
use super::chart;
use super::words;
use crate::domain::calendar::BRUSSELS;
use crate::domain::car_pass::CarPass;
use crate::domain::format::Formatter;
use crate::domain::language::{Language, Text};

const LEFT: f32 = 42.0;
const RIGHT: f32 = PAGE_WIDTH - 42.0;
const WIDTH: f32 = RIGHT - LEFT;
/// The history table stops here; the footer is below.
const BOTTOM: f32 = PAGE_HEIGHT - 60.0;
const ROW: f32 = 11.5;
const QR_SIDE: f32 = 100.0;

/// The Car-Pass `pass` as a PDF in `lang`. `verify_url` is what its QR code opens and its
/// footer prints: the public verification page of this Car-Pass (`{public_url}/verify/{id}`),
/// passed in because the registry's public address is configuration, not a fact of the pass.
///
/// Cannot fail: the fonts are compiled in, and a URL of a few hundred bytes always fits a QR
/// code (one up to about 2,300 bytes does).
pub fn car_pass_pdf(pass: &CarPass, lang: Language, verify_url: &str) -> Vec<u8> {
    let pages = layout(pass, lang, verify_url);
    let issued = pass.issued_at;
    let date =
        krilla::metadata::DateTime::new(issued.format("%Y").to_string().parse().unwrap_or(2000))
            .month(issued.format("%m").to_string().parse().unwrap_or(1))
            .day(issued.format("%d").to_string().parse().unwrap_or(1))
            .hour(issued.hour() as u8)
            .minute(issued.minute() as u8)
            .second(issued.second() as u8)
            .utc_offset_hour(0)
            .utc_offset_minute(0);
    let metadata = krilla::metadata::Metadata::new()
        .title(format!("Car-Pass {}", pass.id))
        .description(format!("{} — {}", words::TITLE.get(lang), pass.vin))
        .language(lang.as_str().to_owned())
        .creator("carpass".to_owned())
        .creation_date(date);
    canvas::render(&pages, metadata)
}

/// The pages of the document, footers included.
fn layout(pass: &CarPass, lang: Language, verify_url: &str) -> Vec<Page> {
    let fmt = Formatter(lang);
    let mut page = Page::default();
    let mut y = header(&mut page, pass, lang, verify_url);
    y = vehicle_and_document(&mut page, pass, lang, y + 16.0);
    y = mentions(&mut page, pass, lang, y + 12.0);
    y = chart_block(&mut page, pass, lang, y + 12.0);
    let mut pages = history(page, pass, lang, y + 12.0);
    let count = pages.len();
    for (i, page) in pages.iter_mut().enumerate() {
        footer(page, pass, lang, verify_url, i + 1, count, fmt);
    }
    pages
}

fn t(text: Text, lang: Language) -> &'static str {
    text.get(lang)
}

/// The band, the title, the ID and the QR code; returns the y below them.
fn header(page: &mut Page, pass: &CarPass, lang: Language, verify_url: &str) -> f32 {
    page.rect(0.0, 0.0, PAGE_WIDTH, 10.0, BRAND);
    page.text(LEFT, 62.0, 26.0, Weight::Bold, BRAND, "Car-Pass");
    page.text(LEFT, 82.0, 12.0, Weight::Bold, INK, t(words::TITLE, lang));
    let mut y = 96.0;
    for line in canvas::wrap(
        t(words::LAW, lang),
        Weight::Regular,
        7.5,
        WIDTH - QR_SIDE - 20.0,
    ) {
        page.text(LEFT, y, 7.5, Weight::Regular, GREY, line);
        y += 9.5;
    }
    page.text(
        LEFT,
        124.0,
        8.0,
        Weight::Regular,
        GREY,
        t(words::NUMBER, lang),
    );
    page.text(LEFT, 142.0, 17.0, Weight::Bold, BLACK, pass.id.as_str());
    qr(page, verify_url, RIGHT - QR_SIDE, 24.0);
    let scan = t(words::SCAN, lang);
    let scan_width = canvas::width(scan, Weight::Regular, 6.5);
    page.text(
        // Centred under the code, or flush right when wider than it.
        (RIGHT - QR_SIDE / 2.0 - scan_width / 2.0).min(RIGHT - scan_width),
        132.0,
        6.5,
        Weight::Regular,
        GREY,
        scan,
    );
    page.ops.push(Op::Link {
        x: RIGHT - QR_SIDE,
        y: 24.0,
        w: QR_SIDE,
        h: QR_SIDE,
        uri: verify_url.to_owned(),
    });
    page.line(vec![(LEFT, 150.0), (RIGHT, 150.0)], 0.75, RULE);
    150.0
}

/// The QR code of `url`, quiet zone included, in a `QR_SIDE` square at (x, y).
fn qr(page: &mut Page, url: &str, x: f32, y: f32) {
    // M recovers from 15 % damage: a folded or stained paper still scans.
    let code = qrcode::QrCode::with_error_correction_level(url.as_bytes(), qrcode::EcLevel::M)
        .expect("a verification URL of a few hundred bytes fits a QR code");
    let n = code.width();
    let quiet = 4;
    let module = QR_SIDE / (n + 2 * quiet) as f32;
    let mut bars = Vec::new();
    for row in 0..n {
        let mut col = 0;
        while col < n {
            if code[(col, row)] == qrcode::Color::Dark {
                let start = col;
                while col < n && code[(col, row)] == qrcode::Color::Dark {
                    col += 1;
                }
                bars.push((
                    x + (start + quiet) as f32 * module,
                    y + (row + quiet) as f32 * module,
                    (col - start) as f32 * module,
                ));
            } else {
                col += 1;
            }
        }
    }
    page.ops.push(Op::Bars {
        bars,
        // A hair taller than a module, so rows meet without a hairline gap in some viewers.
        height: module + 0.05,
        color: BLACK,
    });
}

fn heading(page: &mut Page, x: f32, y: f32, w: f32, text: &str) -> f32 {
    page.text(x, y, 10.0, Weight::Bold, BRAND, text);
    page.line(vec![(x, y + 4.0), (x + w, y + 4.0)], 0.5, BRAND);
    y + 16.0
}

fn or_unknown(value: Option<String>, lang: Language) -> (String, bool) {
    match value {
        Some(v) if !v.trim().is_empty() => (v, true),
        _ => (t(words::UNKNOWN, lang).to_owned(), false),
    }
}

/// The vehicle on the left, the document's dates and price on the right.
fn vehicle_and_document(page: &mut Page, pass: &CarPass, lang: Language, top: f32) -> f32 {
    let fmt = Formatter(lang);
    let left_width = 300.0;
    let mut y = heading(page, LEFT, top, left_width, t(words::VEHICLE, lang));
    let euro = pass.euro_norm.as_ref().map(|n| {
        if n.to_ascii_lowercase().starts_with("euro") {
            n.clone()
        } else {
            format!("Euro {n}")
        }
    });
    let fuel = pass.fuel.as_ref().map(|f| match words::fuel(f) {
        Some(text) => text.get(lang).to_owned(),
        None => f.clone(),
    });
    let rows: [(Text, Option<String>); 8] = [
        (words::VIN, Some(pass.vin.to_string())),
        (words::MAKE, pass.make.clone()),
        (words::MODEL, pass.model.clone()),
        (
            words::FIRST_USE,
            pass.first_registration.map(|d| fmt.date(d)),
        ),
        (
            words::FIRST_BE,
            pass.first_registration_be.map(|d| fmt.date(d)),
        ),
        (words::EURO_NORM, euro),
        (
            words::CO2,
            pass.co2_g_km
                .map(|g| format!("{} g/km", fmt.num(u64::from(g)))),
        ),
        (words::FUEL, fuel),
    ];
    // The values start after the widest label of the reader's language.
    let value_x = rows
        .iter()
        .map(|(label, _)| canvas::width(t(*label, lang), Weight::Regular, 8.0))
        .fold(0.0, f32::max)
        + 12.0;
    for (i, (label, value)) in rows.into_iter().enumerate() {
        page.text(LEFT, y, 8.0, Weight::Regular, GREY, t(label, lang));
        let (value, known) = if label == words::FIRST_BE {
            // Empty for a vehicle never registered in Belgium: a dash, not "not known".
            (value.unwrap_or_else(|| "—".to_owned()), true)
        } else {
            or_unknown(value, lang)
        };
        let (weight, size) = if i == 0 {
            (Weight::Bold, 10.0)
        } else {
            (Weight::Regular, 9.0)
        };
        let color = if known { INK } else { GREY };
        let value = canvas::fit(&value, weight, size, left_width - value_x);
        page.text(LEFT + value_x, y, size, weight, color, value);
        y += 12.0;
    }
    let vehicle_bottom = y;

    let x = LEFT + left_width + 24.0;
    let w = RIGHT - x;
    page.rect(x, top - 12.0, w, vehicle_bottom - top + 8.0, PALE_BRAND);
    let mut y = heading(page, x + 8.0, top, w - 16.0, t(words::DOCUMENT, lang));
    let issued = pass.issued_at.with_timezone(&BRUSSELS);
    // Free when it lists fewer than 4 readings (seed 002): said, with the reason beside it.
    let (price, why) = if pass.price_cents == 0 {
        (
            t(words::FREE, lang).to_owned(),
            Some(t(words::FREE_WHY, lang)),
        )
    } else {
        (fmt.eur(pass.price_cents), None)
    };
    let items = [
        (
            words::ISSUED,
            format!(
                "{} {:02}:{:02}",
                fmt.date(issued.date_naive()),
                issued.hour(),
                issued.minute()
            ),
            None,
        ),
        (words::VALID_UNTIL, fmt.date(pass.valid_until), None),
        (words::PRICE, price, why),
        (
            words::READINGS_COUNT,
            fmt.num(pass.readings.len() as u64),
            None,
        ),
    ];
    for (label, value, note) in items {
        page.text(x + 8.0, y, 7.5, Weight::Regular, GREY, t(label, lang));
        let value = canvas::fit(&value, Weight::Bold, 10.0, w - 16.0);
        let value_width = canvas::width(&value, Weight::Bold, 10.0);
        page.text(x + 8.0, y + 11.5, 10.0, Weight::Bold, INK, value);
        if let Some(note) = note {
            let room = w - 16.0 - value_width - 5.0;
            let note = canvas::fit(note, Weight::Regular, 7.0, room);
            page.text(
                x + 8.0 + value_width + 5.0,
                y + 11.5,
                7.0,
                Weight::Regular,
                GREY,
                note,
            );
        }
        y += 24.5;
    }
    vehicle_bottom.max(y)
}

/// The mentions that are true, then post-accident and recalls, always, "none registered"
/// when empty (seed 002).
fn mentions(page: &mut Page, pass: &CarPass, lang: Language, top: f32) -> f32 {
    let fmt = Formatter(lang);
    let m = &pass.mentions;
    let mut y = heading(page, LEFT, top, WIDTH, t(words::MENTIONS, lang));
    let mut lines: Vec<String> = Vec::new();
    if m.imported_used {
        lines.push(t(words::IMPORTED_USED, lang).to_owned());
    }
    if m.five_digit_odometer {
        lines.push(t(words::FIVE_DIGIT, lang).to_owned());
    }
    if !m.odometer_replaced.is_empty() {
        let dates: Vec<String> = m.odometer_replaced.iter().map(|d| fmt.date(*d)).collect();
        lines.push(t(words::REPLACED, lang).replace("{dates}", &dates.join(", ")));
    }
    if m.accepted_anomalies {
        lines.push(t(words::ACCEPTED, lang).to_owned());
    }
    if pass.readings.iter().any(|r| r.disputed) {
        lines.push(t(words::DISPUTED_NOTE, lang).to_owned());
    }
    if let Some(judgment) = &m.rdw_verdict {
        lines.push(words::rdw_verdict(
            judgment,
            lang,
            &fmt.date(judgment.judged_on),
        ));
    }
    if lines.is_empty() {
        page.text(
            LEFT,
            y,
            8.5,
            Weight::Regular,
            GREY,
            t(words::NO_MENTIONS, lang),
        );
        y += 12.0;
    }
    for mention in lines {
        page.text(LEFT, y, 8.5, Weight::Bold, BRAND, "■");
        for line in canvas::wrap(&mention, Weight::Bold, 8.5, WIDTH - 12.0) {
            page.text(LEFT + 12.0, y, 8.5, Weight::Bold, INK, line);
            y += 11.0;
        }
        y += 1.0;
    }
    y += 4.0;

    let label_width = 150.0;
    let (accident, alarm) = match &m.post_accident_pending {
        Some(pending) => (
            t(words::POST_ACCIDENT_PENDING, lang)
                .replace("{date}", &fmt.date(pending.reported_on))
                .replace("{reference}", &pending.informex_reference),
            true,
        ),
        None => (t(words::NONE_REGISTERED, lang).to_owned(), false),
    };
    y = labelled(
        page,
        y,
        label_width,
        t(words::POST_ACCIDENT, lang),
        &accident,
        alarm,
    );
    let recalls = if m.open_recalls.is_empty() {
        vec![t(words::NONE_REGISTERED, lang).to_owned()]
    } else {
        m.open_recalls
            .iter()
            .map(|r| {
                format!(
                    "{} — {} ({} {})",
                    r.reference,
                    r.title,
                    t(words::SINCE, lang),
                    fmt.date(r.opened_on)
                )
            })
            .collect()
    };
    let alarm = !m.open_recalls.is_empty();
    for (i, recall) in recalls.iter().enumerate() {
        let label = if i == 0 { t(words::RECALLS, lang) } else { "" };
        y = labelled(page, y, label_width, label, recall, alarm);
    }
    y
}

/// A label and its value, wrapped; in red on a pale red band when it is an alarm.
fn labelled(
    page: &mut Page,
    y: f32,
    label_width: f32,
    label: &str,
    value: &str,
    alarm: bool,
) -> f32 {
    let lines = canvas::wrap(value, Weight::Bold, 8.5, WIDTH - label_width - 8.0);
    let height = lines.len() as f32 * 11.0 + 3.0;
    if alarm {
        page.rect(LEFT - 4.0, y - 9.5, WIDTH + 8.0, height, PALE_ALARM);
    }
    page.text(LEFT, y, 8.5, Weight::Regular, GREY, label);
    let color = if alarm { ALARM } else { INK };
    let mut y = y;
    for line in lines {
        page.text(LEFT + label_width, y, 8.5, Weight::Bold, color, line);
        y += 11.0;
    }
    y + 3.0
}

/// The odometer against time; a step down is drawn in red.
fn chart_block(page: &mut Page, pass: &CarPass, lang: Language, top: f32) -> f32 {
    let fmt = Formatter(lang);
    let y = heading(page, LEFT, top, WIDTH, t(words::CHART, lang));
    let axis = 46.0;
    let (x0, y0) = (LEFT + axis, y);
    let (w, h) = (WIDTH - axis - 8.0, 80.0);
    let replaced = &pass.mentions.odometer_replaced;
    let Some(plot) = chart::plot(&pass.readings, replaced, w, h) else {
        page.text(
            LEFT,
            y + 8.0,
            8.5,
            Weight::Regular,
            GREY,
            t(words::NO_READINGS, lang),
        );
        return y + 14.0;
    };
    for &(ty, value) in &plot.y_ticks {
        page.line(vec![(x0, y0 + ty), (x0 + w, y0 + ty)], 0.4, RULE);
        page.text_right(
            x0 - 4.0,
            y0 + ty + 2.5,
            6.5,
            Weight::Regular,
            GREY,
            fmt.num(value),
        );
    }
    page.text_right(
        x0 - 4.0,
        y0 - 6.0,
        6.5,
        Weight::Bold,
        GREY,
        plot.unit.as_str(),
    );
    for &(tx, year) in &plot.x_ticks {
        page.line(vec![(x0 + tx, y0 + h), (x0 + tx, y0 + h + 3.0)], 0.5, GREY);
        let label = year.to_string();
        let lw = canvas::width(&label, Weight::Regular, 6.5);
        page.text(
            x0 + tx - lw / 2.0,
            y0 + h + 11.0,
            6.5,
            Weight::Regular,
            GREY,
            label,
        );
    }
    page.line(vec![(x0, y0), (x0, y0 + h), (x0 + w, y0 + h)], 0.6, GREY);
    let at = |(px, py): (f32, f32)| (x0 + px, y0 + py);
    for i in 1..plot.points.len() {
        let (a, b) = (at(plot.points[i - 1]), at(plot.points[i]));
        if plot.drops.contains(&i) {
            page.line(vec![a, b], 2.2, ALARM);
        } else if plot.after_replacement.contains(&i) {
            page.dashed(vec![a, b], 1.0, GREY);
        } else {
            page.line(vec![a, b], 1.2, BRAND);
        }
    }
    for &rx in &plot.replacements {
        page.dashed(vec![(x0 + rx, y0), (x0 + rx, y0 + h)], 0.8, GREY);
        let label = t(words::REPLACED_MARK, lang);
        let lw = canvas::width(label, Weight::Regular, 6.0);
        page.text(
            x0 + rx - lw / 2.0,
            y0 - 2.0,
            6.0,
            Weight::Regular,
            GREY,
            label,
        );
    }
    for (i, &point) in plot.points.iter().enumerate() {
        let (px, py) = at(point);
        let entry = &pass.readings[i];
        let color = if plot.drops.contains(&i) || entry.disputed {
            ALARM
        } else {
            BRAND
        };
        page.rect(px - 2.0, py - 2.0, 4.0, 4.0, color);
    }
    let legend_y = y0 + h + 23.0;
    if plot.drops.is_empty() {
        page.text(
            LEFT + axis,
            legend_y,
            7.5,
            Weight::Regular,
            GREY,
            t(words::CHART_STEADY, lang),
        );
    } else {
        page.rect(LEFT + axis, legend_y - 6.0, 10.0, 2.2, ALARM);
        page.text(
            LEFT + axis + 14.0,
            legend_y,
            7.5,
            Weight::Bold,
            ALARM,
            t(words::CHART_DROP, lang),
        );
    }
    legend_y + 4.0
}

/// Column x positions of the history table, from the left margin.
const COL_NUMBER_RIGHT: f32 = 16.0;
const COL_DATE: f32 = 24.0;
const COL_ODO_RIGHT: f32 = 166.0;
const COL_SOURCE: f32 = 174.0;
const COL_BY: f32 = 262.0;
const COL_REMARK: f32 = 406.0;

fn table_header(page: &mut Page, lang: Language, y: f32) -> f32 {
    page.rect(LEFT, y - 9.0, WIDTH, 13.0, BRAND);
    let white = (255, 255, 255);
    page.text_right(LEFT + COL_NUMBER_RIGHT, y, 7.5, Weight::Bold, white, "#");
    page.text(
        LEFT + COL_DATE,
        y,
        7.5,
        Weight::Bold,
        white,
        t(words::DATE, lang),
    );
    page.text_right(
        LEFT + COL_ODO_RIGHT,
        y,
        7.5,
        Weight::Bold,
        white,
        t(words::ODOMETER, lang),
    );
    page.text(
        LEFT + COL_SOURCE,
        y,
        7.5,
        Weight::Bold,
        white,
        t(words::SOURCE, lang),
    );
    page.text(
        LEFT + COL_BY,
        y,
        7.5,
        Weight::Bold,
        white,
        t(words::REGISTERED_BY, lang),
    );
    page.text(
        LEFT + COL_REMARK,
        y,
        7.5,
        Weight::Bold,
        white,
        t(words::REMARK, lang),
    );
    y + 1.0 + ROW
}

/// The history table from `top` on `first`, running on to new pages; returns every page.
fn history(first: Page, pass: &CarPass, lang: Language, top: f32) -> Vec<Page> {
    let fmt = Formatter(lang);
    let mut pages = Vec::new();
    let mut page = first;
    let mut y = heading(&mut page, LEFT, top, WIDTH, t(words::HISTORY, lang)) + 2.0;
    if pass.readings.is_empty() {
        page.text(
            LEFT,
            y,
            8.5,
            Weight::Regular,
            GREY,
            t(words::NO_READINGS, lang),
        );
        pages.push(page);
        return pages;
    }
    y = table_header(&mut page, lang, y);
    for (i, entry) in pass.readings.iter().enumerate() {
        if y > BOTTOM {
            pages.push(std::mem::take(&mut page));
            page.rect(0.0, 0.0, PAGE_WIDTH, 10.0, BRAND);
            page.text(LEFT, 42.0, 14.0, Weight::Bold, BRAND, "Car-Pass");
            page.text(
                LEFT + 70.0,
                42.0,
                14.0,
                Weight::Bold,
                BLACK,
                pass.id.as_str(),
            );
            let title = format!(
                "{} ({})",
                t(words::HISTORY, lang),
                t(words::CONTINUED, lang)
            );
            y = heading(&mut page, LEFT, 70.0, WIDTH, &title) + 2.0;
            y = table_header(&mut page, lang, y);
        }
        // As on the chart: lower than the reading before, with no new odometer in between.
        let dropped = i > 0 && {
            let before = &pass.readings[i - 1];
            before.unit.to_km(before.odometer) > entry.unit.to_km(entry.odometer)
                && !chart::replaced_between(&pass.mentions.odometer_replaced, before, entry)
        };
        if entry.disputed {
            page.rect(LEFT, y - 9.0, WIDTH, ROW, PALE_ALARM);
        } else if i % 2 == 1 {
            page.rect(LEFT, y - 9.0, WIDTH, ROW, STRIPE);
        }
        let ink = if entry.disputed { ALARM } else { INK };
        page.text_right(
            LEFT + COL_NUMBER_RIGHT,
            y,
            7.5,
            Weight::Regular,
            GREY,
            (i + 1).to_string(),
        );
        page.text(
            LEFT + COL_DATE,
            y,
            8.0,
            Weight::Regular,
            ink,
            fmt.date(entry.date),
        );
        page.text_right(
            LEFT + COL_ODO_RIGHT,
            y,
            8.0,
            Weight::Bold,
            ink,
            fmt.odo(entry.odometer, entry.unit),
        );
        if dropped {
            page.text(
                LEFT + COL_ODO_RIGHT - 88.0,
                y,
                7.0,
                Weight::Bold,
                ALARM,
                "▼",
            );
        }
        let source = words::source_of(entry.source, entry.country, lang);
        page.text(
            LEFT + COL_SOURCE,
            y,
            8.0,
            Weight::Regular,
            ink,
            canvas::fit(&source, Weight::Regular, 8.0, COL_BY - COL_SOURCE - 6.0),
        );
        let by = canvas::fit(
            &entry.registered_by,
            Weight::Regular,
            8.0,
            COL_REMARK - COL_BY - 6.0,
        );
        page.text(LEFT + COL_BY, y, 8.0, Weight::Regular, ink, by);
        let remark = if entry.disputed {
            Some((t(words::DISPUTED, lang).to_uppercase(), ALARM))
        } else if entry.accepted_anomaly {
            Some((t(words::ACCEPTED_ANOMALY, lang).to_owned(), BRAND))
        } else {
            None
        };
        if let Some((remark, color)) = remark {
            let remark = canvas::fit(&remark, Weight::Bold, 7.5, WIDTH - COL_REMARK);
            page.text(LEFT + COL_REMARK, y, 7.5, Weight::Bold, color, remark);
        }
        y += ROW;
    }
    page.line(vec![(LEFT, y - 9.0), (RIGHT, y - 9.0)], 0.5, RULE);
    pages.push(page);
    pages
}

fn footer(
    page: &mut Page,
    pass: &CarPass,
    lang: Language,
    verify_url: &str,
    number: usize,
    count: usize,
    fmt: Formatter,
) {
    let y = PAGE_HEIGHT - 46.0;
    page.line(vec![(LEFT, y), (RIGHT, y)], 0.5, RULE);
    let left = format!(
        "Car-Pass {} · {} {}",
        pass.id,
        t(words::VALID_UNTIL, lang),
        fmt.date(pass.valid_until)
    );
    page.text(LEFT, y + 11.0, 7.5, Weight::Bold, INK, left);
    let label = t(words::PAGE, lang)
        .replace("{page}", &number.to_string())
        .replace("{pages}", &count.to_string());
    page.text_right(RIGHT, y + 11.0, 7.5, Weight::Regular, GREY, label);
    let check = format!("{} {}", t(words::FOOTER, lang), verify_url);
    let mut line_y = y + 21.0;
    for line in canvas::wrap(&check, Weight::Regular, 6.5, WIDTH) {
        page.text(LEFT, line_y, 6.5, Weight::Regular, GREY, line);
        line_y += 8.0;
    }
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};

    use super::*;
    use crate::domain::car_pass::{HistoryEntry, Mentions, PostAccident, Recall};
    use crate::domain::odometer::OdometerUnit;
    use crate::domain::source::ReadingSource;
    use crate::domain::vin::Vin;

    const URL: &str = "https://registry.example/verify/4821-7730-1956-3";

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn pass(readings: usize, mentions: Mentions) -> CarPass {
        let first = date("2010-01-15");
        CarPass {
            id: "4821-7730-1956-3".into(),
            vin: Vin::parse("WDB2030461A000001").unwrap(),
            make: Some("Volkswagen".into()),
            model: Some("Golf Variant 2.0 TDI Highline BlueMotion Technology DSG".into()),
            first_registration: Some(first),
            first_registration_be: None,
            euro_norm: Some("Euro 5".into()),
            co2_g_km: None,
            fuel: Some("lpg".into()),
            issued_at: Utc.with_ymd_and_hms(2026, 6, 30, 22, 30, 0).unwrap(),
            valid_until: date("2026-08-31"),
            price_cents: if readings < 4 { 0 } else { 1050 },
            readings:
                (0..readings)
                    .map(|i| HistoryEntry {
                        date: first + chrono::Duration::days(i as i64 * 90),
                        odometer: 1_000 + i as u64 * 4_000,
                        unit: OdometerUnit::Km,
                        source: ReadingSource::ALL[i % ReadingSource::ALL.len()],
                        country: (ReadingSource::ALL[i % ReadingSource::ALL.len()]
                            == ReadingSource::Foreign)
                            .then(|| crate::domain::country::Country::parse("DE").unwrap()),
                        registered_by:
                            "Carrosserie et Garage Établissements Dupont-Vandenberghe & Fils SRL"
                                .into(),
                        disputed: i + 1 == readings,
                        accepted_anomaly: i == 2,
                        works: Vec::new(),
                    })
                    .collect(),
            mentions,
        }
    }

    fn every_mention() -> Mentions {
        Mentions {
            imported_used: true,
            five_digit_odometer: true,
            odometer_replaced: vec![date("2012-02-01"), date("2015-05-05")],
            accepted_anomalies: true,
            post_accident_pending: Some(PostAccident {
                reported_on: date("2026-05-02"),
                // Longer than a line, without a space: broken, not cut nor overflowing.
                informex_reference: "IFX-2026-0042177".repeat(8),
            }),
            open_recalls: vec![
                Recall {
                    reference: "RC-1".into(),
                    title: "Brake hose may chafe against the wheel arch liner and leak".into(),
                    opened_on: date("2024-01-01"),
                },
                Recall {
                    reference: "RC-2".into(),
                    title: "Airbag".into(),
                    opened_on: date("2025-01-01"),
                },
            ],
            rdw_verdict: Some(crate::domain::rdw::RdwJudgment {
                verdict: crate::domain::rdw::RdwVerdict::GeenOordeel,
                judged_on: date("2020-01-06"),
            }),
        }
    }

    fn texts(pages: &[Page]) -> Vec<String> {
        pages
            .iter()
            .flat_map(|p| &p.ops)
            .filter_map(|op| match op {
                Op::Text { text, .. } => Some(text.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn nothing_is_drawn_outside_the_margins_in_any_language() {
        for lang in Language::ALL {
            for (readings, mentions) in [
                (0, Mentions::default()),
                (2, Mentions::default()),
                (20, every_mention()),
                (75, every_mention()),
            ] {
                for page in layout(&pass(readings, mentions.clone()), lang, URL) {
                    for op in &page.ops {
                        if let Op::Text {
                            x,
                            y,
                            size,
                            weight,
                            text,
                            ..
                        } = op
                        {
                            let right = x + canvas::width(text, *weight, *size);
                            assert!(
                                *x >= LEFT - 0.01 && right <= RIGHT + 0.01,
                                "{lang:?} {readings}: {text:?} runs from {x} to {right}"
                            );
                            assert!(*y > 10.0 && *y < PAGE_HEIGHT - 10.0, "{text:?} at y {y}");
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_twenty_reading_history_fits_one_page_and_seventy_five_run_on() {
        assert_eq!(
            layout(&pass(20, Mentions::default()), Language::Fr, URL).len(),
            1
        );
        let pages = layout(&pass(75, every_mention()), Language::De, URL);
        assert!(pages.len() >= 3, "{}", pages.len());
        let all = texts(&pages);
        // The count in the document box, then every reading numbered once, in order.
        let numbers: Vec<usize> = all
            .iter()
            .filter_map(|t| t.parse().ok())
            .filter(|&n| (1..=75).contains(&n))
            .collect();
        assert_eq!(numbers[0], 75);
        assert_eq!(numbers[1..], (1..=75).collect::<Vec<_>>());
        let last = format!("Seite {}/{}", pages.len(), pages.len());
        assert!(all.contains(&last), "{last}");
    }

    #[test]
    fn an_empty_history_says_so_in_the_chart_and_the_table() {
        let all = texts(&layout(&pass(0, Mentions::default()), Language::En, URL));
        let said = all.iter().filter(|t| *t == words::NO_READINGS.en).count();
        assert_eq!(said, 2);
    }

    #[test]
    fn the_first_registration_in_belgium_is_a_dash_when_empty_and_a_missing_value_not_known() {
        let all = texts(&layout(&pass(2, Mentions::default()), Language::Nl, URL));
        assert!(all.iter().any(|t| t == "—"));
        // No CO2 registered: "niet gekend", not an empty line.
        assert!(all.iter().any(|t| t == "niet gekend"));
        assert!(all.iter().any(|t| t == "lpg"));
    }

    #[test]
    fn the_time_issued_is_belgian_time() {
        // 22:30 UTC on 30 June is 00:30 on 1 July in Brussels (summer time).
        let all = texts(&layout(&pass(2, Mentions::default()), Language::En, URL));
        assert!(all.iter().any(|t| t == "2026-07-01 00:30"), "{all:?}");
    }

    #[test]
    fn every_recall_and_every_replacement_is_printed() {
        let all = texts(&layout(&pass(20, every_mention()), Language::En, URL)).join(" ");
        assert!(all.contains("RC-1"), "{all}");
        assert!(all.contains("RC-2 — Airbag (since 2025-01-01)"), "{all}");
        assert!(
            all.contains("The odometer was replaced on 2012-02-01, 2015-05-05."),
            "{all}"
        );
    }

    #[test]
    fn the_same_pass_gives_the_same_bytes() {
        // A re-fetched PDF is the document that was issued, not a new one.
        let p = pass(20, every_mention());
        assert_eq!(
            car_pass_pdf(&p, Language::Nl, URL),
            car_pass_pdf(&p, Language::Nl, URL)
        );
    }
}
