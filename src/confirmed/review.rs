//! Reviewing submitted reports: `/review` shows the oldest one with buttons, a press closes it
//! (as an example of a scam, a suspicious or a genuine message, or as not about debt) or skips
//! it, and `/known remove ID` takes an example out. Only reviewers ([`Reviewers`]) get here;
//! the bot checks before calling.

use super::{KnownStore, new_example};
use crate::classifier::{Classifier, Family, Verdict};
use crate::render::verdict::days_ago;
use crate::render::{Button, ButtonAction, Doc, Paragraph, Reply, text_doc};
use crate::responses::{Responses, fill};
use crate::storage::{FeedbackRow, Review, Store};

/// The Telegram user ids allowed to review (`LOANGUARD_REVIEWERS`, comma- or space-separated).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reviewers(Vec<u64>);

impl Reviewers {
    /// Parses a list such as `"123, 456"`; an entry that is not a user id is an error.
    pub fn parse(list: &str) -> Result<Reviewers, String> {
        list.split(|c: char| c == ',' || c.is_whitespace())
            .filter(|s| !s.is_empty())
            .map(|s| {
                s.parse::<u64>()
                    .map_err(|_| format!("{s:?} is not a Telegram user id"))
            })
            .collect::<Result<Vec<u64>, String>>()
            .map(Reviewers)
    }

    pub fn contains(&self, user_id: u64) -> bool {
        self.0.contains(&user_id)
    }
}

/// What a reviewer's button does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewAction {
    /// Store the text as an example with this label.
    Confirm(Verdict),
    /// Not about debt collection: drop it.
    Dismiss,
    /// Show the next report; this one stays open.
    Skip,
}

/// A reviewer's button under report `report`. Data `rv:<id>:<s|u|l|n|k>`, which no other
/// button's prefix collides with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReviewButton {
    pub report: i64,
    pub action: ReviewAction,
}

impl ReviewButton {
    pub fn encode(self) -> String {
        let code = match self.action {
            ReviewAction::Confirm(Verdict::Scam) => 's',
            ReviewAction::Confirm(Verdict::Suspicious) => 'u',
            ReviewAction::Confirm(Verdict::Legit | Verdict::Unrelated) => 'l',
            ReviewAction::Dismiss => 'n',
            ReviewAction::Skip => 'k',
        };
        format!("rv:{}:{code}", self.report)
    }

    pub fn parse(data: &str) -> Option<ReviewButton> {
        let (id, code) = data.strip_prefix("rv:")?.split_once(':')?;
        let action = match code {
            "s" => ReviewAction::Confirm(Verdict::Scam),
            "u" => ReviewAction::Confirm(Verdict::Suspicious),
            "l" => ReviewAction::Confirm(Verdict::Legit),
            "n" => ReviewAction::Dismiss,
            "k" => ReviewAction::Skip,
            _ => return None,
        };
        Some(ReviewButton {
            report: id.parse().ok().filter(|&id: &i64| id > 0)?,
            action,
        })
    }
}

/// Longest part of a report's text shown, in characters (a Telegram message holds 4,096).
const MAX_SHOWN_CHARS: usize = 3_000;

/// `/review`: the oldest open report after `after_id`, or "nothing to review".
pub async fn next(store: &Store, after_id: i64, now: i64, texts: &Responses) -> Reply {
    match store.next_report(after_id).await {
        Ok(Some(row)) => show(&row, now, texts),
        Ok(None) => Reply::text(text_doc(&texts.review.empty)),
        Err(e) => {
            tracing::warn!(error = %e, "could not read the review queue");
            Reply::text(text_doc(&texts.review.failed))
        }
    }
}

/// A reviewer pressed `button`: close or skip the report, refresh this instance's index, and
/// show the next report.
pub async fn decide(
    store: &Store,
    known: &KnownStore,
    reviewer_id: u64,
    button: ReviewButton,
    now: i64,
    texts: &Responses,
) -> Reply {
    let status = match button.action {
        ReviewAction::Skip => None,
        ReviewAction::Dismiss => {
            Some(close(store, button.report, Review::Dismiss, now, texts).await)
        }
        ReviewAction::Confirm(label) => {
            Some(confirm(store, known, reviewer_id, button.report, label, now, texts).await)
        }
    };
    let mut reply = next(store, button.report, now, texts).await;
    if let Some(status) = status {
        let mut doc = Doc::default();
        doc.push(Paragraph::default().text(status));
        doc.paragraphs.extend(reply.doc.paragraphs);
        reply.doc = doc;
    }
    reply
}

async fn confirm(
    store: &Store,
    known: &KnownStore,
    reviewer_id: u64,
    report: i64,
    label: Verdict,
    now: i64,
    texts: &Responses,
) -> String {
    // The example is made from the report's text inside the store's transaction; here only
    // its label, family and fingerprint are prepared, from the same text.
    let text = match store.open_report(report).await {
        Ok(Some(row)) => row.redacted_text.unwrap_or_default(),
        Ok(None) => return texts.review.already.clone(),
        Err(_) => return texts.review.failed.clone(),
    };
    let family = family_of(&text, label);
    let reviewer = format!("telegram:{reviewer_id}");
    let Some(example) = new_example(&text, label, family, &reviewer, now) else {
        // Too short to recognise copies of: nothing to store, the report is closed.
        return close(store, report, Review::Dismiss, now, texts).await;
    };
    match store
        .review_report(report, Review::Confirm(example), now)
        .await
    {
        Ok(Some(Some(added))) => {
            if let Err(e) = known.refresh(store).await {
                tracing::warn!(error = %e, "could not refresh the known examples");
            }
            let label = texts.verdict.get(label);
            fill(
                &texts.review.confirmed,
                &[("id", &added.id().to_string()), ("label", label)],
            )
        }
        Ok(_) => texts.review.already.clone(),
        Err(e) => {
            tracing::warn!(error = %e, "could not store a confirmed example");
            texts.review.failed.clone()
        }
    }
}

async fn close(store: &Store, report: i64, review: Review, now: i64, texts: &Responses) -> String {
    match store.review_report(report, review, now).await {
        Ok(Some(_)) => texts.review.dismissed.clone(),
        Ok(None) => texts.review.already.clone(),
        Err(e) => {
            tracing::warn!(error = %e, "could not close a report");
            texts.review.failed.clone()
        }
    }
}

/// The family the learned stage sees in `text`, when it belongs to the confirmed label.
fn family_of(text: &str, label: Verdict) -> Option<Family> {
    Classifier::shared()
        .classify(text)
        .learned
        .map(|l| l.family)
        .filter(|f| f.verdict() == label)
}

/// `/known remove ID`.
pub async fn known_command(
    store: &Store,
    known: &KnownStore,
    args: &str,
    now: i64,
    texts: &Responses,
) -> Reply {
    let mut words = args.split_whitespace();
    let id = match (
        words.next(),
        words.next().map(str::parse::<i64>),
        words.next(),
    ) {
        (Some("remove"), Some(Ok(id)), None) => id,
        _ => return Reply::text(text_doc(&texts.review.known_usage)),
    };
    let text = match store.remove_known(id, now).await {
        Ok(true) => {
            if let Err(e) = known.refresh(store).await {
                tracing::warn!(error = %e, "could not refresh the known examples");
            }
            fill(&texts.review.removed, &[("id", &id.to_string())])
        }
        Ok(false) => fill(&texts.review.not_found, &[("id", &id.to_string())]),
        Err(e) => {
            tracing::warn!(error = %e, "could not remove an example");
            texts.review.failed.clone()
        }
    };
    Reply::text(text_doc(&text))
}

/// A report as a reviewer sees it: its number and age, the bot's verdict and the reporter's,
/// the redacted text, and the buttons.
fn show(row: &FeedbackRow, now: i64, texts: &Responses) -> Reply {
    let age = days_ago(texts, now, row.vote.created_at);
    let verdict_name = |code: &str| {
        Verdict::parse(code).map_or_else(|| code.to_string(), |v| texts.verdict.get(v).to_string())
    };
    let mut doc = text_doc(&fill(
        &texts.review.header,
        &[("id", &row.id.to_string()), ("age", &age)],
    ));
    let mut facts = Paragraph::default().text(fill(
        &texts.review.bot_verdict,
        &[("verdict", &verdict_name(&row.vote.verdict))],
    ));
    if let Some(corrected) = &row.corrected_verdict {
        facts = facts.text(fill(
            &texts.review.user_verdict,
            &[("verdict", &verdict_name(corrected))],
        ));
    }
    doc.push(facts);
    let text = row.redacted_text.as_deref().unwrap_or_default();
    let mut shown: String = text.chars().take(MAX_SHOWN_CHARS).collect();
    if shown.len() < text.len() {
        shown.push('…');
    }
    doc.push(
        Paragraph::default()
            .bold(&texts.review.text_label)
            .text(shown),
    );
    let button = |label: &str, action| Button {
        label: label.to_string(),
        action: ButtonAction::Callback(
            ReviewButton {
                report: row.id,
                action,
            }
            .encode(),
        ),
    };
    let r = &texts.review;
    Reply {
        doc,
        buttons: vec![
            vec![
                button(&r.confirm_scam, ReviewAction::Confirm(Verdict::Scam)),
                button(
                    &r.confirm_suspicious,
                    ReviewAction::Confirm(Verdict::Suspicious),
                ),
                button(&r.confirm_legit, ReviewAction::Confirm(Verdict::Legit)),
            ],
            vec![
                button(&r.dismiss, ReviewAction::Dismiss),
                button(&r.skip, ReviewAction::Skip),
            ],
        ],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buttons_round_trip_and_reject_anything_else() {
        for action in [
            ReviewAction::Confirm(Verdict::Scam),
            ReviewAction::Confirm(Verdict::Suspicious),
            ReviewAction::Confirm(Verdict::Legit),
            ReviewAction::Dismiss,
            ReviewAction::Skip,
        ] {
            let b = ReviewButton { report: 42, action };
            assert_eq!(ReviewButton::parse(&b.encode()), Some(b));
        }
        for bad in [
            "rv:", "rv:1", "rv:x:s", "rv:0:s", "rv:-3:s", "rv:1:z", "fb:up:s",
        ] {
            assert_eq!(ReviewButton::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn reviewers_parse_and_reject_garbage() {
        let r = Reviewers::parse("123, 456 789").unwrap();
        assert!(r.contains(456) && r.contains(789) && !r.contains(1));
        assert!(Reviewers::parse("").unwrap().0.is_empty());
        assert!(Reviewers::parse("12,abc").is_err());
    }
}
