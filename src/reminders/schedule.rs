//! Reminder time arithmetic: when a monthly repayment reminder fires next. Pure, no I/O, no clock.
//!
//! Reminders live in Asia/Shanghai, a fixed UTC+8 with no daylight saving time. A reminder for
//! day `d` at hour `h` fires at `h:00:00` local time on day `d` of every month; in a month with
//! fewer than `d` days it fires on that month's last day instead (day 31 fires on 30 April and
//! on 28 or 29 February). Times are Unix seconds (`i64`).

use chrono::{DateTime, Datelike, FixedOffset, NaiveDate};

/// Offset of Asia/Shanghai from UTC, in seconds.
pub const SHANGHAI_OFFSET_SECS: i32 = 8 * 3600;

/// The hour reminders fire at unless the user picks another: 09:00 Asia/Shanghai.
pub const DEFAULT_HOUR: u32 = 9;

/// Asia/Shanghai as a chrono offset, for formatting times for users.
pub fn shanghai() -> FixedOffset {
    FixedOffset::east_opt(SHANGHAI_OFFSET_SECS).expect("UTC+8 is a valid offset")
}

/// A Unix time as an Asia/Shanghai date and time, or `None` beyond chrono's range.
pub fn to_shanghai(unix: i64) -> Option<DateTime<FixedOffset>> {
    DateTime::from_timestamp(unix, 0).map(|t| t.with_timezone(&shanghai()))
}

/// The number of days in `month` (1–12) of `year`, leap years included; `None` if out of range.
pub fn days_in_month(year: i32, month: u32) -> Option<u32> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next_first = if month == 12 {
        NaiveDate::from_ymd_opt(year.checked_add(1)?, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    u32::try_from(next_first.signed_duration_since(first).num_days()).ok()
}

/// The Unix time of the reminder's slot in `month` of `year`: `hour:00` Asia/Shanghai on
/// `day_of_month`, clamped to the month's last day. `None` if the date is out of chrono's range.
///
/// `day_of_month` is clamped to 1–31 and `hour` to 0–23.
pub fn fire_time_in_month(year: i32, month: u32, day_of_month: u32, hour: u32) -> Option<i64> {
    let day = day_of_month.clamp(1, 31).min(days_in_month(year, month)?);
    let local = NaiveDate::from_ymd_opt(year, month, day)?.and_hms_opt(hour.min(23), 0, 0)?;
    Some(local.and_utc().timestamp() - i64::from(SHANGHAI_OFFSET_SECS))
}

/// The first time strictly after `after_unix` at which a reminder for `day_of_month` at `hour`
/// fires. A reminder whose slot is exactly `after_unix` moves to the next month, so a claimer
/// that fires a reminder at `now` and schedules `next_fire(now, …)` never fires it twice, and a
/// reminder missed for several months fires once.
///
/// `day_of_month` is clamped to 1–31 and `hour` to 0–23. Beyond chrono's date range (hundreds
/// of thousands of years away) the answer is `i64::MAX`: never.
pub fn next_fire(after_unix: i64, day_of_month: u32, hour: u32) -> i64 {
    let Some(local) = to_shanghai(after_unix) else {
        return i64::MAX;
    };
    let (year, month) = (local.year(), local.month());
    if let Some(t) = fire_time_in_month(year, month, day_of_month, hour)
        && t > after_unix
    {
        return t;
    }
    // This month's slot has passed (or is now): the next month's slot is after the end of this
    // month, so it is after `after_unix`.
    let (year, month) = next_month(year, month);
    fire_time_in_month(year, month, day_of_month, hour).unwrap_or(i64::MAX)
}

/// Where a pending reminder moves when its hour changes: the same month's slot at `new_hour`.
///
/// `pending_next_fire` is the reminder's current `next_fire_at`, the slot of the month it has not
/// fired for yet. Keeping that month means a change of hour neither fires a month twice (a
/// reminder that fired at 09:00 today and is moved to 15:00 stays pending for next month) nor
/// skips one (a reminder pending for 11:00 today that is moved to 09:00 becomes due at once,
/// and fires at the next claim). The result may therefore be in the past.
pub fn reschedule_hour(pending_next_fire: i64, day_of_month: u32, new_hour: u32) -> i64 {
    let Some(local) = to_shanghai(pending_next_fire) else {
        return pending_next_fire;
    };
    fire_time_in_month(local.year(), local.month(), day_of_month, new_hour)
        .unwrap_or(pending_next_fire)
}

fn next_month(year: i32, month: u32) -> (i32, u32) {
    if month >= 12 {
        (year.saturating_add(1), 1)
    } else {
        (year, month + 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Unix time of a Shanghai local date and time.
    fn sh(y: i32, m: u32, d: u32, h: u32, min: u32, s: u32) -> i64 {
        NaiveDate::from_ymd_opt(y, m, d)
            .unwrap()
            .and_hms_opt(h, min, s)
            .unwrap()
            .and_utc()
            .timestamp()
            - 8 * 3600
    }

    fn local(t: i64) -> String {
        to_shanghai(t)
            .unwrap()
            .format("%Y-%m-%d %H:%M:%S")
            .to_string()
    }

    #[test]
    fn shanghai_is_utc_plus_eight() {
        // 2024-01-15 01:00 UTC is 09:00 in Shanghai.
        assert_eq!(sh(2024, 1, 15, 9, 0, 0), 1_705_280_400);
        assert_eq!(local(1_705_280_400), "2024-01-15 09:00:00");
    }

    #[test]
    fn fires_later_this_month_or_next_month() {
        let t = next_fire(sh(2024, 3, 10, 12, 0, 0), 15, 9);
        assert_eq!(local(t), "2024-03-15 09:00:00");
        let t = next_fire(sh(2024, 3, 20, 12, 0, 0), 15, 9);
        assert_eq!(local(t), "2024-04-15 09:00:00");
        // Same day, before and after the hour.
        assert_eq!(
            local(next_fire(sh(2024, 3, 15, 8, 59, 59), 15, 9)),
            "2024-03-15 09:00:00"
        );
        assert_eq!(
            local(next_fire(sh(2024, 3, 15, 9, 0, 1), 15, 9)),
            "2024-04-15 09:00:00"
        );
    }

    #[test]
    fn strictly_after() {
        let slot = sh(2024, 3, 15, 9, 0, 0);
        assert_eq!(next_fire(slot - 1, 15, 9), slot);
        assert_eq!(local(next_fire(slot, 15, 9)), "2024-04-15 09:00:00");
        // Iterating from each result walks month by month, never repeating a slot.
        let mut t = slot;
        let mut seen = Vec::new();
        for _ in 0..12 {
            t = next_fire(t, 15, 9);
            seen.push(local(t));
        }
        assert_eq!(seen.first().unwrap(), "2024-04-15 09:00:00");
        assert_eq!(seen.last().unwrap(), "2025-03-15 09:00:00");
        let mut dedup = seen.clone();
        dedup.dedup();
        assert_eq!(dedup.len(), 12);
    }

    #[test]
    fn month_ends_clamp_to_last_day() {
        let after = sh(2024, 4, 1, 0, 0, 0);
        assert_eq!(local(next_fire(after, 31, 9)), "2024-04-30 09:00:00");
        assert_eq!(local(next_fire(after, 30, 9)), "2024-04-30 09:00:00");
        assert_eq!(local(next_fire(after, 29, 9)), "2024-04-29 09:00:00");
        // After April's clamped slot, day 31 fires on 31 May.
        let t = next_fire(sh(2024, 4, 30, 10, 0, 0), 31, 9);
        assert_eq!(local(t), "2024-05-31 09:00:00");
        // December to January crosses the year.
        let t = next_fire(sh(2024, 12, 31, 10, 0, 0), 31, 9);
        assert_eq!(local(t), "2025-01-31 09:00:00");
        let t = next_fire(sh(2024, 12, 20, 10, 0, 0), 5, 0);
        assert_eq!(local(t), "2025-01-05 00:00:00");
    }

    #[test]
    fn leap_years() {
        assert_eq!(days_in_month(2024, 2), Some(29));
        assert_eq!(days_in_month(2023, 2), Some(28));
        assert_eq!(days_in_month(2000, 2), Some(29));
        assert_eq!(days_in_month(1900, 2), Some(28));
        assert_eq!(days_in_month(2024, 12), Some(31));
        assert_eq!(days_in_month(2024, 13), None);
        let jan = sh(2024, 1, 31, 10, 0, 0);
        assert_eq!(local(next_fire(jan, 31, 9)), "2024-02-29 09:00:00");
        assert_eq!(local(next_fire(jan, 30, 9)), "2024-02-29 09:00:00");
        assert_eq!(local(next_fire(jan, 29, 9)), "2024-02-29 09:00:00");
        let jan = sh(2023, 1, 31, 10, 0, 0);
        assert_eq!(local(next_fire(jan, 29, 9)), "2023-02-28 09:00:00");
        assert_eq!(local(next_fire(jan, 31, 9)), "2023-02-28 09:00:00");
        // Later the same day, the 31st's slot is still ahead.
        assert_eq!(local(next_fire(jan, 31, 23)), "2023-01-31 23:00:00");
        // After the clamped February slot, March gets its own day.
        let t = next_fire(sh(2023, 2, 28, 23, 0, 0), 30, 23);
        assert_eq!(local(t), "2023-03-30 23:00:00");
    }

    #[test]
    fn local_midnight_is_the_previous_utc_day() {
        // 00:00 on the 1st in Shanghai is 16:00 UTC on the last day of the month before.
        let t = next_fire(sh(2024, 2, 20, 0, 0, 0), 1, 0);
        assert_eq!(local(t), "2024-03-01 00:00:00");
        let utc = DateTime::from_timestamp(t, 0).unwrap();
        assert_eq!(utc.format("%Y-%m-%d %H").to_string(), "2024-02-29 16");
        // A time late in the UTC day is already the next day in Shanghai.
        let after = sh(2024, 3, 15, 7, 0, 0); // 2024-03-14 23:00 UTC
        assert_eq!(local(next_fire(after, 15, 8)), "2024-03-15 08:00:00");
    }

    #[test]
    fn hour_changes() {
        let after = sh(2024, 6, 10, 12, 0, 0);
        assert_eq!(local(next_fire(after, 10, 9)), "2024-07-10 09:00:00");
        assert_eq!(local(next_fire(after, 10, 13)), "2024-06-10 13:00:00");
        assert_eq!(local(next_fire(after, 10, 23)), "2024-06-10 23:00:00");
        assert_eq!(local(next_fire(after, 10, 0)), "2024-07-10 00:00:00");

        // Fired today at 09:00 (pending for July); moving to 15:00 keeps July.
        let pending = next_fire(sh(2024, 6, 10, 9, 0, 0), 10, 9);
        assert_eq!(local(pending), "2024-07-10 09:00:00");
        assert_eq!(
            local(reschedule_hour(pending, 10, 15)),
            "2024-07-10 15:00:00"
        );
        // Pending for 11:00 today; moving to 09:00 keeps June's slot, which is already due.
        let pending = sh(2024, 6, 10, 11, 0, 0);
        let moved = reschedule_hour(pending, 10, 9);
        assert_eq!(local(moved), "2024-06-10 09:00:00");
        assert!(moved <= sh(2024, 6, 10, 10, 0, 0));
        // A clamped slot stays clamped.
        let pending = sh(2023, 2, 28, 9, 0, 0);
        assert_eq!(
            local(reschedule_hour(pending, 31, 20)),
            "2023-02-28 20:00:00"
        );
    }

    #[test]
    fn out_of_range_inputs_are_clamped() {
        let after = sh(2024, 6, 1, 0, 0, 0);
        assert_eq!(local(next_fire(after, 0, 9)), "2024-06-01 09:00:00");
        assert_eq!(local(next_fire(after, 40, 9)), "2024-06-30 09:00:00");
        assert_eq!(local(next_fire(after, 2, 99)), "2024-06-02 23:00:00");
        assert_eq!(next_fire(i64::MAX, 1, 9), i64::MAX);
        assert_eq!(next_fire(i64::MIN, 1, 9), i64::MAX);
    }

    #[test]
    fn every_day_and_hour_is_strictly_after_and_within_two_months() {
        let starts = [
            sh(2023, 1, 31, 23, 59, 59),
            sh(2024, 2, 29, 9, 0, 0),
            sh(2024, 12, 31, 16, 0, 0),
            0,
        ];
        for &after in &starts {
            for day in 1..=31 {
                for hour in 0..24 {
                    let t = next_fire(after, day, hour);
                    assert!(t > after);
                    assert!(t - after <= 62 * 86_400, "{after} {day} {hour}");
                    let l = to_shanghai(t).unwrap();
                    assert_eq!(l.format("%M:%S").to_string(), "00:00");
                    assert_eq!(chrono::Timelike::hour(&l), hour);
                    let dim = days_in_month(l.year(), l.month()).unwrap();
                    assert_eq!(l.day(), day.min(dim));
                }
            }
        }
    }
}
