//! The HTTP surface, routed with axum: the token endpoint, the `/v1` API
//! behind the bearer-token check, and the sandbox's own history.
//!
//! Two middlewares: `record` (every request: the request log and the
//! in-flight count) and `authorize` (the `/v1` routes: token, scope, and
//! the scripted fault the request takes).

use std::collections::HashMap;
use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{DefaultBodyLimit, Extension, MatchedPath, Path, RawQuery, Request, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_LENGTH, CONTENT_TYPE, RETRY_AFTER};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::routing::{get, post};
use serde_json::json;
use uuid::Uuid;

use crate::auth::{Denied, Principal, TOKEN_PATH};
use crate::declarations::Query;
use crate::{Fault, InFlight, MAX_BODY, RequestRecord, State as Server, ingest, lock};

type Shared = Arc<Server>;

/// Marks a response whose connection is to be dropped instead (a scripted reset).
#[derive(Clone, Copy)]
pub(crate) struct Reset;

/// The fault this request took from the queue, if any.
#[derive(Clone)]
struct Taken(Option<Fault>);

pub(crate) fn router(state: Shared) -> Router {
    let mut api = Router::new()
        .route("/v1/authorizationStatus", get(authorization_status))
        .route("/v1/declarations", get(search_declarations))
        .route("/v1/declarations/{id}", get(get_declaration))
        .route("/v1/movementorders/{id}", get(get_movement_order));
    for e in cas_api::ENDPOINTS {
        api = api.route(e.path, post(ingest_message));
    }
    let api = api.route_layer(middleware::from_fn_with_state(
        Arc::clone(&state),
        authorize,
    ));
    Router::new()
        .route(TOKEN_PATH, post(token))
        .route("/ingestions", get(history_list))
        .route("/ingestions/{id}", get(history_one))
        .merge(api)
        .fallback(not_found)
        .layer(DefaultBodyLimit::max(MAX_BODY as usize))
        .layer(middleware::from_fn_with_state(Arc::clone(&state), record))
        .with_state(state)
}

pub(crate) fn respond(status: u16, content_type: &str, body: String) -> Response {
    let mut r = Response::new(Body::from(body));
    *r.status_mut() = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    if let Ok(v) = HeaderValue::from_str(content_type) {
        r.headers_mut().insert(CONTENT_TYPE, v);
    }
    r
}

fn json_ok(value: &impl serde::Serialize) -> Response {
    match serde_json::to_string(value) {
        Ok(body) => respond(200, "application/json", body),
        Err(e) => respond(500, "text/plain", format!("cannot write the answer: {e}")),
    }
}

pub(crate) fn problem(
    status: u16,
    title: &str,
    detail: &str,
    errors: serde_json::Value,
) -> Response {
    let body = json!({
        "type": "urn:cas:problem:invalid-message",
        "title": title,
        "status": status,
        "detail": detail,
        "instance": format!("urn:uuid:{}", Uuid::new_v4()),
        "errors": errors,
    });
    respond(status, "application/problem+json", body.to_string())
}

fn header(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned)
}

async fn record(State(st): State<Shared>, req: Request, next: Next) -> Response {
    let _in_flight = InFlight::new(&st);
    let h = req.headers();
    lock(&st.requests).push(RequestRecord {
        method: req.method().to_string(),
        path: req.uri().path().to_owned(),
        idempotency_key: header(h, "idempotency-key"),
        content_type: header(h, "content-type"),
        accept: header(h, "accept"),
        authorization: header(h, "authorization"),
        api_key: header(h, "x-api-key"),
    });
    next.run(req).await
}

async fn not_found(req: Request) -> Response {
    respond(
        404,
        "text/plain",
        format!("no endpoint {}", req.uri().path()),
    )
}

/// The scope a `/v1` route needs (`None`: any valid token).
fn required_scope(method: &Method, route: &str) -> Option<&'static str> {
    match (method, route) {
        (_, "/v1/authorizationStatus") => None,
        (&Method::GET, r) if r.starts_with("/v1/declarations") => Some("read:declarations"),
        (&Method::GET, r) if r.starts_with("/v1/movementorders") => Some("read:wms"),
        (_, "/v1/movementorders") => Some("create:wms"),
        _ => Some("create:messages"),
    }
}

fn denied(d: Denied) -> Response {
    match d {
        Denied::Unauthenticated(why) => {
            let mut r = problem(401, "Unauthorized", why, json!([]));
            let challenge = format!("Bearer error=\"invalid_token\", error_description=\"{why}\"");
            if let Ok(v) = HeaderValue::from_str(&challenge) {
                r.headers_mut().insert("www-authenticate", v);
            }
            r
        }
        Denied::MissingScope(scope) => problem(
            403,
            "Forbidden",
            &format!("the token lacks the scope {scope}"),
            json!([]),
        ),
    }
}

/// Checks the token and scope, then hands the request its scripted fault:
/// reads apply it here, ingestion applies it after its own checks.
async fn authorize(State(st): State<Shared>, mut req: Request, next: Next) -> Response {
    let principal = match &st.authority {
        None => Principal::open(),
        Some(a) => {
            let auth = header(req.headers(), "authorization");
            match a.check(auth.as_deref()) {
                Ok(p) => p,
                Err(d) => return denied(d),
            }
        }
    };
    let route = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_owned())
        .unwrap_or_default();
    if let Some(scope) = required_scope(req.method(), &route)
        && let Err(d) = principal.require(scope)
    {
        return denied(d);
    }
    let fault = lock(&st.faults).pop_front();
    req.extensions_mut().insert(principal);
    if req.method() == Method::GET {
        return match fault {
            Some(f @ Fault::Status { .. }) => scripted_status(&f),
            Some(Fault::ResetAfterBody) => reset(),
            Some(Fault::Delay(d)) => {
                tokio::time::sleep(d).await;
                next.run(req).await
            }
            _ => next.run(req).await,
        };
    }
    req.extensions_mut().insert(Taken(fault));
    next.run(req).await
}

fn reset() -> Response {
    let mut r = respond(500, "text/plain", String::new());
    r.extensions_mut().insert(Reset);
    r
}

fn scripted_status(fault: &Fault) -> Response {
    let Fault::Status {
        status,
        retry_after,
    } = fault
    else {
        return respond(500, "text/plain", "not a status fault".into());
    };
    let mut r = respond(*status, "text/plain", format!("scripted {status}"));
    if let Some(ra) = retry_after
        && let Ok(v) = HeaderValue::from_str(&ra.header())
    {
        r.headers_mut().insert(RETRY_AFTER, v);
    }
    r
}

fn is_xml(content_type: Option<&str>) -> bool {
    content_type.is_some_and(|ct| {
        let mime = ct
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase();
        mime == "application/xml" || mime == "text/xml"
    })
}

/// `POST` of one message to its endpoint.
async fn ingest_message(
    State(st): State<Shared>,
    route: MatchedPath,
    Extension(Taken(fault)): Extension<Taken>,
    req: Request,
) -> Response {
    let path = route.as_str().to_owned();
    let Some(message_name) = st.endpoints.get(&path).cloned() else {
        return respond(404, "text/plain", format!("no endpoint {path}"));
    };
    let content_type = header(req.headers(), "content-type");
    if !is_xml(content_type.as_deref()) {
        return respond(415, "text/plain", "expected application/xml".into());
    }
    let too_large = req
        .headers()
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok())
        .is_some_and(|n| n > MAX_BODY);
    if too_large {
        return respond(413, "text/plain", "message too large".into());
    }
    let key = header(req.headers(), "idempotency-key");
    let body = match axum::body::to_bytes(req.into_body(), MAX_BODY as usize).await {
        Ok(b) => b,
        Err(_) => return reset(),
    };
    match &fault {
        Some(f @ Fault::Status { .. }) => return scripted_status(f),
        Some(Fault::Unprocessable) => {
            return problem(
                422,
                "The message cannot be processed",
                "business rule violated",
                json!([{ "pointer": format!("/{message_name}"), "detail": "scripted rule failure" }]),
            );
        }
        _ => {}
    }
    let id = match accept_body(&st, &path, &message_name, key.as_deref(), &body) {
        Ok(id) => id,
        Err(r) => return *r,
    };
    if !st.answer_delay.is_zero() {
        tokio::time::sleep(st.answer_delay).await;
    }
    match fault {
        Some(Fault::ResetAfterBody) => reset(),
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(d).await;
            accepted(id)
        }
        Some(Fault::MalformedAccepted) => respond(
            202,
            "application/json",
            "{\"referenceId\": \"not-a-uuid\"".into(),
        ),
        _ => accepted(id),
    }
}

fn accepted(id: Uuid) -> Response {
    respond(
        202,
        "application/json",
        json!({ "referenceId": id }).to_string(),
    )
}

/// Reads and checks the message, ingests it (once per key) and starts its
/// processing: the reference id, or the answer that refuses it.
fn accept_body(
    st: &Server,
    path: &str,
    message_name: &str,
    key: Option<&str>,
    body: &Bytes,
) -> Result<Uuid, Box<Response>> {
    use cas_api::MessageExt;
    let Ok(text) = std::str::from_utf8(body) else {
        return Err(Box::new(problem(
            400,
            "The message is not valid",
            "the body is not UTF-8",
            json!([]),
        )));
    };
    let message = cas_messages::Message::from_xml(text).map_err(|errors| {
        let list: Vec<_> = errors
            .iter()
            .map(|e| json!({ "pointer": e.path, "detail": e.kind.to_string() }))
            .collect();
        let detail = format!("{} error(s) in the message", list.len());
        Box::new(problem(
            400,
            "The message is not valid",
            &detail,
            serde_json::Value::Array(list),
        ))
    })?;
    if message.message_name() != message_name {
        return Err(Box::new(problem(
            400,
            "Wrong message for this endpoint",
            &format!(
                "{path} expects {message_name}, got {}",
                message.message_name()
            ),
            json!([{ "pointer": "/", "detail": "unexpected root element" }]),
        )));
    }
    let (id, new) = ingest(st, key, message_name, text).map_err(|e| {
        // Not recorded, so not accepted: 503 with Retry-After tells the
        // client to retry (a 500 would read as a permanent rejection).
        let mut r = respond(503, "text/plain", format!("ingestion store: {e}"));
        r.headers_mut()
            .insert(RETRY_AFTER, HeaderValue::from_static("1"));
        Box::new(r)
    })?;
    if new && let Some(d) = &st.webhooks {
        d.process(message, id);
    }
    Ok(id)
}

/// `POST /oauth2/v2.0/token`: the client credentials grant.
async fn token(State(st): State<Shared>, headers: HeaderMap, body: Bytes) -> Response {
    let Some(authority) = &st.authority else {
        return respond(
            404,
            "text/plain",
            "this sandbox runs without authentication: no tokens".into(),
        );
    };
    let form_type = header(&headers, "content-type")
        .is_some_and(|ct| ct.starts_with("application/x-www-form-urlencoded"));
    let form: HashMap<String, String> = form_urlencoded::parse(&body).into_owned().collect();
    let answer = if form_type {
        authority.issue(&form)
    } else {
        Err(crate::auth::TokenRefused {
            status: 400,
            error: "invalid_request",
            description: "the body must be application/x-www-form-urlencoded".into(),
        })
    };
    let mut r = match answer {
        Ok(t) => respond(
            200,
            "application/json",
            json!({ "access_token": t.access_token, "token_type": "Bearer", "expires_in": t.expires_in })
                .to_string(),
        ),
        Err(e) => respond(
            e.status,
            "application/json",
            json!({ "error": e.error, "error_description": e.description }).to_string(),
        ),
    };
    r.headers_mut()
        .insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    r
}

async fn authorization_status(Extension(p): Extension<Principal>) -> Response {
    json_ok(&json!({
        "sourceSysRef": p.source_sys_ref,
        "tenantIds": p.tenant_ids,
        "scopes": p.scopes.join(" "),
        "clientId": p.client_id,
    }))
}

async fn search_declarations(State(st): State<Shared>, RawQuery(raw): RawQuery) -> Response {
    match Query::parse(raw.as_deref().unwrap_or("")) {
        Ok(q) => json_ok(&st.declarations.search(&q)),
        Err(e) => problem(400, "Invalid search", &e, json!([])),
    }
}

async fn get_declaration(State(st): State<Shared>, Path(id): Path<String>) -> Response {
    match st.declarations.get(&id) {
        Some(d) => json_ok(&d),
        None => problem(404, "Not found", &format!("no declaration {id}"), json!([])),
    }
}

/// `GET /v1/movementorders/{id}`: the sandbox knows a movement order by
/// the reference id of its ingestion, and answers what it knows of it.
async fn get_movement_order(State(st): State<Shared>, Path(id): Path<String>) -> Response {
    let found = Uuid::parse_str(&id)
        .ok()
        .and_then(|u| st.history.get(u))
        .filter(|r| r.message_type == "MovementOrder");
    match found {
        Some(r) => json_ok(&json!({
            "id": r.reference_id,
            "referenceId": r.reference_id,
            "status": r.status,
            "receivedAt": r.received_at,
        })),
        None => problem(
            404,
            "Not found",
            &format!("no movement order {id}"),
            json!([]),
        ),
    }
}

async fn history_list(State(st): State<Shared>) -> Response {
    json_ok(&st.history.list())
}

async fn history_one(State(st): State<Shared>, Path(id): Path<String>) -> Response {
    let found = Uuid::parse_str(&id).ok().and_then(|u| st.history.get(u));
    match found {
        Some(r) => json_ok(&r),
        None => respond(404, "text/plain", format!("no ingestion {id}")),
    }
}
