//! The Webhooks page: endpoints and their latest deliveries.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EndpointView {
    pub id: i64,
    pub url: String,
    /// The event types it asks for (`domain::webhooks::EventType::key`).
    pub events: Vec<String>,
    pub description: String,
    pub enabled: bool,
    pub created_at: String,
    /// The latest deliveries, newest first (at most 20).
    pub deliveries: Vec<DeliveryView>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryView {
    pub id: i64,
    /// The `webhook-id` the receiver sees.
    pub event_id: String,
    pub event_type: String,
    /// `pending`, `delivered` or `failed`.
    pub status: String,
    pub attempts: i32,
    /// The receiver's last HTTP status, if it answered.
    pub last_status: Option<i16>,
    /// The start of its last answer, or why there was none.
    pub last_answer: Option<String>,
    pub last_attempt_at: Option<String>,
    /// When the next try is due (pending deliveries).
    pub next_attempt_at: Option<String>,
}
