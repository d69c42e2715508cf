//! Numbers the way people write them: "12,000", "1.2万", "8千", "三千五", "两万".

/// An amount in yuan from a number and its unit ("1.2" + "万" → 12 000).
pub fn parse_amount(number: &str, unit: &str) -> Option<f64> {
    let base = parse_number(number)?;
    let factor = match unit {
        "万" | "万元" | "万块" | "w" => 10_000.0,
        "千" | "千元" | "千块" | "k" => 1_000.0,
        _ => 1.0,
    };
    let value = base * factor;
    (value.is_finite() && value >= 0.0).then_some(value)
}

/// Parses Arabic numerals (with thousands commas) or Chinese numerals.
pub fn parse_number(s: &str) -> Option<f64> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.bytes().next()?.is_ascii_digit() {
        let cleaned: String = s.chars().filter(|c| *c != ',').collect();
        return cleaned.parse().ok();
    }
    parse_chinese(s)
}

fn digit(c: char) -> Option<u64> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        _ => return None,
    })
}

fn small_unit(c: char) -> Option<u64> {
    Some(match c {
        '十' => 10,
        '百' => 100,
        '千' => 1_000,
        _ => return None,
    })
}

/// Chinese numerals, including the spoken shorthand where a trailing digit means the next
/// smaller unit: "三千五" = 3500, "两万三" = 23 000, "一百五" = 150.
fn parse_chinese(s: &str) -> Option<f64> {
    let mut total: u64 = 0; // completed 万/亿 sections
    let mut section: u64 = 0; // below 万
    let mut pending: Option<u64> = None; // a digit waiting for its unit
    let mut last_unit: u64 = 0; // the unit of the last digit placed, for "三千五"
    let mut any = false;
    for c in s.chars() {
        any = true;
        if let Some(d) = digit(c) {
            if pending.is_some() && d != 0 {
                return None; // "三五" is not a number
            }
            pending = if d == 0 { None } else { Some(d) };
            if d == 0 {
                last_unit = 0;
            }
        } else if let Some(u) = small_unit(c) {
            let d = pending.take().unwrap_or(1);
            section = section.checked_add(d * u)?;
            last_unit = u;
        } else if c == '万' {
            section = section.checked_add(pending.take().unwrap_or(0))?;
            total = total.checked_add(section.max(1).checked_mul(10_000)?)?;
            section = 0;
            last_unit = 10_000;
        } else if c == '亿' {
            section = section.checked_add(pending.take().unwrap_or(0))?;
            total = total
                .checked_add(section.max(1))?
                .checked_mul(100_000_000)?;
            section = 0;
            last_unit = 100_000_000;
        } else {
            return None;
        }
    }
    if !any {
        return None;
    }
    if let Some(d) = pending {
        // "三千五": the trailing digit counts in the unit below the last one.
        let implied = match last_unit {
            0 | 10 => 1,
            u => u / 10,
        };
        section = section.checked_add(d * implied)?;
    }
    // Absurdly long numerals ("亿亿亿亿…") overflow: not an amount anyone owes.
    Some(total.checked_add(section)? as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arabic_numbers_with_units() {
        assert_eq!(parse_amount("12,000", "元"), Some(12_000.0));
        assert_eq!(parse_amount("1.2", "万"), Some(12_000.0));
        assert_eq!(parse_amount("8", "千"), Some(8_000.0));
        assert_eq!(parse_amount("8000", ""), Some(8_000.0));
    }

    #[test]
    fn chinese_numerals() {
        assert_eq!(parse_number("三千五"), Some(3_500.0));
        assert_eq!(parse_number("两万"), Some(20_000.0));
        assert_eq!(parse_number("两万三"), Some(23_000.0));
        assert_eq!(parse_number("一百五"), Some(150.0));
        assert_eq!(parse_number("十五"), Some(15.0));
        assert_eq!(parse_number("一千零五"), Some(1_005.0));
        assert_eq!(parse_number("三万五千"), Some(35_000.0));
        assert_eq!(parse_number("五"), Some(5.0));
    }

    #[test]
    fn rejects_what_is_not_a_number() {
        assert_eq!(
            parse_number("亿亿亿亿亿亿亿亿亿亿亿"),
            None,
            "overflow is not a panic"
        );
        assert_eq!(parse_number(""), None);
        assert_eq!(parse_number("三五"), None);
        assert_eq!(parse_number("abc"), None);
    }
}
