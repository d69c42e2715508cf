//! Feature hashing: every n-gram and token becomes a bucket number, the same on every machine.

/// FNV-1a, 64 bits: tiny, stable across platforms and Rust versions (unlike `std`'s hasher).
pub fn fnv1a(parts: &[&[u8]]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for part in parts {
        for &b in *part {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        // A separator, so ("ab", "c") and ("a", "bc") differ.
        h ^= 0xff;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The bucket of a hash in a table of `1 << bits` buckets (the high bits mix best).
pub fn bucket(hash: u64, bits: u32) -> u32 {
    (hash >> (64 - bits)) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_stable_and_parts_are_separated() {
        // Pinned: a change here silently invalidates the committed model.
        assert_eq!(fnv1a(&[b"abc"]), 0xfc18_2483_ee08_06dc);
        assert_ne!(fnv1a(&[b"ab", b"c"]), fnv1a(&[b"a", b"bc"]));
        assert!(bucket(u64::MAX, 16) < 1 << 16);
    }
}
