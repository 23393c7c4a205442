//! Working days in England and Wales, for SLA clocks.
//!
//! Bank holidays are computed (Easter by the Gregorian computus, the early-May and
//! late-May/August Monday rules, substitute days for weekends) plus the one-off and moved
//! days proclaimed by royal proclamation, so no network or yearly data file is needed.

use jiff::civil::{Date, Weekday, date};
use jiff::{Timestamp, tz::TimeZone};
use std::collections::BTreeSet;

/// The years precomputed when a calendar is built; dates outside are computed on demand.
const PRECOMPUTED_YEARS: std::ops::RangeInclusive<i16> = 1975..=2125;

/// Days that were bank holidays only once, by proclamation.
const ONE_OFF_HOLIDAYS: [(i16, i8, i8); 9] = [
    (1977, 6, 7),   // Silver Jubilee
    (1981, 7, 29),  // Royal wedding
    (1999, 12, 31), // Millennium
    (2002, 6, 3),   // Golden Jubilee
    (2011, 4, 29),  // Royal wedding
    (2012, 6, 5),   // Diamond Jubilee
    (2022, 6, 3),   // Platinum Jubilee
    (2022, 9, 19),  // State funeral of Queen Elizabeth II
    (2023, 5, 8),   // Coronation of King Charles III
];

/// Weekends and England & Wales bank holidays.
#[derive(Debug, Clone)]
pub struct WorkingCalendar {
    holidays: BTreeSet<Date>,
}

impl WorkingCalendar {
    pub fn england_and_wales() -> Self {
        let holidays = PRECOMPUTED_YEARS.flat_map(bank_holidays).collect();
        Self { holidays }
    }

    pub fn is_bank_holiday(&self, day: Date) -> bool {
        if PRECOMPUTED_YEARS.contains(&day.year()) {
            self.holidays.contains(&day)
        } else {
            bank_holidays(day.year()).contains(&day)
        }
    }

    pub fn is_working_day(&self, day: Date) -> bool {
        !is_weekend(day) && !self.is_bank_holiday(day)
    }

    /// The date `days` working days after `start` (the start day itself never counts).
    pub fn add_working_days(&self, start: Date, days: u16) -> Date {
        let mut day = start;
        let mut counted = 0;
        while counted < days {
            day = next_day(day);
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        day
    }

    /// Working days after `start` up to and including `end`; zero when `end <= start`.
    pub fn working_days_between(&self, start: Date, end: Date) -> u32 {
        let mut day = start;
        let mut counted = 0;
        while day < end {
            day = next_day(day);
            if self.is_working_day(day) {
                counted += 1;
            }
        }
        counted
    }

    /// The date the council promises to act by for a contact received at `received_at`.
    pub fn due_by(&self, received_at: Timestamp, sla_working_days: u16) -> Date {
        self.add_working_days(london_date(received_at), sla_working_days)
    }
}

/// The calendar date in Europe/London of an instant.
pub fn london_date(at: Timestamp) -> Date {
    at.to_zoned_datetime(london()).date()
}

/// The council's time zone, bundled into the binary.
pub fn london() -> TimeZone {
    TimeZone::get("Europe/London").expect("the tz database is bundled (jiff tzdb-bundle-always)")
}

fn next_day(day: Date) -> Date {
    day.tomorrow()
        .expect("dates in service are far from jiff's upper bound")
}

fn is_weekend(day: Date) -> bool {
    matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday)
}

/// Every England & Wales bank holiday in `year`, in date order.
pub fn bank_holidays(year: i16) -> Vec<Date> {
    let mut days: Vec<Date> = Vec::with_capacity(10);
    let easter = easter_sunday(year);
    days.push(substitute(date(year, 1, 1), &[]));
    days.push(
        easter
            .checked_sub(jiff::Span::new().days(2))
            .expect("Easter is in spring"),
    );
    days.push(
        easter
            .checked_add(jiff::Span::new().days(1))
            .expect("Easter is in spring"),
    );
    if let Some(early_may) = early_may(year) {
        days.push(early_may);
    }
    days.push(spring(year));
    days.push(last_monday(year, 8));
    let christmas = substitute(date(year, 12, 25), &[]);
    days.push(christmas);
    days.push(substitute(date(year, 12, 26), &[christmas]));
    days.extend(
        ONE_OFF_HOLIDAYS
            .iter()
            .filter(|(y, _, _)| *y == year)
            .map(|&(y, m, d)| date(y, m, d)),
    );
    days.sort();
    days
}

/// The early May bank holiday: first Monday in May from 1978, moved for VE Day in 1995 and 2020.
fn early_may(year: i16) -> Option<Date> {
    match year {
        ..1978 => None,
        1995 | 2020 => Some(date(year, 5, 8)),
        _ => Some(first_monday(year, 5)),
    }
}

/// The spring bank holiday: last Monday in May, moved in jubilee years.
fn spring(year: i16) -> Date {
    match year {
        1977 => date(1977, 6, 6),
        2002 => date(2002, 6, 4),
        2012 => date(2012, 6, 4),
        2022 => date(2022, 6, 2),
        _ => last_monday(year, 5),
    }
}

/// A fixed-date holiday on a weekend moves to the next weekday not already taken.
fn substitute(day: Date, taken: &[Date]) -> Date {
    let mut day = day;
    while is_weekend(day) || taken.contains(&day) {
        day = next_day(day);
    }
    day
}

fn first_monday(year: i16, month: i8) -> Date {
    let first = date(year, month, 1);
    let offset = first.weekday().until(Weekday::Monday);
    first
        .checked_add(jiff::Span::new().days(offset))
        .expect("within the month")
}

fn last_monday(year: i16, month: i8) -> Date {
    let last = date(year, month, 1).last_of_month();
    let back = Weekday::Monday.until(last.weekday());
    last.checked_sub(jiff::Span::new().days(back))
        .expect("within the month")
}

/// Easter Sunday in the Gregorian calendar (the anonymous "Meeus/Jones/Butcher" computus).
pub fn easter_sunday(year: i16) -> Date {
    let y = i32::from(year);
    let a = y % 19;
    let b = y / 100;
    let c = y % 100;
    let d = b / 4;
    let e = b % 4;
    let f = (b + 8) / 25;
    let g = (b - f + 1) / 3;
    let h = (19 * a + b - d - g + 15) % 30;
    let i = c / 4;
    let k = c % 4;
    let l = (32 + 2 * e + 2 * i - h - k) % 7;
    let m = (a + 11 * h + 22 * l) / 451;
    let month = (h + l - 7 * m + 114) / 31;
    let day = (h + l - 7 * m + 114) % 31 + 1;
    date(year, month as i8, day as i8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn days(list: &[(i8, i8)], year: i16) -> Vec<Date> {
        list.iter().map(|&(m, d)| date(year, m, d)).collect()
    }

    #[test]
    fn published_bank_holidays_match_the_computed_ones() {
        let published: [(i16, &[(i8, i8)]); 8] = [
            (
                2020,
                &[
                    (1, 1),
                    (4, 10),
                    (4, 13),
                    (5, 8),
                    (5, 25),
                    (8, 31),
                    (12, 25),
                    (12, 28),
                ],
            ),
            (
                2021,
                &[
                    (1, 1),
                    (4, 2),
                    (4, 5),
                    (5, 3),
                    (5, 31),
                    (8, 30),
                    (12, 27),
                    (12, 28),
                ],
            ),
            (
                2022,
                &[
                    (1, 3),
                    (4, 15),
                    (4, 18),
                    (5, 2),
                    (6, 2),
                    (6, 3),
                    (8, 29),
                    (9, 19),
                    (12, 26),
                    (12, 27),
                ],
            ),
            (
                2023,
                &[
                    (1, 2),
                    (4, 7),
                    (4, 10),
                    (5, 1),
                    (5, 8),
                    (5, 29),
                    (8, 28),
                    (12, 25),
                    (12, 26),
                ],
            ),
            (
                2024,
                &[
                    (1, 1),
                    (3, 29),
                    (4, 1),
                    (5, 6),
                    (5, 27),
                    (8, 26),
                    (12, 25),
                    (12, 26),
                ],
            ),
            (
                2025,
                &[
                    (1, 1),
                    (4, 18),
                    (4, 21),
                    (5, 5),
                    (5, 26),
                    (8, 25),
                    (12, 25),
                    (12, 26),
                ],
            ),
            (
                2026,
                &[
                    (1, 1),
                    (4, 3),
                    (4, 6),
                    (5, 4),
                    (5, 25),
                    (8, 31),
                    (12, 25),
                    (12, 28),
                ],
            ),
            (
                2027,
                &[
                    (1, 1),
                    (3, 26),
                    (3, 29),
                    (5, 3),
                    (5, 31),
                    (8, 30),
                    (12, 27),
                    (12, 28),
                ],
            ),
        ];
        for (year, list) in published {
            assert_eq!(
                bank_holidays(year),
                days(list, year),
                "bank holidays in {year}"
            );
        }
    }

    #[test]
    fn easter_falls_on_known_dates() {
        assert_eq!(easter_sunday(2000), date(2000, 4, 23));
        assert_eq!(easter_sunday(2019), date(2019, 4, 21));
        assert_eq!(easter_sunday(2038), date(2038, 4, 25));
        assert_eq!(easter_sunday(2285), date(2285, 3, 22));
    }

    #[test]
    fn sla_clock_skips_christmas_and_the_weekend() {
        let calendar = WorkingCalendar::england_and_wales();
        // Thursday 24 December 2026: Friday 25 and Monday 28 are bank holidays.
        assert_eq!(
            calendar.add_working_days(date(2026, 12, 24), 1),
            date(2026, 12, 29)
        );
        assert_eq!(
            calendar.add_working_days(date(2026, 12, 24), 2),
            date(2026, 12, 30)
        );
    }

    #[test]
    fn a_contact_late_on_friday_evening_in_summer_counts_from_the_london_date() {
        let calendar = WorkingCalendar::england_and_wales();
        // 23:30 UTC on Friday 3 July 2026 is already Saturday 00:30 in London (BST).
        let at: Timestamp = "2026-07-03T23:30:00Z".parse().unwrap();
        assert_eq!(calendar.due_by(at, 1), date(2026, 7, 6));
        let before: Timestamp = "2026-07-03T22:30:00Z".parse().unwrap();
        assert_eq!(calendar.due_by(before, 1), date(2026, 7, 6));
        let thursday: Timestamp = "2026-07-02T22:59:00Z".parse().unwrap();
        assert_eq!(calendar.due_by(thursday, 1), date(2026, 7, 3));
    }

    fn any_date() -> impl Strategy<Value = Date> {
        (1960i16..2200, 1i8..=12, 1i8..=28).prop_map(|(y, m, d)| date(y, m, d))
    }

    proptest! {
        #[test]
        fn the_due_date_is_always_a_working_day(start in any_date(), n in 1u16..60) {
            let calendar = WorkingCalendar::england_and_wales();
            let due = calendar.add_working_days(start, n);
            prop_assert!(calendar.is_working_day(due));
            prop_assert!(due > start);
        }

        #[test]
        fn counting_working_days_inverts_adding_them(start in any_date(), n in 0u16..60) {
            let calendar = WorkingCalendar::england_and_wales();
            let due = calendar.add_working_days(start, n);
            prop_assert_eq!(calendar.working_days_between(start, due), u32::from(n));
        }

        #[test]
        fn a_longer_sla_is_never_due_sooner(start in any_date(), n in 0u16..60) {
            let calendar = WorkingCalendar::england_and_wales();
            prop_assert!(calendar.add_working_days(start, n + 1) > calendar.add_working_days(start, n));
        }

        #[test]
        fn every_year_has_eight_regular_bank_holidays_on_weekdays(year in 1978i16..2200) {
            let list = bank_holidays(year);
            prop_assert!(list.len() >= 8);
            prop_assert!(list.iter().all(|d| !is_weekend(*d) && d.year() == year));
            let unique: BTreeSet<_> = list.iter().collect();
            prop_assert_eq!(unique.len(), list.len());
        }

        #[test]
        fn easter_is_always_a_sunday_in_march_or_april(year in 1583i16..4000) {
            let easter = easter_sunday(year);
            prop_assert_eq!(easter.weekday(), Weekday::Sunday);
            prop_assert!(easter >= date(year, 3, 22) && easter <= date(year, 4, 25));
        }
    }
}
