//! Families: what kind of message something is, finer than the verdict. Every corpus row may
//! name one; the learned stage predicts one, and `loanguard eval` scores each.

use serde::Serialize;

use super::Verdict;

macro_rules! families {
    ($($variant:ident = $name:literal => $label:ident,)*) => {
        /// A kind of message. Each belongs to exactly one verdict.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
        #[serde(rename_all = "snake_case")]
        pub enum Family { $($variant,)* }

        impl Family {
            pub const ALL: &[Family] = &[$(Family::$variant,)*];

            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name,)* }
            }

            pub fn parse(name: &str) -> Option<Self> {
                match name { $($name => Some(Self::$variant),)* _ => None }
            }

            /// The verdict a message of this family deserves.
            pub fn verdict(self) -> Verdict {
                match self { $(Self::$variant => Verdict::$label,)* }
            }
        }
    };
}

families! {
    CollectionFake = "collection_fake" => Scam,
    CourtPolice = "court_police" => Scam,
    LoanOffer = "loan_offer" => Scam,
    CustomerService = "customer_service" => Scam,
    CreditRepair = "credit_repair" => Scam,
    DebtReliefAgent = "debt_relief_agent" => Scam,
    Acquaintance = "acquaintance" => Scam,
    TaskRebate = "task_rebate" => Scam,
    Investment = "investment" => Scam,
    RefundParcel = "refund_parcel" => Scam,
    CollectionViolation = "collection_violation" => Suspicious,
    LegitCollection = "legit_collection" => Legit,
    LegitCourt = "legit_court" => Legit,
    Ordinary = "ordinary" => Unrelated,
}

impl Family {
    pub fn is_scam(self) -> bool {
        self.verdict() == Verdict::Scam
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_every_verdict_has_a_family() {
        for f in Family::ALL {
            assert_eq!(Family::parse(f.as_str()), Some(*f));
        }
        for v in Verdict::ALL {
            assert!(Family::ALL.iter().any(|f| f.verdict() == v), "{v:?}");
        }
        assert_eq!(Family::parse("nonsense"), None);
    }
}
