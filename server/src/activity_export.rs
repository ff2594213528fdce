//! The activity log's export, streamed: `GET /organization/activity/export` for a signed-in
//! administrator (the Activity page's buttons) and `GET /api/v1/activity/export` for an
//! API key with the activity scope. The rows come from `app::server::activity::export`
//! in chunks through a small channel, so the answer's size never reaches memory.

use app::domain::Access;
use app::error::AppError;
use app::server::activity::ExportFormat;
use app::server::rest::types::ActivityQuery;
use app::server::ServerState;
use axum::body::Body;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// `GET /organization/activity/export?format=csv|jsonl&who=…`: the signed-in member's.
pub async fn for_session(
    State(state): State<ServerState>,
    headers: HeaderMap,
    query: Result<Query<ActivityQuery>, axum::extract::rejection::QueryRejection>,
) -> Response {
    let access = match app::server::session::from_headers(&state, &headers).await {
        Ok(Some(access)) => access,
        Ok(None) => return page_error(&AppError::Unauthenticated),
        Err(error) => return page_error(&error),
    };
    let Ok(Query(query)) = query else {
        return page_error(&AppError::invalid(
            "The export's filter cannot be read: go back to the Activity page and export again.",
        ));
    };
    stream(&state, &access, &query)
}

/// A refusal for someone at a browser: the message as text.
fn page_error(error: &AppError) -> Response {
    let status = StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, error.to_string()).into_response()
}

/// The export `query` asks for, by `access`, as a streamed download.
pub fn stream(state: &ServerState, access: &Access, query: &ActivityQuery) -> Response {
    let Some(format) = ExportFormat::parse(query.format.as_deref().unwrap_or("")) else {
        return crate::rest::refused(&AppError::field(
            "format",
            "Choose the export's format: csv or jsonl.",
        ));
    };
    let receiver =
        match app::server::activity::export(state.pool.clone(), access, query.filter(), format) {
            Ok(receiver) => receiver,
            Err(error) => return crate::rest::refused(&error),
        };
    // Fused: the compression layer may poll again after the end, which `unfold` forbids.
    let chunks = futures_util::stream::unfold(receiver, |mut receiver| async move {
        receiver.recv().await.map(|chunk| {
            // A failure midway ends the download short: the client sees a cut transfer
            // (no final chunk), never a file that looks whole.
            let item = chunk.map_err(|e| std::io::Error::other(e.to_string()));
            (item, receiver)
        })
    });
    let chunks = futures_util::StreamExt::fuse(chunks);
    let day = time::OffsetDateTime::now_utc().date();
    let name = format!("roster-activity-{day}.{}", format.extension());
    let mut response = (StatusCode::OK, Body::from_stream(chunks)).into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    response
}
