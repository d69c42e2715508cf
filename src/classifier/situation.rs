//! Who wrote the text, and what it is about, beyond its verdict: both shape the advice.
//!
//! Topic rules in `data/rules.toml` carry them: a rule with `situation = "own_situation"` fires
//! on a borrower describing their own case (我逾期三个月了, 他们把欠款发到了我家族群), one with
//! `situation = "relative"` on a relative or emergency contact (我是他妈妈, 催收让我替他还); a
//! rule with `subject = "court"` or `"visit"` on a lawsuit or a visit notice. Violation rules
//! with `safety = true` are threats to someone's safety.

use serde::{Deserialize, Serialize};

/// Who is writing, as far as the words show.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Situation {
    /// A message the user received (forwarded or pasted): the verdict is about its sender.
    #[default]
    Message,
    /// The borrower describing their own situation in the first person.
    OwnSituation,
    /// A relative, friend or emergency contact of the borrower: they owe nothing unless they
    /// guaranteed the loan.
    Relative,
}

impl Situation {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Message => "message",
            Self::OwnSituation => "own_situation",
            Self::Relative => "relative",
        }
    }

    /// The situation the fired topic rules point to: a relative's cue outweighs a borrower's
    /// (a parent writes "我儿子借的…"), and anything forwarded is a message.
    pub fn resolve(cues: impl IntoIterator<Item = Situation>, forwarded: bool) -> Self {
        if forwarded {
            return Self::Message;
        }
        cues.into_iter()
            .max_by_key(|s| match s {
                Self::Message => 0,
                Self::OwnSituation => 1,
                Self::Relative => 2,
            })
            .unwrap_or_default()
    }
}

/// What the text is about, when that calls for advice of its own.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Subject {
    /// A lawsuit, a court or a case: 应诉, 答辩期, checking the case on 12368.
    Court,
    /// A visit to the home or workplace: ask for 工作证 and 委托书.
    Visit,
}

impl Subject {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Court => "court",
            Self::Visit => "visit",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_relative_outweighs_the_borrower_and_a_forward_is_a_message() {
        use Situation::*;
        assert_eq!(
            Situation::resolve([OwnSituation, Relative], false),
            Relative
        );
        assert_eq!(Situation::resolve([OwnSituation], false), OwnSituation);
        assert_eq!(Situation::resolve([], false), Message);
        assert_eq!(Situation::resolve([Relative], true), Message);
    }
}
