//! The store of confirmed examples as the bot and the command line use it: an in-memory
//! [`KnownIndex`] loaded from the database, kept up to date by [`KnownStore::refresh`], and the
//! classifier run against it.
//!
//! The database is the truth: examples are added by `loanguard known add` and by reviewers in
//! the bot, and removed by `loanguard known remove` and `/known remove`. Each instance polls for
//! what changed (new ids, and removals in `known_removals`), so a confirmation on one instance
//! reaches the others at their next refresh.

pub mod review;
pub mod snapshot;

use std::sync::{Arc, RwLock};
use std::time::Duration;

use tokio::sync::Mutex;

use crate::classifier::known::fingerprint::VERSION;
use crate::classifier::known::{ExampleFacts, Fingerprint, KnownIndex};
use crate::classifier::{Classifier, Context, Family, Report, Verdict};
use crate::render::redact::redact_with;
use crate::storage::{ExampleRow, NewExample, Snapshot, Store};

/// The index of confirmed examples, shared by every handler of one process.
#[derive(Debug, Default)]
pub struct KnownStore {
    index: RwLock<KnownIndex>,
    /// The newest example id and removal seen, so a refresh reads only what is new.
    marks: Mutex<Marks>,
}

#[derive(Debug, Default, Clone, Copy)]
struct Marks {
    last_id: i64,
    last_removal: i64,
    /// The newest example in the snapshot this process read or wrote, if any.
    snapshot_upto: Option<i64>,
}

impl KnownStore {
    /// An empty store (no database, or tests).
    pub fn empty() -> KnownStore {
        KnownStore::default()
    }

    /// Loads every example of `store`: the snapshot ([`KnownStore::compact`]) in a few large
    /// rows, then what was added or removed after it. Examples fingerprinted by an older
    /// version of the fingerprinting are fingerprinted again from their text first (and the
    /// snapshot is then not used).
    pub async fn load(store: &Store) -> crate::storage::Result<KnownStore> {
        let known = KnownStore::empty();
        known.load_into(store).await?;
        Ok(known)
    }

    /// As [`KnownStore::load`], into this (empty) store: the bot fills the store it shares
    /// with the web page that runs in its process.
    pub async fn load_into(&self, store: &Store) -> crate::storage::Result<()> {
        let known = self;
        let classifier = Classifier::shared();
        let outdated = store.known_outdated(VERSION).await?;
        for (id, text) in &outdated {
            // Too short now: keep the old bytes; the version check skips them at load.
            if let Some(f) = classifier.fingerprint(text) {
                store
                    .set_known_fingerprint(*id, &f.to_bytes(), VERSION)
                    .await?;
            }
        }
        if outdated.is_empty()
            && let Some(snapshot) = store.known_snapshot().await?
            && let Some(examples) = snapshot::decode(&snapshot.parts)
        {
            *known.index.write().unwrap_or_else(|e| e.into_inner()) = KnownIndex::build(examples);
            *known.marks.lock().await = Marks {
                last_id: snapshot.upto_id,
                last_removal: snapshot.removal_seq,
                snapshot_upto: Some(snapshot.upto_id),
            };
        }
        known.refresh(store).await?;
        crate::metrics::known_examples(known.len());
        Ok(())
    }

    /// Writes a snapshot of the index when more than `after` examples were read one by one
    /// at the last load or since (or always, with `after` 0). Returns whether it wrote one.
    pub async fn compact(&self, store: &Store, after: usize) -> crate::storage::Result<bool> {
        let mut marks = self.marks.lock().await;
        let parts = {
            let index = self.index.read().unwrap_or_else(|e| e.into_inner());
            if let Some(covered) = marks.snapshot_upto
                && index.examples().filter(|(f, _)| f.id > covered).count() <= after
            {
                return Ok(false);
            }
            snapshot::encode(index.examples())
        };
        store
            .write_known_snapshot(&Snapshot {
                upto_id: marks.last_id,
                removal_seq: marks.last_removal,
                parts,
            })
            .await?;
        marks.snapshot_upto = Some(marks.last_id);
        Ok(true)
    }

    /// Reads what changed since the last refresh: examples added and removed by any instance.
    /// Returns how many examples were added or removed.
    pub async fn refresh(&self, store: &Store) -> crate::storage::Result<usize> {
        let mut marks = self.marks.lock().await;
        // Removals first: an example added and removed since the last look is absent from the
        // table, and its removal then names an id the index never had.
        let removals = store.known_removed_since(marks.last_removal).await?;
        let rows = store.known_since(marks.last_id).await?;
        if removals.is_empty() && rows.is_empty() {
            return Ok(0);
        }
        let changes = removals.len() + rows.len();
        if let Some(&(seq, _)) = removals.last() {
            marks.last_removal = seq;
        }
        if let Some(row) = rows.last() {
            marks.last_id = row.id;
        }
        let removed: Vec<i64> = removals.into_iter().map(|(_, id)| id).collect();
        let added: Vec<(ExampleFacts, Fingerprint)> = rows.iter().filter_map(facts_of).collect();
        let mut index = self.index.write().unwrap_or_else(|e| e.into_inner());
        index.remove(&removed);
        index.extend(added);
        crate::metrics::known_examples(index.len());
        Ok(changes)
    }

    /// As [`KnownStore::classify`] with the shared classifier, timed and counted in the metrics
    /// under `source` (`bot`, `web`, `api`): what a server answers with.
    pub fn check(&self, text: &str, context: &Context, source: &'static str) -> Report<'static> {
        let started = std::time::Instant::now();
        let report = self.classify(Classifier::shared(), text, context);
        crate::metrics::verdict(source, report.verdict.as_str(), started.elapsed());
        report
    }

    /// The classifier's report on `text`, near-copies of confirmed examples included.
    pub fn classify<'c>(
        &self,
        classifier: &'c Classifier,
        text: &str,
        context: &Context,
    ) -> Report<'c> {
        let report = {
            let index = self.index.read().unwrap_or_else(|e| e.into_inner());
            classifier.classify_against(text, context, &index)
        };
        if let Some(found) = &report.known {
            crate::metrics::known_match(found.example.label.as_str());
        }
        report
    }

    /// Runs `f` with the index (a batch of checks under one read lock).
    pub fn with_index<R>(&self, f: impl FnOnce(&KnownIndex) -> R) -> R {
        f(&self.index.read().unwrap_or_else(|e| e.into_inner()))
    }

    /// Examples in the index.
    pub fn len(&self) -> usize {
        self.index.read().unwrap_or_else(|e| e.into_inner()).len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Examples read one by one at start-up, beyond the snapshot, before a new snapshot is written.
pub const SNAPSHOT_AFTER: usize = 1_000;

/// Reads what other instances (and `loanguard known`) added or removed every `every`, and
/// writes a new snapshot when many examples came after the last one, until the task is dropped.
pub async fn keep_fresh(store: Arc<Store>, known: Arc<KnownStore>, every: Duration) {
    loop {
        tokio::time::sleep(every).await;
        match known.refresh(&store).await {
            Ok(0) => {}
            Ok(n) => tracing::info!(
                changes = n,
                examples = known.len(),
                "confirmed examples updated"
            ),
            Err(e) => tracing::warn!(error = %e, "could not read confirmed examples"),
        }
        compact(&store, &known).await;
    }
}

/// Writes a new snapshot when more than [`SNAPSHOT_AFTER`] examples came after the last one,
/// so the next start reads them in a few rows. Failures are logged.
pub async fn compact(store: &Store, known: &KnownStore) {
    match known.compact(store, SNAPSHOT_AFTER).await {
        Ok(true) => tracing::info!(
            examples = known.len(),
            "snapshot of confirmed examples written"
        ),
        Ok(false) => {}
        Err(e) => tracing::warn!(error = %e, "could not write the snapshot of confirmed examples"),
    }
}

/// A text ready to store as an example: redacted (ID, card and phone numbers), fingerprinted.
/// `None` when the text is too short to recognise copies of.
pub fn new_example(
    text: &str,
    label: Verdict,
    family: Option<Family>,
    reviewer: &str,
    now: i64,
) -> Option<NewExample> {
    let redacted = redact_with(text, false);
    let fingerprint = Classifier::shared().fingerprint(&redacted)?;
    Some(NewExample {
        label: label.as_str().to_string(),
        family: family.map(|f| f.as_str().to_string()),
        redacted_text: redacted,
        fingerprint: fingerprint.to_bytes(),
        fingerprint_version: VERSION,
        reviewer: reviewer.to_string(),
        confirmed_at: now,
    })
}

fn facts_of(row: &ExampleRow) -> Option<(ExampleFacts, Fingerprint)> {
    if row.fingerprint_version != VERSION {
        return None;
    }
    let label = Verdict::parse(&row.label).filter(|l| *l != Verdict::Unrelated)?;
    let facts = ExampleFacts {
        id: row.id,
        label,
        family: row.family.as_deref().and_then(Family::parse),
        confirmed_at: row.confirmed_at,
    };
    Some((facts, Fingerprint::from_bytes(&row.fingerprint)?))
}
