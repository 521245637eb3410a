//! Times as stored (seconds since the Unix epoch) and as shown.

use std::time::{SystemTime, UNIX_EPOCH};

/// Seconds since 1970-01-01T00:00:00Z.
pub type UnixTime = i64;

/// `time` as seconds since the epoch (times before 1970 count as 0).
pub fn unix_time(time: SystemTime) -> UnixTime {
    time.duration_since(UNIX_EPOCH)
        .map(|elapsed| i64::try_from(elapsed.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// `dd.mm.yyyy hh:mm` in UTC, the Danish date order.
pub fn display_time(time: UnixTime) -> String {
    let days = time.div_euclid(86_400);
    let secs = time.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    format!(
        "{day:02}.{month:02}.{year} {:02}:{:02} UTC",
        secs / 3600,
        secs % 3600 / 60
    )
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
    fn shows_day_month_year_and_time() {
        assert_eq!(display_time(0), "01.01.1970 00:00 UTC");
        // 2023-11-14T22:13:20Z
        assert_eq!(display_time(1_700_000_000), "14.11.2023 22:13 UTC");
        // 2024-02-29T12:00:00Z, a leap day
        assert_eq!(display_time(1_709_208_000), "29.02.2024 12:00 UTC");
    }
}
