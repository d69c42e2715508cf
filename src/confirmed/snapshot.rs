//! The layout of the snapshot parts ([`crate::storage::Snapshot`]): each part starts with the
//! fingerprint [`VERSION`] (`i64`), then fixed-size records: id `i64`, confirmed_at `i64`,
//! label `u8`, family `u8` (0 for none, else its place in [`Family::ALL`] plus one), and the
//! fingerprint's [`ENCODED_LEN`] bytes. All little-endian. Decoding allocates nothing per
//! example.

use crate::classifier::known::fingerprint::{ENCODED_LEN, VERSION};
use crate::classifier::known::{ExampleFacts, Fingerprint};
use crate::classifier::{Family, Verdict};

const RECORD: usize = 8 + 8 + 1 + 1 + ENCODED_LEN;
/// Records per part: about a megabyte.
const PER_PART: usize = (1 << 20) / RECORD;

/// Packs examples into parts.
pub fn encode<'a>(
    examples: impl Iterator<Item = (&'a ExampleFacts, &'a Fingerprint)>,
) -> Vec<Vec<u8>> {
    let mut parts: Vec<Vec<u8>> = Vec::new();
    for (n, (facts, fingerprint)) in examples.enumerate() {
        if n % PER_PART == 0 {
            let mut part = Vec::with_capacity(8 + PER_PART * RECORD);
            part.extend_from_slice(&VERSION.to_le_bytes());
            parts.push(part);
        }
        let part = parts.last_mut().expect("a part was started");
        part.extend_from_slice(&facts.id.to_le_bytes());
        part.extend_from_slice(&facts.confirmed_at.to_le_bytes());
        part.push(label_code(facts.label));
        part.push(facts.family.map_or(0, family_code));
        part.extend_from_slice(&fingerprint.to_bytes());
    }
    parts
}

/// Unpacks parts; `None` when a part is damaged or made by another fingerprint version (the
/// caller then reads the examples one by one).
pub fn decode(parts: &[Vec<u8>]) -> Option<Vec<(ExampleFacts, Fingerprint)>> {
    let records: usize = parts
        .iter()
        .map(|p| p.len().saturating_sub(8) / RECORD)
        .sum();
    let mut out = Vec::with_capacity(records);
    for part in parts {
        let (version, body) = part.split_at_checked(8)?;
        if i64::from_le_bytes(version.try_into().ok()?) != VERSION || body.len() % RECORD != 0 {
            return None;
        }
        for r in body.chunks_exact(RECORD) {
            let int = |at: usize| i64::from_le_bytes(r[at..at + 8].try_into().expect("8 bytes"));
            let facts = ExampleFacts {
                id: int(0),
                confirmed_at: int(8),
                label: label_of(r[16])?,
                family: match r[17] {
                    0 => None,
                    n => Some(*Family::ALL.get(usize::from(n) - 1)?),
                },
            };
            out.push((facts, Fingerprint::from_bytes(&r[18..])?));
        }
    }
    Some(out)
}

fn label_code(label: Verdict) -> u8 {
    match label {
        Verdict::Scam => 1,
        Verdict::Suspicious => 2,
        Verdict::Legit | Verdict::Unrelated => 3,
    }
}

fn label_of(code: u8) -> Option<Verdict> {
    match code {
        1 => Some(Verdict::Scam),
        2 => Some(Verdict::Suspicious),
        3 => Some(Verdict::Legit),
        _ => None,
    }
}

fn family_code(family: Family) -> u8 {
    let place = Family::ALL
        .iter()
        .position(|f| *f == family)
        .expect("every family is in ALL");
    u8::try_from(place + 1).expect("fewer than 255 families")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classifier::Classifier;

    #[test]
    fn examples_round_trip_and_damage_or_another_version_is_refused() {
        let fingerprint = Classifier::shared()
            .fingerprint("您的借款已严重逾期，请立即将欠款转入专员个人账户，否则将安排人员上门")
            .unwrap();
        let examples = [
            (
                ExampleFacts {
                    id: 7,
                    label: Verdict::Scam,
                    family: Some(Family::CourtPolice),
                    confirmed_at: 1_700_000_000,
                },
                fingerprint.clone(),
            ),
            (
                ExampleFacts {
                    id: 9,
                    label: Verdict::Legit,
                    family: None,
                    confirmed_at: 5,
                },
                fingerprint,
            ),
        ];
        let parts = encode(examples.iter().map(|(f, p)| (f, p)));
        assert_eq!(decode(&parts).unwrap(), examples.to_vec());

        let mut cut = parts.clone();
        cut[0].pop();
        assert_eq!(decode(&cut), None);
        let mut other = parts;
        other[0][0] ^= 0xff;
        assert_eq!(decode(&other), None);
    }
}
