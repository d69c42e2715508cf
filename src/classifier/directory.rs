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
    Lender,
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
