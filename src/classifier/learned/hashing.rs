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

/// The hash of a character n-gram: one multiply-rotate step per character and a final mix
/// (murmur3's), several times cheaper than hashing the UTF-8 bytes; the same everywhere.
pub fn gram_hash(chars: &[char]) -> u64 {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut h = (chars.len() as u64).wrapping_mul(K);
    for &c in chars {
        h = (h ^ u64::from(c)).wrapping_mul(K).rotate_left(29);
    }
    fmix64(h)
}

fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
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
        assert_ne!(gram_hash(&['征', '信']), gram_hash(&['信', '征']));
        assert_ne!(gram_hash(&['a']), gram_hash(&['a', 'a']));
    }
}
