//! The data files the classifier is built from, embedded in the binary.

use std::collections::BTreeMap;

use serde::Deserialize;

use super::directory::Directory;
use super::learned::LearnedConfig;
use super::rules::RuleFile;

pub const T2S_TABLE: &str = include_str!("data/t2s.txt");
pub const FOLDS_TOML: &str = include_str!("data/folds.toml");
pub const RULES_TOML: &str = include_str!("data/rules.toml");
pub const DIRECTORY_TOML: &str = include_str!("data/directory.toml");
pub const LEARNED_TOML: &str = include_str!("data/learned.toml");
/// Written by `loanguard train`; empty means "no learned stage yet".
pub const LEARNED_MODEL: &[u8] = include_bytes!("data/learned.bin");

/// Obfuscated spellings and the word they stand for, written in normalised form.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FoldTable {
    pub fold: BTreeMap<String, Vec<String>>,
    /// Decisive words and their pinyin, one syllable per character: spellings with pinyin in
    /// them are generated (see `spelling.rs`).
    #[serde(default)]
    pub pinyin: BTreeMap<String, String>,
    /// Characters and the sound-alikes written in their place.
    #[serde(default)]
    pub homophones: BTreeMap<String, Vec<String>>,
}

/// Everything parsed, not yet compiled.
pub struct EmbeddedData {
    pub t2s: &'static str,
    pub folds: FoldTable,
    pub rules: RuleFile,
    pub directory: Directory,
    pub learned: LearnedConfig,
}

impl EmbeddedData {
    pub fn load() -> Result<Self, String> {
        Ok(Self {
            t2s: T2S_TABLE,
            folds: toml::from_str(FOLDS_TOML).map_err(|e| format!("folds.toml: {e}"))?,
            rules: toml::from_str(RULES_TOML).map_err(|e| format!("rules.toml: {e}"))?,
            directory: toml::from_str(DIRECTORY_TOML)
                .map_err(|e| format!("directory.toml: {e}"))?,
            learned: toml::from_str(LEARNED_TOML).map_err(|e| format!("learned.toml: {e}"))?,
        })
    }
}
