//! Obfuscated spellings made from rules, not lists: scammers write a decisive word with one of
//! its characters in pinyin (征xin, dai款), all of it in pinyin (zhengxin), or with one
//! character swapped for a sound-alike (征芯, 呆款). From the pinyin of each decisive word and a
//! table of sound-alike characters, every such spelling is generated and folded back to the word.

use std::collections::{BTreeMap, BTreeSet};

use super::data::FoldTable;

/// The fold table with the generated spellings added: canonical word → its variants.
/// `is_normal` says whether a character survives normalisation unchanged (a traditional
/// sound-alike would never be seen after it, so it is not generated).
pub fn expanded(
    folds: &FoldTable,
    is_normal: impl Fn(char) -> bool,
) -> Result<BTreeMap<String, Vec<String>>, String> {
    let mut table = folds.fold.clone();
    let taken: BTreeSet<String> = table
        .iter()
        .flat_map(|(k, vs)| std::iter::once(k.clone()).chain(vs.iter().cloned()))
        .collect();
    let mut generated: BTreeMap<String, String> = BTreeMap::new();
    for (word, pinyin) in &folds.pinyin {
        let chars: Vec<char> = word.chars().collect();
        let syllables: Vec<&str> = pinyin.split_whitespace().collect();
        if syllables.len() != chars.len() || syllables.iter().any(|s| !is_latin(s)) {
            return Err(format!(
                "pinyin of {word}: one lowercase syllable per character"
            ));
        }
        let mut variants = BTreeSet::new();
        // Any non-empty set of characters written in pinyin.
        for mask in 1u32..(1 << chars.len()) {
            let spelled: String = chars
                .iter()
                .zip(&syllables)
                .enumerate()
                .map(|(i, (c, s))| {
                    if mask & (1 << i) != 0 {
                        (*s).to_string()
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            variants.insert(spelled);
        }
        // One character swapped for a sound-alike.
        for (i, c) in chars.iter().enumerate() {
            for alike in folds.homophones.get(&c.to_string()).into_iter().flatten() {
                let mut swapped = chars.clone();
                let Some(a) = single_char(alike) else {
                    return Err(format!("homophone {alike:?} of {c}: one character"));
                };
                if !is_normal(a) {
                    continue;
                }
                swapped[i] = a;
                variants.insert(swapped.into_iter().collect());
            }
        }
        for v in variants {
            // A spelling that is itself a word of the table, or that two words share, is left
            // alone: it is not clearly one word in disguise.
            if v == *word || taken.contains(&v) {
                continue;
            }
            match generated.get(&v) {
                Some(other) if other != word => {
                    generated.insert(v, String::new());
                }
                _ => {
                    generated.insert(v, word.clone());
                }
            }
        }
    }
    for (variant, word) in generated {
        if !word.is_empty() {
            table.entry(word).or_default().push(variant);
        }
    }
    Ok(table)
}

fn is_latin(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_lowercase())
}

fn single_char(s: &str) -> Option<char> {
    let mut it = s.chars();
    match (it.next(), it.next()) {
        (Some(c), None) => Some(c),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table() -> FoldTable {
        toml::from_str(
            r#"
            [fold]
            "微信" = ["vx"]
            [pinyin]
            "征信" = "zheng xin"
            "贷款" = "dai kuan"
            [homophones]
            "信" = ["芯", "心"]
            "贷" = ["呆", "袋"]
            "#,
        )
        .unwrap()
    }

    #[test]
    fn pinyin_and_sound_alikes_fold_to_the_word() {
        let t = expanded(&table(), |c| c != '袋').unwrap();
        let credit = &t["征信"];
        for v in ["征xin", "zheng信", "zhengxin", "征芯", "征心"] {
            assert!(
                credit.contains(&v.to_string()),
                "{v} missing from {credit:?}"
            );
        }
        let loan = &t["贷款"];
        assert!(loan.contains(&"呆款".to_string()));
        assert!(loan.contains(&"dai款".to_string()));
        // Not normal after normalisation: never seen, never generated.
        assert!(!loan.contains(&"袋款".to_string()));
        assert_eq!(t["微信"], vec!["vx".to_string()]);
    }

    #[test]
    fn a_syllable_count_that_does_not_fit_is_an_error() {
        let mut t = table();
        t.pinyin.insert("逾期".into(), "yuqi".into());
        assert!(expanded(&t, |_| true).is_err());
    }
}
