//! The data of the buttons under a verdict (advice sections, 👍/👎 and what follows). Parsed
//! strictly: anything else is rejected. The planner's buttons have their own codec
//! ([`crate::planner::PlanButton`], prefix `pl:`), which never collides with these prefixes.

use crate::classifier::Verdict;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Verify,
    Respond,
    Legal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackData {
    Section(Section),
    /// 👍 (true) or 👎 (false) on a verdict.
    Feedback {
        accurate: bool,
        verdict: Verdict,
    },
    /// After 👎: what the verdict should have been, for stored feedback `id`.
    FeedbackFix {
        id: i64,
        verdict: Verdict,
    },
    /// After 👎: the user agrees to submit the (redacted) text of the checked message.
    FeedbackText {
        id: i64,
    },
}

fn verdict_code(v: Verdict) -> char {
    match v {
        Verdict::Scam => 's',
        Verdict::Suspicious => 'u',
        Verdict::Legit => 'l',
        Verdict::Unrelated => 'n',
    }
}

impl CallbackData {
    /// At most a few bytes, far under Telegram's 64-byte limit.
    pub fn encode(self) -> String {
        match self {
            Self::Section(Section::Verify) => "sec:verify".into(),
            Self::Section(Section::Respond) => "sec:respond".into(),
            Self::Section(Section::Legal) => "sec:legal".into(),
            Self::Feedback { accurate, verdict } => {
                format!(
                    "fb:{}:{}",
                    if accurate { "up" } else { "down" },
                    verdict_code(verdict)
                )
            }
            Self::FeedbackFix { id, verdict } => format!("fc:{id}:{}", verdict_code(verdict)),
            Self::FeedbackText { id } => format!("ft:{id}"),
        }
    }

    pub fn parse(data: &str) -> Option<Self> {
        match data {
            "sec:verify" => return Some(Self::Section(Section::Verify)),
            "sec:respond" => return Some(Self::Section(Section::Respond)),
            "sec:legal" => return Some(Self::Section(Section::Legal)),
            _ => {}
        }
        let verdict_of = |v: &str| {
            Verdict::ALL
                .into_iter()
                .find(|x| v.len() == 1 && v.starts_with(verdict_code(*x)))
        };
        let id_of = |s: &str| -> Option<i64> {
            (!s.is_empty() && s.len() <= 18 && s.bytes().all(|b| b.is_ascii_digit()))
                .then(|| s.parse().ok())
                .flatten()
        };
        if let Some(rest) = data.strip_prefix("fc:") {
            let (id, v) = rest.split_once(':')?;
            return Some(Self::FeedbackFix {
                id: id_of(id)?,
                verdict: verdict_of(v)?,
            });
        }
        if let Some(id) = data.strip_prefix("ft:") {
            return Some(Self::FeedbackText { id: id_of(id)? });
        }
        let mut parts = data.split(':');
        let (Some("fb"), Some(dir), Some(v), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return None;
        };
        let accurate = match dir {
            "up" => true,
            "down" => false,
            _ => return None,
        };
        Some(Self::Feedback {
            accurate,
            verdict: verdict_of(v)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        let all = [
            CallbackData::Section(Section::Verify),
            CallbackData::Section(Section::Respond),
            CallbackData::Section(Section::Legal),
            CallbackData::Feedback {
                accurate: true,
                verdict: Verdict::Scam,
            },
            CallbackData::Feedback {
                accurate: false,
                verdict: Verdict::Unrelated,
            },
        ];
        for d in all {
            assert!(d.encode().len() <= 64);
            assert_eq!(CallbackData::parse(&d.encode()), Some(d));
        }
    }

    #[test]
    fn rejects_anything_else() {
        for bad in [
            "",
            "sec:",
            "sec:verify:x",
            "fb:up",
            "fb:up:sx",
            "fb:sideways:s",
            "fb:up:z",
            "x".repeat(100).as_str(),
        ] {
            assert_eq!(CallbackData::parse(bad), None, "{bad:?}");
        }
    }
}
