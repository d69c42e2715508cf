//! The handler tree, built by one function so tests and the binary share it.
//!
//! | update | route |
//! |---|---|
//! | message, private, over the user's limit | one "请稍后再试", then silence |
//! | message, a command for another bot | ignored |
//! | message, a command, private | its handler in [`commands`] (/review, /known: reviewers only) |
//! | message, a command, group | the group's limit first, then its settings, then the handler |
//! | message, an unknown command | the help (private), nothing (group) |
//! | message, private, the planner waits for text | the planner |
//! | message, private, text, caption or image | checked ([`content::check`]) |
//! | message, private, sticker, voice, … | what the bot can read instead |
//! | edited message, private | checked again, the earlier reply edited |
//! | button, over the user's limit | answered with "请稍后再试", nothing else |
//! | button | [`buttons::on_callback`] |
//! | the bot added to a group | one introduction |

use teloxide::dispatching::{UpdateFilterExt, UpdateHandler};
use teloxide::prelude::*;
use teloxide::types::Me;

use super::command::{self, Command, Parsed};
use super::handlers::{HandlerError, body, buttons, commands, content, edits, limits, membership};
use super::send;

pub fn schema() -> UpdateHandler<HandlerError> {
    dptree::entry()
        .branch(Update::filter_message().chain(messages()))
        .branch(Update::filter_edited_message().endpoint(edits::on_edited))
        .branch(
            Update::filter_callback_query()
                .branch(
                    dptree::filter_map(limits::presses_over_limit)
                        .endpoint(limits::on_presses_over_limit),
                )
                .branch(dptree::endpoint(buttons::on_callback)),
        )
        .branch(Update::filter_my_chat_member().endpoint(membership::on_my_chat_member))
}

fn messages() -> UpdateHandler<HandlerError> {
    dptree::entry()
        // A user who writes again has unblocked the bot.
        .inspect(|msg: Message| {
            send::blocked_chats().remove(msg.chat.id);
        })
        .branch(dptree::filter_map(limits::user_over_limit).endpoint(limits::on_over_limit))
        .branch(
            dptree::filter_map(parse_command)
                .branch(dptree::case![Parsed::Command(command)].chain(commands_tree()))
                .branch(
                    dptree::case![Parsed::Unknown(name)]
                        .filter(|msg: Message| msg.chat.is_private())
                        .map(commands::private_texts)
                        .map(commands::unknown)
                        .endpoint(commands::send_reply),
                )
                // Another bot's command, or an unknown one in a group: not ours to answer.
                .endpoint(|| async { Ok(()) }),
        )
        .branch(
            dptree::filter(content::is_private_message)
                .map(commands::private_texts)
                .branch(
                    dptree::filter_map_async(content::awaiting_planner)
                        .endpoint(content::planner_answer),
                )
                .branch(dptree::filter(content::has_something_to_check).endpoint(content::check))
                .endpoint(content::media_hint),
        )
}

/// A message that starts with "/" (text or caption).
fn parse_command(msg: Message, me: Me) -> Option<Parsed> {
    match command::parse(body(&msg)?, me.username()) {
        Parsed::NotCommand => None,
        parsed => Some(parsed),
    }
}

fn commands_tree() -> UpdateHandler<HandlerError> {
    let private = dptree::filter(|msg: Message| msg.chat.is_private())
        .map(commands::private_texts)
        .branch(dptree::case![Command::Verify(args)].endpoint(commands::verify_private))
        .branch(dptree::case![Command::Forget].endpoint(commands::forget))
        .branch(dptree::case![Command::Plan(args)].endpoint(commands::plan))
        .branch(dptree::case![Command::Cancel].endpoint(commands::cancel))
        .branch(
            dptree::case![Command::Remind(args)]
                .map_async(commands::remind)
                .endpoint(commands::send_reply),
        )
        .branch(
            dptree::filter(commands::from_reviewer)
                .branch(
                    dptree::case![Command::Review]
                        .map_async(commands::review)
                        .endpoint(commands::send_reply),
                )
                .branch(
                    dptree::case![Command::Known(args)]
                        .map_async(commands::known)
                        .endpoint(commands::send_reply),
                ),
        )
        .branch(dptree::map(commands::fixed).endpoint(commands::send_reply));
    // Groups: the limit before anything reads the database.
    let group = dptree::entry()
        // Reviewers' commands are unknown here, and unknown commands get no answer in a group.
        .branch(dptree::filter(|c: Command| c.is_for_reviewers()).endpoint(|| async { Ok(()) }))
        .branch(dptree::filter_map(limits::group_over_limit).endpoint(limits::on_over_limit))
        .branch(
            dptree::map_async(commands::group_settings_of)
                .map(commands::group_texts)
                .branch(dptree::case![Command::Verify(args)].endpoint(commands::verify_in_group))
                .branch(
                    dptree::case![Command::Settings(args)]
                        .map_async(commands::settings)
                        .endpoint(commands::send_reply),
                )
                .branch(dptree::map(commands::fixed).endpoint(commands::send_reply)),
        );
    dptree::entry().branch(private).branch(group)
}

/// Updates of one chat run in order, except forwards and albums in private chats: they run side
/// by side so the first of a burst can wait for the rest and answer once.
pub fn distribution(update: &Update) -> Option<ChatId> {
    if let teloxide::types::UpdateKind::Message(m) = &update.kind
        && m.chat.is_private()
        && (m.forward_origin().is_some() || m.media_group_id().is_some())
    {
        return None;
    }
    update.chat().map(|c| c.id)
}
