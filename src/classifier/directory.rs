//! The directory of official contacts: regulators, hotlines, courts and lenders.
//!
//! Every entry names its source and the date it was checked. Only entries whose numbers come
//! from a government page or several independent sources are `verified`; the bot never calls an
//! unverified number official and always tells people to take a lender's number from its app.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Emergency,
    AntiFraud,
    Regulator,
    Court,
    LegalAid,
    Complaint,
    /// A bank's own customer-service line (credit cards, bank loans).
    Bank,
    Lender,
}

impl EntryKind {
    /// A creditor's own line (a bank or a lender), as opposed to a public body's.
    pub fn is_creditor(self) -> bool {
        matches!(self, EntryKind::Bank | EntryKind::Lender)
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    pub name: String,
    pub kind: EntryKind,
    /// Other names the entry goes by in messages (brands, products).
    #[serde(default)]
    pub aliases: Vec<String>,
    #[serde(default)]
    pub numbers: Vec<String>,
    #[serde(default)]
    pub domains: Vec<String>,
    #[serde(default)]
    pub apps: Vec<String>,
    pub verified: bool,
    pub source: String,
    pub checked: String,
    #[serde(default)]
    pub note: String,
}

impl Entry {
    /// The names to look for in a message: the entry's own name and its aliases.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        let own = (self.kind == EntryKind::Lender).then_some(self.name.as_str());
        own.into_iter()
            .chain(self.aliases.iter().map(String::as_str))
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Directory {
    #[serde(rename = "entry")]
    pub entries: Vec<Entry>,
}

impl Directory {
    /// The entry that lists `digits` as one of its numbers.
    pub fn lookup_number(&self, digits: &str) -> Option<usize> {
        self.entries
            .iter()
            .position(|e| e.numbers.iter().any(|n| n == digits))
    }

    pub fn official_domains(&self) -> impl Iterator<Item = &str> {
        self.entries
            .iter()
            .filter(|e| e.verified)
            .flat_map(|e| e.domains.iter().map(String::as_str))
    }

    pub fn get(&self, index: usize) -> Option<&Entry> {
        self.entries.get(index)
    }
}

#[cfg(test)]
mod tests {
    use super::EntryKind;
    use crate::classifier::Classifier;

    #[test]
    fn bank_hotlines_are_listed_as_the_banks_own_lines() {
        let text = "【中国银行】您的信用卡已逾期，请尽快还款。如有疑问请致电官方客服热线95566。";
        let report = Classifier::shared().classify(text);
        let hit = report
            .directory_hits
            .iter()
            .find(|e| e.numbers.iter().any(|n| n == "95566"))
            .expect("95566 is in the directory");
        assert_eq!(hit.name, "中国银行");
        assert_eq!(hit.kind, EntryKind::Bank);
        assert!(hit.verified && hit.source.contains("官网"));
        let ids: Vec<&str> = report.signals.iter().map(|s| s.id()).collect();
        assert!(
            !ids.contains(&"contact.official_claim_unlisted_number"),
            "{ids:?}"
        );
    }

    #[test]
    fn every_bank_line_is_a_955xx_number_with_its_source_and_date() {
        let directory = &Classifier::shared().directory().entries;
        let banks: Vec<_> = directory
            .iter()
            .filter(|e| e.kind == EntryKind::Bank)
            .collect();
        assert!(banks.len() >= 7);
        for bank in banks {
            assert!(
                bank.aliases.is_empty(),
                "{}: names are not matched",
                bank.name
            );
            assert!(bank.domains.is_empty(), "{}", bank.name);
            assert!(
                bank.numbers
                    .iter()
                    .all(|n| n.len() == 5 && n.starts_with("955")),
                "{}",
                bank.name
            );
            assert_eq!(bank.checked, "2026-12-03");
        }
    }

    #[test]
    fn a_bank_line_is_a_creditors_line_not_a_public_bodys() {
        // A collector's message that gives the bank's number and an agent's mobile is not the
        // "official number next to a private contact" pattern reserved for public bodies.
        let text = "您好，这里是受招商银行委托的催收专员，工号12345，请通过银行官方渠道还款，\
                    如有疑问可致电95555，或联系我13800138000。";
        let report = Classifier::shared().classify(text);
        let ids: Vec<&str> = report.signals.iter().map(|s| s.id()).collect();
        assert!(
            !ids.contains(&"contact.official_number_with_private_contact"),
            "{ids:?}"
        );
    }
}
