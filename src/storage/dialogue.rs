//! [`DialogueStorage`]: teloxide's dialogue [`Storage`] over a [`Store`], as JSON, keyed by chat.
//!
//! It behaves like teloxide's own `SqliteStorage` with a JSON serializer, on either backend:
//! `get_dialogue` is `None` for a chat without state, `update_dialogue` inserts or replaces,
//! and `remove_dialogue` of a chat without state is [`StorageError::DialogueNotFound`].

use std::sync::Arc;

use futures_util::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use teloxide::dispatching::dialogue::Storage;
use teloxide::types::ChatId;

use super::{StorageError, Store};

/// A teloxide dialogue storage on the `dialogues` table of a [`Store`].
///
/// ```no_run
/// # async fn f() -> Result<(), loanguard::storage::StorageError> {
/// use loanguard::storage::Store;
/// let store = Store::connect("sqlite://loanguard.db").await?;
/// let storage = store.dialogue_storage(); // Arc<DialogueStorage>, for dptree's dependencies
/// # Ok(()) }
/// ```
#[derive(Clone, Debug)]
pub struct DialogueStorage {
    store: Store,
}

impl DialogueStorage {
    /// A storage over `store`.
    pub fn new(store: Store) -> Arc<Self> {
        Arc::new(Self { store })
    }

    /// The underlying store.
    pub fn store(&self) -> &Store {
        &self.store
    }
}

impl<D> Storage<D> for DialogueStorage
where
    D: Serialize + DeserializeOwned + Send + 'static,
{
    type Error = StorageError;

    fn remove_dialogue(
        self: Arc<Self>,
        ChatId(chat_id): ChatId,
    ) -> BoxFuture<'static, Result<(), Self::Error>>
    where
        D: Send + 'static,
    {
        Box::pin(async move {
            if self.store.remove_dialogue(chat_id).await? {
                Ok(())
            } else {
                Err(StorageError::DialogueNotFound)
            }
        })
    }

    fn update_dialogue(
        self: Arc<Self>,
        ChatId(chat_id): ChatId,
        dialogue: D,
    ) -> BoxFuture<'static, Result<(), Self::Error>>
    where
        D: Send + 'static,
    {
        // Serialise before the future so that `D` need not be `Sync`.
        let json =
            serde_json::to_string(&dialogue).map_err(|e| StorageError::json("update_dialogue", &e));
        Box::pin(async move { self.store.set_dialogue(chat_id, &json?).await })
    }

    fn get_dialogue(
        self: Arc<Self>,
        ChatId(chat_id): ChatId,
    ) -> BoxFuture<'static, Result<Option<D>, Self::Error>> {
        Box::pin(async move {
            let Some(json) = self.store.get_dialogue(chat_id).await? else {
                return Ok(None);
            };
            serde_json::from_str(&json)
                .map(Some)
                .map_err(|e| StorageError::json("get_dialogue", &e))
        })
    }
}
