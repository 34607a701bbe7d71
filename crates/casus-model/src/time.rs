//! Valid time: seconds since 1970-01-01T00:00:00Z, with the precision it was
//! given in, and calendar durations.
//!
//! A time stated to the day, to the minute or as a window is an interval:
//! the act happened at some instant in it that the record does not give.
//! [`When`] is that interval, and its comparisons answer "yes", "no" or
//! "unknown" ([`Known`]), so that every part of the engine orders acts
//! only by what is known.
//!
//! Written by hand (days-from-civil, after Howard Hinnant) because the engine
//! needs only the proleptic Gregorian calendar in UTC, and an `i64` compares
//! in one instruction. Treaty deadlines are in days, months and years; no
//! time zone arithmetic is involved, acts record UTC. `jiff` was weighed
//! (style.md holds it up): its civil dates would replace the forty lines of
//! day arithmetic, but not what the rest of this file is for (times as
//! intervals with a precision, windows, `before`, comparisons that answer
//! "unknown", the record format's spellings), and the engine's hot loop
//! compares and adds plain `i64`s, which a `jiff` type in every act would
//! make larger and slower; so the model keeps its own, tested against the
//! calendar's edge cases below.

use std::fmt;

pub const SECONDS_PER_DAY: i64 = 86_400;

/// A point in valid time, in seconds since the Unix epoch, UTC.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Time(pub i64);

/// How precisely a time was stated. The time it goes with is the first
/// instant the act may have happened; the precision says how long after
/// that it may have happened instead.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Precision {
    /// Some time in that day (`2022-01-05`).
    #[default]
    Day,
    /// Some second in that minute (`2022-01-05T21:30`).
    Minute,
    /// That second (`2022-01-05T21:30:00`).
    Second,
    /// Some time from the time it goes with to this many seconds later, both
    /// included (`between T1 and T2`; at most [`MAX_WINDOW_SECONDS`]). A
    /// length rather than an end, so that an act stays small.
    Window(u32),
    /// Some time up to and including the time it goes with, from a start
    /// the record does not give (`before T`: the time is the second before
    /// T). The one precision whose time is the last instant, not the first.
    Before,
}

/// The longest window an act may be dated in, about 136 years.
pub const MAX_WINDOW_SECONDS: i64 = u32::MAX as i64;

/// The first instant of an act dated only `before T`: its earliest time is
/// unknown, and kept finite (1 January of the year 1) so that calendar
/// arithmetic on it never overflows.
pub const OPEN_START: Time = Time(-62_135_596_800);

/// The answer to a question about order that the record may not settle.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Known {
    Yes,
    No,
    /// The record's dates allow both answers.
    Unknown,
}

/// When an act happened, as far as the record tells: at some instant from
/// `earliest` to `latest`, both included.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct When {
    pub earliest: Time,
    pub latest: Time,
}

impl When {
    /// The interval of a time stated with a precision.
    pub fn of(time: Time, precision: Precision) -> When {
        let latest = match precision {
            Precision::Day => time.end_of_day(),
            Precision::Minute => Time(time.0.saturating_add(59)),
            Precision::Second | Precision::Before => time,
            Precision::Window(len) => Time(time.0.saturating_add(len as i64)),
        };
        let earliest = if precision == Precision::Before { OPEN_START.min(time) } else { time };
        When { earliest, latest }
    }

    /// An exact instant.
    pub fn at(t: Time) -> When {
        When { earliest: t, latest: t }
    }

    /// Whether the act happened on or before `deadline` (an instant).
    pub fn by(self, deadline: Time) -> Known {
        if self.latest <= deadline {
            Known::Yes
        } else if self.earliest > deadline {
            Known::No
        } else {
            Known::Unknown
        }
    }

    /// Whether the act happened strictly before the instant `t` (a silence
    /// that expires at `t` is broken by an objection before `t`).
    pub fn before_instant(self, t: Time) -> Known {
        if self.latest < t {
            Known::Yes
        } else if self.earliest >= t {
            Known::No
        } else {
            Known::Unknown
        }
    }

    /// Whether this act happened strictly before `other`. Two acts of the
    /// same day, neither timed, are `Unknown`; two acts at the same second
    /// are `No` both ways.
    pub fn before(self, other: When) -> Known {
        if self.latest < other.earliest {
            Known::Yes
        } else if self.earliest >= other.latest {
            Known::No
        } else {
            Known::Unknown
        }
    }

    /// Whether the time of day (or within the window) decides a comparison
    /// with the instant `t`: `t` falls inside the interval, not at its end.
    pub fn straddles(self, t: Time) -> bool {
        self.earliest <= t && t < self.latest
    }
}

/// A calendar duration: whole months (calendar arithmetic) plus seconds.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub struct Duration {
    pub months: i32,
    pub seconds: i64,
}

impl Duration {
    pub fn days(n: i64) -> Duration {
        Duration { months: 0, seconds: n * SECONDS_PER_DAY }
    }
}

impl fmt::Display for Duration {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        let (years, months) = (self.months / 12, self.months % 12);
        let plural = |n: i64, unit: &str| if n == 1 { format!("1 {unit}") } else { format!("{n} {unit}s") };
        if years != 0 {
            parts.push(plural(years as i64, "year"));
        }
        if months != 0 {
            parts.push(plural(months as i64, "month"));
        }
        let mut s = self.seconds;
        for (unit, len) in [("week", 7 * SECONDS_PER_DAY), ("day", SECONDS_PER_DAY), ("hour", 3600), ("minute", 60), ("second", 1)] {
            // Weeks only when exact, so that "10 days" stays "10 days".
            if unit == "week" && s % len != 0 {
                continue;
            }
            if s >= len {
                parts.push(plural(s / len, unit));
                s %= len;
            }
        }
        if parts.is_empty() {
            parts.push("0 days".to_string());
        }
        f.write_str(&parts.join(" "))
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date.
pub fn days_from_civil(year: i64, month: u32, day: u32) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let m = month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The civil date of a day count since 1970-01-01.
pub fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = if z >= 0 { z } else { z - 146_096 } / 146_097;
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

pub fn days_in_month(year: i64, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl Time {
    pub const MIN: Time = Time(i64::MIN);
    pub const MAX: Time = Time(i64::MAX);

    pub fn from_date(year: i64, month: u32, day: u32) -> Time {
        Time(days_from_civil(year, month, day) * SECONDS_PER_DAY)
    }

    pub fn date(self) -> (i64, u32, u32) {
        civil_from_days(self.0.div_euclid(SECONDS_PER_DAY))
    }

    pub fn year(self) -> i64 {
        self.date().0
    }

    /// The first second of this time's day.
    pub fn start_of_day(self) -> Time {
        Time(self.0.div_euclid(SECONDS_PER_DAY) * SECONDS_PER_DAY)
    }

    /// The last second of this time's day.
    pub fn end_of_day(self) -> Time {
        Time(self.start_of_day().0 + SECONDS_PER_DAY - 1)
    }

    /// This time plus a calendar duration: months first (the day of the
    /// month clamped to the month's length), then seconds. A method rather
    /// than `+`, since calendar addition is not associative.
    #[allow(clippy::should_implement_trait)]
    pub fn add(self, d: Duration) -> Time {
        let mut t = self;
        if d.months != 0 {
            let secs = self.0.rem_euclid(SECONDS_PER_DAY);
            let (y, m, day) = self.date();
            let total = y * 12 + (m as i64 - 1) + d.months as i64;
            let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
            let nd = day.min(days_in_month(ny, nm));
            t = Time(Time::from_date(ny, nm, nd).0 + secs);
        }
        Time(t.0.saturating_add(d.seconds))
    }

    /// Parses `YYYY-MM-DD` (day precision), `YYYY-MM-DDTHH:MM` (minute
    /// precision), `YYYY-MM-DDTHH:MM:SS` (second precision), with an optional
    /// trailing `Z`. Returns `None` on anything else, including impossible
    /// dates such as 2022-02-30. Windows are written in the record syntax
    /// (`between T1 and T2`, `before T`) and built by [`Time::window`].
    pub fn parse(s: &str) -> Option<(Time, Precision)> {
        let s = s.strip_suffix('Z').unwrap_or(s);
        let (date, clock) = match s.split_once('T') {
            Some((d, c)) => (d, Some(c)),
            None => (s, None),
        };
        let b = date.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let part = date.get(r)?;
            if !part.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            part.parse().ok()
        };
        let (y, m, d) = (num(0..4)? as i64, num(5..7)?, num(8..10)?);
        if !(1..=12).contains(&m) || d == 0 || d > days_in_month(y, m) {
            return None;
        }
        let mut t = Time::from_date(y, m, d);
        let Some(clock) = clock else { return Some((t, Precision::Day)) };
        let parts: Vec<&str> = clock.split(':').collect();
        if parts.len() < 2 || parts.len() > 3 {
            return None;
        }
        let mut secs = 0i64;
        for (i, (p, max)) in parts.iter().zip([23u32, 59, 59]).enumerate() {
            if p.len() != 2 || !p.bytes().all(|c| c.is_ascii_digit()) {
                return None;
            }
            let v: u32 = p.parse().ok()?;
            if v > max {
                return None;
            }
            secs += v as i64 * [3600, 60, 1][i];
        }
        t.0 += secs;
        Some((t, if parts.len() == 2 { Precision::Minute } else { Precision::Second }))
    }

    /// The window from the start of one stated time to the end of another,
    /// both included (`between 2022-01-05 and 2022-01-07` is three days).
    /// `None` when the second ends before the first begins, or the window
    /// is longer than [`MAX_WINDOW_SECONDS`].
    pub fn window(from: (Time, Precision), to: (Time, Precision)) -> Option<(Time, Precision)> {
        let (start, end) = (When::of(from.0, from.1).earliest, When::of(to.0, to.1).latest);
        let len = end.0.checked_sub(start.0).filter(|l| (0..=MAX_WINDOW_SECONDS).contains(l))?;
        Some((start, Precision::Window(len as u32)))
    }

    /// Everything strictly before a stated time's start (`before 2022-01-07`
    /// ends at the last second of 6 January).
    pub fn before(to: (Time, Precision)) -> (Time, Precision) {
        let end = When::of(to.0, to.1).earliest;
        (Time(end.0.saturating_sub(1)), Precision::Before)
    }

    /// Formats as the record writes it: `YYYY-MM-DD` at day precision,
    /// `YYYY-MM-DDTHH:MMZ` at minute precision, `YYYY-MM-DDTHH:MM:SSZ` at
    /// second precision, `between A and B` or `before B` for a window.
    pub fn format(self, precision: Precision) -> String {
        let (y, m, d) = self.date();
        let s = self.0.rem_euclid(SECONDS_PER_DAY);
        match precision {
            Precision::Day => format!("{y:04}-{m:02}-{d:02}"),
            Precision::Minute => format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}Z", s / 3600, s / 60 % 60),
            Precision::Second => format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", s / 3600, s / 60 % 60, s % 60),
            Precision::Window(len) => {
                // The end shown as its day when the window ends with one.
                let last = Time(self.0.saturating_add(len as i64));
                let last_day = last.0.rem_euclid(SECONDS_PER_DAY) == SECONDS_PER_DAY - 1;
                let end = if last_day { last.format(Precision::Day) } else { last.display() };
                format!("between {} and {end}", self.display())
            }
            Precision::Before => format!("before {}", Time(self.0.saturating_add(1)).display()),
        }
    }

    /// Day precision when the time is midnight, second precision otherwise.
    pub fn display(self) -> String {
        if self.0.rem_euclid(SECONDS_PER_DAY) == 0 { self.format(Precision::Day) } else { self.format(Precision::Second) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_round_trip() {
        for days in [-800_000i64, -1, 0, 1, 18_000, 19_000, 2_000_000] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days);
        }
        assert_eq!(Time::from_date(1970, 1, 1).0, 0);
        assert_eq!(Time::parse("2022-01-05").unwrap().0.format(Precision::Day), "2022-01-05");
    }

    #[test]
    fn parse_rejects_impossible() {
        for s in ["2022-02-30", "2022-13-01", "22-01-01", "2022-01-01T24:00", "2022-01-01T", "x"] {
            assert!(Time::parse(s).is_none(), "{s}");
        }
        let (t, p) = Time::parse("2022-01-05T21:30Z").unwrap();
        assert_eq!(p, Precision::Minute);
        assert_eq!(t.format(p), "2022-01-05T21:30Z");
        let (t, p) = Time::parse("2022-01-05T21:30:15").unwrap();
        assert_eq!(p, Precision::Second);
        assert_eq!(t.format(p), "2022-01-05T21:30:15Z");
    }

    #[test]
    fn minute_and_window_precision() {
        let (t, p) = Time::parse("2030-03-10T17:59").unwrap();
        assert_eq!(p, Precision::Minute);
        assert_eq!(t.format(p), "2030-03-10T17:59Z");
        assert_eq!(When::of(t, p).latest.format(Precision::Second), "2030-03-10T17:59:59Z");
        let day = |s: &str| Time::parse(s).unwrap();
        let (w, wp) = Time::window(day("2022-01-05"), day("2022-01-07")).unwrap();
        assert_eq!(w.format(wp), "between 2022-01-05 and 2022-01-07");
        assert_eq!(When::of(w, wp).latest.format(Precision::Second), "2022-01-07T23:59:59Z");
        assert!(Time::window(day("2022-01-07"), day("2022-01-05")).is_none());
        assert!(Time::window(day("1800-01-01"), day("2000-01-01")).is_none(), "longer than a window may be");
        let (b, bp) = Time::before(day("2022-01-07"));
        assert_eq!(b.format(bp), "before 2022-01-07");
        assert_eq!(When::of(b, bp).latest.format(Precision::Second), "2022-01-06T23:59:59Z");
        let (b, bp) = Time::before(day("2022-01-07T12:00"));
        assert_eq!(b.format(bp), "before 2022-01-07T12:00:00Z");
    }

    #[test]
    fn order_only_by_what_is_known() {
        let day = |s: &str| {
            let (t, p) = Time::parse(s).unwrap();
            When::of(t, p)
        };
        let expiry = Time::parse("2030-03-10T18:00:00").unwrap().0;
        // An objection dated to the expiry day: unknown whether before 18:00.
        assert_eq!(day("2030-03-10").before_instant(expiry), Known::Unknown);
        assert!(day("2030-03-10").straddles(expiry));
        assert_eq!(day("2030-03-09").before_instant(expiry), Known::Yes);
        assert_eq!(day("2030-03-11").before_instant(expiry), Known::No);
        assert_eq!(day("2030-03-10T17:59").before_instant(expiry), Known::Yes);
        assert_eq!(day("2030-03-10T18:00").before_instant(expiry), Known::No);
        assert_eq!(day("2030-03-10T18:00:00").by(expiry), Known::Yes);
        assert_eq!(day("2030-03-10T18:00").by(expiry), Known::Unknown);
        // A deadline at the end of a day: a day-dated act that day is in time.
        let end = Time::parse("2030-03-10").unwrap().0.end_of_day();
        assert_eq!(day("2030-03-10").by(end), Known::Yes);
        assert!(!day("2030-03-10").straddles(end));
        // Two acts of one day are not ordered; a timed act and a dated one neither.
        assert_eq!(day("2030-03-10").before(day("2030-03-10")), Known::Unknown);
        assert_eq!(day("2030-03-10").before(day("2030-03-10T09:00:00")), Known::Unknown);
        assert_eq!(day("2030-03-09").before(day("2030-03-10T09:00:00")), Known::Yes);
        assert_eq!(day("2030-03-10T09:00:00").before(day("2030-03-10T09:00:00")), Known::No);
        assert_eq!(day("2030-03-10T08:00:00").before(day("2030-03-10T09:00:00")), Known::Yes);
    }

    #[test]
    fn months_clamp() {
        let t = Time::from_date(2023, 1, 31);
        assert_eq!(t.add(Duration { months: 1, seconds: 0 }).display(), "2023-02-28");
        assert_eq!(Duration { months: 12, seconds: 0 }.to_string(), "1 year");
        assert_eq!(Duration::days(7).to_string(), "1 week");
        assert_eq!(Duration::days(10).to_string(), "10 days");
    }
}
