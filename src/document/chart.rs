//! The odometer-against-time chart, as geometry: where each reading sits in the plot area,
//! which steps go down (seed 002: "a sudden drop of the odometer may point to tampering",
//! which is what a buyer looks for), and the axis ticks.

use chrono::{Datelike, NaiveDate};

use crate::domain::car_pass::HistoryEntry;
use crate::domain::odometer::OdometerUnit;

#[derive(Debug, Clone, PartialEq)]
pub struct Plot {
    /// One per reading, in the plot area: x from the left, y from the top.
    pub points: Vec<(f32, f32)>,
    /// The indexes `i` whose reading is lower than reading `i - 1` with no odometer
    /// replacement in between: what a buyer must ask about.
    pub drops: Vec<usize>,
    /// The same, where the odometer was replaced in between: explained, drawn apart.
    pub after_replacement: Vec<usize>,
    /// x of each odometer replacement inside the time span.
    pub replacements: Vec<f32>,
    /// (y, value) of each horizontal grid line, 0 included.
    pub y_ticks: Vec<(f32, u64)>,
    /// (x, year) at each 1 January inside the time span.
    pub x_ticks: Vec<(f32, i32)>,
    /// The values' unit: the readings' own, or km when they mix units.
    pub unit: OdometerUnit,
}

/// Fewer than this many days between the first and the last reading are spread over this
/// many, so that two readings a week apart are not drawn at the two ends of the chart.
const MIN_SPAN_DAYS: i64 = 365;

/// The plot of `readings` (oldest first) in an area `width` × `height`, the odometer replaced
/// on the days `replaced`; `None` without readings.
pub fn plot(
    readings: &[HistoryEntry],
    replaced: &[NaiveDate],
    width: f32,
    height: f32,
) -> Option<Plot> {
    let first = readings.first()?;
    let unit = if readings.iter().all(|r| r.unit == first.unit) {
        first.unit
    } else {
        OdometerUnit::Km
    };
    let values: Vec<u64> = readings
        .iter()
        .map(|r| {
            if r.unit == unit {
                r.odometer
            } else {
                r.unit.to_km(r.odometer)
            }
        })
        .collect();
    let top = values.iter().copied().max().unwrap_or(0);
    let step = nice_step(top.div_ceil(4));
    let y_max = top.div_ceil(step).max(1) * step;
    let y = |v: u64| height - (v as f64 / y_max as f64 * height as f64) as f32;

    let earliest = readings.iter().map(|r| r.date).min()?;
    let latest = readings.iter().map(|r| r.date).max()?;
    let span = (latest - earliest).num_days();
    let (start, days) = if span < MIN_SPAN_DAYS {
        let pad = (MIN_SPAN_DAYS - span) / 2;
        (earliest - chrono::Duration::days(pad), MIN_SPAN_DAYS)
    } else {
        (earliest, span)
    };
    let x = |d: NaiveDate| ((d - start).num_days() as f64 / days as f64 * width as f64) as f32;

    let points = readings
        .iter()
        .zip(&values)
        .map(|(r, &v)| (x(r.date), y(v)))
        .collect();
    let (after_replacement, drops): (Vec<usize>, Vec<usize>) = (1..values.len())
        .filter(|&i| values[i] < values[i - 1])
        .partition(|&i| replaced_between(replaced, &readings[i - 1], &readings[i]));
    let end = start + chrono::Duration::days(days);
    let replacements = replaced
        .iter()
        .filter(|&&d| start <= d && d <= end)
        .map(|&d| x(d))
        .collect();
    let y_ticks = (0..=y_max / step)
        .map(|k| (y(k * step), k * step))
        .collect();
    let years: Vec<i32> = (start.year() + 1..=end.year()).collect();
    // At most about eight labels: a 20-year history is labelled every 5 years.
    let every = match years.len() {
        0..=8 => 1,
        9..=16 => 2,
        _ => 5,
    };
    let x_ticks = years
        .into_iter()
        .filter(|year| year % every == 0)
        .filter_map(|year| NaiveDate::from_ymd_opt(year, 1, 1).map(|d| (x(d), year)))
        .collect();
    Some(Plot {
        points,
        drops,
        after_replacement,
        replacements,
        y_ticks,
        x_ticks,
        unit,
    })
}

/// Whether the odometer was replaced after reading `before` and up to reading `after` (a
/// new odometer read on the day it was fitted counts as after).
pub fn replaced_between(
    replaced: &[NaiveDate],
    before: &HistoryEntry,
    after: &HistoryEntry,
) -> bool {
    replaced.iter().any(|&d| before.date < d && d <= after.date)
}

/// The smallest of 1, 2, 2.5 and 5 times a power of ten that is at least `rough` (and at
/// least 1,000: a chart of a few hundred km has its gridlines at round thousands).
fn nice_step(rough: u64) -> u64 {
    let mut power = 1_000u64;
    loop {
        for factor in [10, 20, 25, 50] {
            let step = power / 10 * factor;
            if step >= rough {
                return step;
            }
        }
        power *= 10;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::source::ReadingSource;

    fn entry(date: &str, odometer: u64, unit: OdometerUnit) -> HistoryEntry {
        HistoryEntry {
            date: date.parse().unwrap(),
            odometer,
            unit,
            source: ReadingSource::Garage,
            country: None,
            registered_by: "Garage".into(),
            disputed: false,
            accepted_anomaly: false,
            works: Vec::new(),
        }
    }

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn km(date: &str, odometer: u64) -> HistoryEntry {
        entry(date, odometer, OdometerUnit::Km)
    }

    #[test]
    fn no_readings_no_plot() {
        assert_eq!(plot(&[], &[], 100.0, 50.0), None);
    }

    #[test]
    fn a_drop_is_found_where_the_odometer_goes_down_and_only_there() {
        let readings = [
            km("2020-01-10", 10_000),
            km("2021-01-10", 30_000),
            km("2022-01-10", 30_000),
            km("2023-01-10", 12_000),
            km("2024-01-10", 20_000),
        ];
        let plot = plot(&readings, &[], 400.0, 100.0).unwrap();
        assert_eq!(plot.drops, vec![3]);
        // Lower value, lower on the page (larger y).
        assert!(plot.points[3].1 > plot.points[2].1);
        // Time runs left to right, from the first reading to the last.
        assert_eq!(plot.points[0].0, 0.0);
        assert_eq!(plot.points[4].0, 400.0);
    }

    #[test]
    fn the_value_axis_starts_at_zero_and_covers_the_highest_reading() {
        let readings = [km("2020-01-10", 10_000), km("2024-01-10", 87_300)];
        let plot = plot(&readings, &[], 400.0, 100.0).unwrap();
        let (y0, v0) = plot.y_ticks[0];
        assert_eq!((y0, v0), (100.0, 0));
        let &(top_y, top_value) = plot.y_ticks.last().unwrap();
        assert!(top_value >= 87_300, "{top_value}");
        assert!(top_y >= 0.0);
        assert!(plot.points.iter().all(|&(_, y)| (0.0..=100.0).contains(&y)));
        assert!(plot.y_ticks.len() <= 6, "{:?}", plot.y_ticks);
    }

    #[test]
    fn a_drop_across_an_odometer_replacement_is_explained_not_alarming() {
        let readings = [
            km("2020-01-10", 90_000),
            km("2021-01-10", 120_000),
            km("2021-03-01", 200),
            km("2022-01-10", 150),
        ];
        let replaced = [date("2021-02-15")];
        let plot = plot(&readings, &replaced, 400.0, 100.0).unwrap();
        assert_eq!(plot.after_replacement, vec![2]);
        // A drop after the new odometer was fitted is a drop again.
        assert_eq!(plot.drops, vec![3]);
        assert_eq!(plot.replacements.len(), 1);
        let x = plot.replacements[0];
        assert!(plot.points[1].0 < x && x < plot.points[2].0, "{x}");
        // Fitted and read on the same day: after.
        let same_day = [date("2021-03-01")];
        assert_eq!(
            super::plot(&readings, &same_day, 1.0, 1.0)
                .unwrap()
                .after_replacement,
            vec![2]
        );
    }

    #[test]
    fn a_single_reading_sits_in_the_middle_of_a_year() {
        let plot = plot(&[km("2024-06-01", 5)], &[], 365.0, 100.0).unwrap();
        assert_eq!(plot.points.len(), 1);
        assert!((plot.points[0].0 - 182.0).abs() <= 1.0, "{:?}", plot.points);
        assert_eq!(plot.y_ticks.last().unwrap().1, 1_000);
        assert!(plot.drops.is_empty());
    }

    #[test]
    fn mixed_units_are_plotted_in_km() {
        let readings = [
            entry("2020-01-10", 10_000, OdometerUnit::Mi),
            km("2021-01-10", 17_000),
        ];
        let plot = plot(&readings, &[], 400.0, 100.0).unwrap();
        assert_eq!(plot.unit, OdometerUnit::Km);
        // 10,000 mi is about 16,093 km: lower than 17,000 km, so no drop.
        assert!(plot.drops.is_empty());
        let miles = [entry("2020-01-10", 10_000, OdometerUnit::Mi)];
        assert_eq!(
            super::plot(&miles, &[], 1.0, 1.0).unwrap().unit,
            OdometerUnit::Mi
        );
    }

    #[test]
    fn years_are_ticked_at_new_year_and_thinned_over_long_spans() {
        let short = [km("2021-03-01", 1), km("2023-03-01", 2)];
        let years: Vec<i32> = plot(&short, &[], 100.0, 10.0)
            .unwrap()
            .x_ticks
            .iter()
            .map(|t| t.1)
            .collect();
        assert_eq!(years, vec![2022, 2023]);
        let long = [km("2004-03-01", 1), km("2026-03-01", 2)];
        let years: Vec<i32> = plot(&long, &[], 100.0, 10.0)
            .unwrap()
            .x_ticks
            .iter()
            .map(|t| t.1)
            .collect();
        assert_eq!(years, vec![2005, 2010, 2015, 2020, 2025]);
    }

    #[test]
    fn steps_are_round() {
        assert_eq!(nice_step(0), 1_000);
        assert_eq!(nice_step(1_000), 1_000);
        assert_eq!(nice_step(1_001), 2_000);
        assert_eq!(nice_step(21_825), 25_000);
        assert_eq!(nice_step(30_000), 50_000);
        assert_eq!(nice_step(50_001), 100_000);
    }
}
