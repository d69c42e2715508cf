//! `/plan`: the repayment planner dialogue, with its state in the database (through teloxide's
//! `Storage` trait) so it survives restarts.

use std::sync::Arc;

use teloxide::dispatching::dialogue::Storage;
use teloxide::prelude::*;

use super::send;
use crate::planner::dialogue::{self, Effect, PlanButton, PlanDialogue, SavedPlan, Transition};
use crate::responses::Responses;
use crate::storage::{DialogueStorage, Store};

pub async fn load_state(storage: &Arc<DialogueStorage>, chat: ChatId) -> PlanDialogue {
    match storage.clone().get_dialogue(chat).await {
        Ok(Some(state)) => state,
        Ok(None) => PlanDialogue::default(),
        Err(e) => {
            tracing::warn!(error = %e, "could not read dialogue state");
            PlanDialogue::default()
        }
    }
}

async fn save_state(storage: &Arc<DialogueStorage>, chat: ChatId, state: PlanDialogue) {
    let result = if state == PlanDialogue::default() {
        match <DialogueStorage as Storage<PlanDialogue>>::remove_dialogue(storage.clone(), chat)
            .await
        {
            Ok(()) | Err(crate::storage::StorageError::DialogueNotFound) => Ok(()),
            Err(e) => Err(e),
        }
    } else {
        storage.clone().update_dialogue(chat, state).await
    };
    if let Err(e) = result {
        tracing::warn!(error = %e, "could not save dialogue state");
    }
}

async fn load_saved(store: &Store, user: u64) -> Option<SavedPlan> {
    let json = store.load_plan(user).await.ok().flatten()?;
    serde_json::from_str(&json).ok()
}

/// Sends a transition's replies, stores its state, and carries out its effect.
async fn apply(
    bot: &Bot,
    store: &Store,
    chat: ChatId,
    user: u64,
    t: Transition,
    texts: &Responses,
) -> Result<(), crate::bot::send::SendError> {
    let storage = store.dialogue_storage();
    save_state(&storage, chat, t.state).await;
    for reply in &t.replies {
        send::send(bot, chat, reply, None).await?;
    }
    match t.effect {
        Some(Effect::Save(plan)) => {
            if let Ok(json) = serde_json::to_string(&plan)
                && let Err(e) = store.save_plan(user, &json).await
            {
                tracing::warn!(error = %e, "could not save a plan");
            }
        }
        Some(Effect::ShowSaved) => {
            let saved = load_saved(store, user).await;
            for reply in dialogue::show_saved(saved.as_ref(), &texts.planner) {
                send::send(bot, chat, &reply, None).await?;
            }
        }
        None => {}
    }
    Ok(())
}

/// `/plan [one-line form]`.
pub async fn on_command(
    bot: &Bot,
    store: &Store,
    chat: ChatId,
    user: u64,
    args: &str,
    texts: &Responses,
) -> Result<(), crate::bot::send::SendError> {
    let saved = load_saved(store, user).await;
    let t = dialogue::command(args, saved.as_ref(), &texts.planner);
    apply(bot, store, chat, user, t, texts).await
}

/// The dialogue of `chat` when it waits for typed text.
pub async fn awaiting_text(store: &Store, chat: ChatId) -> Option<PlanDialogue> {
    Some(load_state(&store.dialogue_storage(), chat).await).filter(PlanDialogue::awaits_text)
}

/// Text typed while the planner waits for an answer (see [`awaiting_text`]).
pub async fn on_text(
    bot: &Bot,
    store: &Store,
    chat: ChatId,
    user: u64,
    state: &PlanDialogue,
    text: &str,
    texts: &Responses,
) -> Result<(), crate::bot::send::SendError> {
    let t = dialogue::on_text(state, text, &texts.planner);
    apply(bot, store, chat, user, t, texts).await
}

/// A planner button.
pub async fn on_button(
    bot: &Bot,
    store: &Store,
    chat: ChatId,
    user: u64,
    pressed: PlanButton,
    texts: &Responses,
) -> Result<(), crate::bot::send::SendError> {
    let state = load_state(&store.dialogue_storage(), chat).await;
    let t = dialogue::on_button(&state, pressed, &texts.planner);
    apply(bot, store, chat, user, t, texts).await
}

/// `/cancel`: true when a dialogue was running.
pub async fn cancel(
    bot: &Bot,
    store: &Store,
    chat: ChatId,
    texts: &Responses,
) -> Result<bool, crate::bot::send::SendError> {
    let storage = store.dialogue_storage();
    if load_state(&storage, chat).await == PlanDialogue::default() {
        return Ok(false);
    }
    save_state(&storage, chat, PlanDialogue::default()).await;
    send::send(bot, chat, &dialogue::cancel(&texts.planner), None).await?;
    Ok(true)
}
