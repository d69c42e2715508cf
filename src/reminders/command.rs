//! `/remind …`: what the user asks for, and the reply after the change is stored.

use super::schedule::DEFAULT_HOUR;
use crate::render::{Reply, text_doc};
use crate::responses::{Responses, fill};
use crate::storage::{MAX_REMINDERS_PER_USER, NewReminder, Reminder, Store};

/// What `/remind …` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RemindCommand {
    /// Bare `/remind`: usage and the current list.
    Show,
    List,
    Off,
    /// `/remind hour 20`: the hour every reminder fires.
    Hour(u32),
    /// `/remind 15 借呗`.
    Add {
        day: u32,
        label: String,
    },
    Invalid,
}

pub fn parse(args: &str) -> RemindCommand {
    let args = args.trim();
    if args.is_empty() {
        return RemindCommand::Show;
    }
    let mut words = args.split_whitespace();
    let first = words.next().unwrap_or("").to_lowercase();
    let rest: Vec<&str> = words.collect();
    match first.as_str() {
        "list" | "列表" | "查看" => RemindCommand::List,
        "off" | "关闭" | "取消" | "删除" => RemindCommand::Off,
        "hour" | "时间" | "几点" => match rest.first().and_then(|h| parse_hour(h)) {
            Some(h) => RemindCommand::Hour(h),
            None => RemindCommand::Invalid,
        },
        _ => {
            let day = first
                .trim_end_matches(['号', '日'])
                .parse::<u32>()
                .ok()
                .filter(|d| (1..=31).contains(d));
            match day {
                Some(day) => RemindCommand::Add {
                    day,
                    label: rest.join(" ").chars().take(32).collect(),
                },
                None => RemindCommand::Invalid,
            }
        }
    }
}

fn parse_hour(s: &str) -> Option<u32> {
    s.trim_end_matches(['点', '时'])
        .parse::<u32>()
        .ok()
        .filter(|h| *h < 24)
}

fn line(r: &Reminder, texts: &Responses) -> String {
    fill(
        &texts.bot.remind_line,
        &[
            ("day", &r.day_of_month.to_string()),
            ("hour", &r.hour.to_string()),
            ("label", &r.label),
        ],
    )
}

/// Carries out a `/remind` command of a private chat and says what was done.
pub async fn respond(
    store: &Store,
    user_id: u64,
    chat_id: i64,
    args: &str,
    now: i64,
    texts: &Responses,
) -> Reply {
    let command = parse(args);
    let adding = matches!(command, RemindCommand::Add { .. });
    // One read of the user's reminders serves the cap and, for a new one, its hour.
    let existing = if adding {
        store.list_reminders(user_id).await.unwrap_or_default()
    } else {
        Vec::new()
    };
    if existing.len() >= MAX_REMINDERS_PER_USER {
        let max = MAX_REMINDERS_PER_USER.to_string();
        return Reply::text(text_doc(&fill(
            &texts.bot.remind_too_many,
            &[("max", &max)],
        )));
    }
    let show_usage = command == RemindCommand::Show;
    let message = match command {
        RemindCommand::Show | RemindCommand::List => {
            let list = store.list_reminders(user_id).await.unwrap_or_default();
            let mut text = String::new();
            if show_usage {
                text.push_str(&texts.bot.remind_usage);
                text.push('\n');
            }
            if list.is_empty() {
                text.push_str(&texts.bot.remind_none);
            } else {
                text.push_str(&texts.bot.remind_list_header);
                for r in &list {
                    text.push('\n');
                    text.push_str(&line(r, texts));
                }
            }
            text
        }
        RemindCommand::Off => {
            let n = store.delete_reminders(user_id).await.unwrap_or(0);
            fill(&texts.bot.remind_off, &[("count", &n.to_string())])
        }
        RemindCommand::Hour(hour) => {
            let n = store.set_reminder_hour(user_id, hour).await.unwrap_or(0);
            fill(
                &texts.bot.remind_hour_set,
                &[("hour", &hour.to_string()), ("count", &n.to_string())],
            )
        }
        RemindCommand::Add { day, label } if label.is_empty() => {
            // No label: one reminder for each debt of the saved plan, if there is one.
            let names: Vec<String> = match store.load_plan(user_id).await.ok().flatten() {
                Some(json) => serde_json::from_str::<crate::planner::SavedPlan>(&json)
                    .map(|p| p.input.debts.iter().map(|d| d.name.clone()).collect())
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            let names = if names.is_empty() {
                vec![texts.bot.remind_default_label.clone()]
            } else {
                names
            };
            let mut added = Vec::new();
            for name in names {
                let new = NewReminder {
                    user_id,
                    chat_id,
                    day_of_month: day,
                    hour: DEFAULT_HOUR,
                    label: name.chars().take(32).collect(),
                };
                if store.add_reminder(&new, now).await.is_ok() {
                    added.push(new.label);
                }
            }
            fill(
                &texts.bot.remind_added,
                &[
                    ("day", &day.to_string()),
                    ("hour", &DEFAULT_HOUR.to_string()),
                    ("label", &added.join("、")),
                ],
            )
        }
        RemindCommand::Add { day, label } => {
            let hour = existing.first().map_or(DEFAULT_HOUR, |r| r.hour);
            let new = NewReminder {
                user_id,
                chat_id,
                day_of_month: day,
                hour,
                label: label.clone(),
            };
            match store.add_reminder(&new, now).await {
                Ok(_) => fill(
                    &texts.bot.remind_added,
                    &[
                        ("day", &day.to_string()),
                        ("hour", &hour.to_string()),
                        ("label", &label),
                    ],
                ),
                Err(e) => {
                    tracing::warn!(error = %e, "could not add a reminder");
                    texts.bot.error.clone()
                }
            }
        }
        RemindCommand::Invalid => texts.bot.remind_bad.clone(),
    };
    Reply::text(text_doc(&message))
}

/// The reminder text for one reminder.
pub fn reminder_reply(r: &Reminder, texts: &Responses) -> Reply {
    Reply::text(text_doc(&fill(
        &texts.bot.remind_message,
        &[("label", &r.label)],
    )))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_forms_people_type() {
        assert_eq!(parse(""), RemindCommand::Show);
        assert_eq!(parse("list"), RemindCommand::List);
        assert_eq!(parse("关闭"), RemindCommand::Off);
        assert_eq!(parse("hour 20"), RemindCommand::Hour(20));
        assert_eq!(parse("时间 8点"), RemindCommand::Hour(8));
        assert_eq!(
            parse("15 借呗"),
            RemindCommand::Add {
                day: 15,
                label: "借呗".into()
            }
        );
        assert_eq!(
            parse("15号 花呗"),
            RemindCommand::Add {
                day: 15,
                label: "花呗".into()
            }
        );
        assert_eq!(parse("32 借呗"), RemindCommand::Invalid);
        assert_eq!(parse("hour 25"), RemindCommand::Invalid);
        assert_eq!(parse("明天"), RemindCommand::Invalid);
    }
}
