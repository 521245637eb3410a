//! Times as stored (seconds since the Unix epoch) and as shown (in Copenhagen's time).

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since 1970-01-01T00:00:00Z.
pub type UnixTime = i64;

/// `time` as seconds since the epoch (times before 1970 count as 0).
pub fn unix_time(time: SystemTime) -> UnixTime {
    time.duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// `dd.mm.yyyy hh:mm` in Copenhagen's time, the Danish date order.
pub fn display_time(time: UnixTime) -> String {
    let local = time + copenhagen_offset(time);
    let days = local.div_euclid(86_400);
    let secs = local.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{day:02}.{month:02}.{year} {:02}:{:02}",
        secs / 3600,
        secs % 3600 / 60
    )
}

/// Central European Time, UTC+1.
const CET_SECS: i64 = 3_600;
/// Central European Summer Time, UTC+2.
const CEST_SECS: i64 = 7_200;

/// Seconds Copenhagen's clocks are ahead of UTC at `time`: summer time from the last Sunday of
/// March to the last Sunday of October, both at 01:00 UTC (the EU rule, Directive 2000/84/EC,
/// in force since 1996). Earlier years are shown by the same rule.
pub fn copenhagen_offset(time: UnixTime) -> i64 {
    let (year, _, _) = civil_from_days(time.div_euclid(86_400));
    let summer = last_sunday_at_one_utc(year, 3)..last_sunday_at_one_utc(year, 10);
    if summer.contains(&time) {
        CEST_SECS
    } else {
        CET_SECS
    }
}

/// 01:00 UTC on the last Sunday of `month` (March or October: both have 31 days) of `year`.
fn last_sunday_at_one_utc(year: i64, month: i64) -> UnixTime {
    let last_day = days_from_civil(year, month, 31);
    // 1970-01-01 was a Thursday: (days + 4) mod 7 counts days since the Sunday before.
    let sunday = last_day - (last_day + 4).rem_euclid(7);
    sunday * 86_400 + 3_600
}

/// The days from 1970-01-01 to the proleptic Gregorian date `year-month-day` (H. Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let yoe = year.rem_euclid(400);
    let mp = if month > 2 { month - 3 } else { month + 9 };
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// The proleptic Gregorian date `days` after 1970-01-01 (H. Hinnant's `civil_from_days`).
fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shows_day_month_year_and_time_in_copenhagen() {
        // 1970-01-01T00:00Z: winter, UTC+1.
        assert_eq!(display_time(0), "01.01.1970 01:00");
        // 2023-11-14T22:13:20Z: winter.
        assert_eq!(display_time(1_700_000_000), "14.11.2023 23:13");
        // 2024-02-29T12:00:00Z, a leap day.
        assert_eq!(display_time(1_709_208_000), "29.02.2024 13:00");
        // 2023-12-31T23:30:00Z is already the new year in Copenhagen.
        assert_eq!(display_time(1_704_065_400), "01.01.2024 00:30");
        // 2026-07-01T10:00:00Z: summer, UTC+2.
        assert_eq!(display_time(1_782_900_000), "01.07.2026 12:00");
    }

    #[test]
    fn summer_time_starts_on_the_last_sunday_of_march_at_one_utc() {
        // 2024-03-31T01:00:00Z: 02:00 CET becomes 03:00 CEST.
        let switch = 1_711_846_800;
        assert_eq!(copenhagen_offset(switch - 1), CET_SECS);
        assert_eq!(copenhagen_offset(switch), CEST_SECS);
        assert_eq!(display_time(switch - 60), "31.03.2024 01:59");
        assert_eq!(display_time(switch), "31.03.2024 03:00");
        // 2026-03-29T01:00:00Z.
        assert_eq!(copenhagen_offset(1_774_746_000 - 1), CET_SECS);
        assert_eq!(copenhagen_offset(1_774_746_000), CEST_SECS);
    }

    #[test]
    fn summer_time_ends_on_the_last_sunday_of_october_at_one_utc() {
        // 2024-10-27T01:00:00Z: 03:00 CEST becomes 02:00 CET.
        let switch = 1_729_990_800;
        assert_eq!(copenhagen_offset(switch - 1), CEST_SECS);
        assert_eq!(copenhagen_offset(switch), CET_SECS);
        assert_eq!(display_time(switch - 60), "27.10.2024 02:59");
        assert_eq!(display_time(switch), "27.10.2024 02:00");
        // 2026-10-25T01:00:00Z.
        assert_eq!(copenhagen_offset(1_792_890_000 - 1), CEST_SECS);
        assert_eq!(copenhagen_offset(1_792_890_000), CET_SECS);
    }

    #[test]
    fn days_from_civil_inverts_civil_from_days() {
        for days in [-1, 0, 59, 19_782, 20_000, 2_932_896] {
            let (year, month, day) = civil_from_days(days);
            assert_eq!(days_from_civil(year, month, day), days);
        }
    }
}
