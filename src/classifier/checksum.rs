//! Check digits of the numbers people are asked to hand over.

/// The Luhn check used by most bank cards. Many Chinese cards pass it, some do not, and a random
/// number passes one time in ten, so it is a hint, never proof.
pub fn luhn_ok(digits: &str) -> bool {
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return false;
    }
    let mut sum = 0u32;
    for (i, b) in digits.bytes().rev().enumerate() {
        let mut d = u32::from(b - b'0');
        if i % 2 == 1 {
            d *= 2;
            if d > 9 {
                d -= 9;
            }
        }
        sum += d;
    }
    sum.is_multiple_of(10)
}

/// An 18-character resident ID (GB 11643-1999): region, birth date, sequence, check character.
/// Returns `None` when the shape or the date is wrong, else whether the check character fits.
pub fn resident_id_checksum(id: &str) -> Option<bool> {
    let bytes = id.as_bytes();
    if bytes.len() != 18
        || !bytes[..17].iter().all(u8::is_ascii_digit)
        || !(bytes[17].is_ascii_digit() || bytes[17] == b'x' || bytes[17] == b'X')
        || bytes[0] == b'0'
    {
        return None;
    }
    let year: u32 = id[6..10].parse().ok()?;
    let month: u32 = id[10..12].parse().ok()?;
    let day: u32 = id[12..14].parse().ok()?;
    if !(1900..=2099).contains(&year) || !valid_date(year, month, day) {
        return None;
    }
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let sum: u32 = bytes[..17]
        .iter()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    Some(CHECK[(sum % 11) as usize] == bytes[17].to_ascii_uppercase())
}

/// A 15-digit resident ID from before 1999: region, two-digit year, month, day, sequence.
pub fn is_old_resident_id(id: &str) -> bool {
    if id.len() != 15 || !id.bytes().all(|b| b.is_ascii_digit()) || id.starts_with('0') {
        return false;
    }
    let year = 1900 + id[6..8].parse::<u32>().unwrap_or(0);
    let month = id[8..10].parse().unwrap_or(0);
    let day = id[10..12].parse().unwrap_or(0);
    valid_date(year, month, day)
}

fn valid_date(year: u32, month: u32, day: u32) -> bool {
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (year.is_multiple_of(4) && !year.is_multiple_of(100)) || year.is_multiple_of(400) => {
            29
        }
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn luhn_accepts_valid_and_rejects_one_digit_off() {
        assert!(luhn_ok("4111111111111111"));
        assert!(luhn_ok("6222021234567890128"));
        assert!(!luhn_ok("4111111111111112"));
        assert!(!luhn_ok(""));
        assert!(!luhn_ok("12a4"));
    }

    #[test]
    fn resident_id_check_character() {
        assert_eq!(resident_id_checksum("11010519491231002X"), Some(true));
        assert_eq!(resident_id_checksum("11010519491231002x"), Some(true));
        assert_eq!(resident_id_checksum("110105194912310029"), Some(false));
    }

    #[test]
    fn resident_id_needs_a_real_birth_date() {
        assert_eq!(resident_id_checksum("110105194902300021"), None); // 30 February
        assert_eq!(resident_id_checksum("110105194913010021"), None); // month 13
        assert_eq!(resident_id_checksum("11010519491231002"), None); // too short
    }

    #[test]
    fn old_fifteen_digit_ids() {
        assert!(is_old_resident_id("110105491231002"));
        assert!(!is_old_resident_id("110105491331002"));
        assert!(!is_old_resident_id("11010549123100"));
    }

    #[test]
    fn leap_years() {
        assert!(valid_date(2000, 2, 29));
        assert!(!valid_date(1900, 2, 29));
        assert!(valid_date(2024, 2, 29));
    }
}
