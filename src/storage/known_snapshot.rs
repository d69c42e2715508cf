//! The snapshot of confirmed examples: every example's facts and fingerprint packed into a few
//! large rows, so an instance starting with 100,000 examples reads a handful of rows. The
//! store keeps the bytes; their layout belongs to `crate::confirmed`, which writes and reads
//! them.

use super::{Result, Store, db, get};

/// What a snapshot holds, and how far it reaches.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Snapshot {
    /// Examples with an id up to this are in it (those not removed by then).
    pub upto_id: i64,
    /// Removals up to this sequence number are applied.
    pub removal_seq: i64,
    /// The packed examples, in parts of about a megabyte.
    pub parts: Vec<Vec<u8>>,
}

impl Store {
    /// The last snapshot written; `None` when there is none.
    pub async fn known_snapshot(&self) -> Result<Option<Snapshot>> {
        const OP: &str = "known_snapshot";
        let rows =
            sqlx::query("SELECT upto_id, removal_seq, data FROM known_snapshot ORDER BY part")
                .fetch_all(&self.pool)
                .await
                .map_err(db(OP))?;
        let Some(first) = rows.first() else {
            return Ok(None);
        };
        Ok(Some(Snapshot {
            upto_id: get(first, "upto_id", OP)?,
            removal_seq: get(first, "removal_seq", OP)?,
            parts: rows
                .iter()
                .map(|r| get(r, "data", OP))
                .collect::<Result<_>>()?,
        }))
    }

    /// Replaces the snapshot.
    pub async fn write_known_snapshot(&self, snapshot: &Snapshot) -> Result<()> {
        const OP: &str = "write_known_snapshot";
        let mut tx = self.begin_write(OP).await?;
        sqlx::query("DELETE FROM known_snapshot")
            .execute(&mut *tx)
            .await
            .map_err(db(OP))?;
        for (n, data) in snapshot.parts.iter().enumerate() {
            sqlx::query(
                "INSERT INTO known_snapshot (part, upto_id, removal_seq, data) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(n as i64)
            .bind(snapshot.upto_id)
            .bind(snapshot.removal_seq)
            .bind(data.clone())
            .execute(&mut *tx)
            .await
            .map_err(db(OP))?;
        }
        tx.commit().await.map_err(db(OP))
    }
}
