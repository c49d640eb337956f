//! Interchange control numbers for outbound X12 and EDIFACT: a counter per sink in the store,
//! so a number is never given twice — across restarts and across instances on one PostgreSQL
//! database (the counter row is locked by the upsert) — and the number a delivery was given is
//! kept with it, so that a retry resends the same interchange.

use sea_orm::TransactionTrait as _;

use super::sql::get;
use super::{Store, StoreError};

impl Store {
    /// The control number of delivery `delivery_id` on counter `counter`: the one it was
    /// given before, or the counter's next value, recorded with the delivery. With
    /// `await_ack`, a newly numbered delivery awaits the partner's functional acknowledgement
    /// (`ack_status = 'awaited'`).
    ///
    /// # Errors
    /// A store failure, or an unknown delivery.
    pub async fn control_number(&self, counter: &str, delivery_id: &str, await_ack: bool) -> Result<i64, StoreError> {
        let d = self.dialect;
        let txn = self.db.begin().await?;
        let rows = d
            .all(
                &txn,
                "SELECT control_number FROM deliveries WHERE id = ?",
                vec![delivery_id.into()],
            )
            .await?;
        let Some(row) = rows.first() else {
            return Err(StoreError::Corrupt(format!("delivery {delivery_id} is gone")));
        };
        if let Some(n) = get::<Option<i64>>(row, "control_number")? {
            return Ok(n);
        }
        let rows = d
            .all(
                &txn,
                "INSERT INTO control_numbers (counter, last) VALUES (?, 1) \
                 ON CONFLICT (counter) DO UPDATE SET last = control_numbers.last + 1 RETURNING last",
                vec![counter.into()],
            )
            .await?;
        let n: i64 = rows
            .first()
            .map(|r| get(r, "last"))
            .transpose()?
            .ok_or_else(|| StoreError::Corrupt(format!("counter `{counter}` returned nothing")))?;
        d.exec(
            &txn,
            "UPDATE deliveries SET control_number = ?, ack_status = ? WHERE id = ?",
            vec![n.into(), await_ack.then_some("awaited").into(), delivery_id.into()],
        )
        .await?;
        txn.commit().await?;
        Ok(n)
    }
}
