//! # CAS's documented contract, and where this crate departs from it or fills a gap
//!
//! Built against what CAS's public integration documentation states (our
//! notes: `shared/cas-api.md`). Everything the documentation leaves
//! unstated is configurable and listed here; nothing below is a CAS fact
//! unless it says "documented".
//!
//! ## Followed as documented
//! - Environments ([`Environment`](crate::client::Environment)):
//!   production `https://api.customs4trade.com` with tokens from
//!   `https://login.customs4trade.com/oauth2/v2.0/token`; acceptance
//!   `https://api-acc.customs4trade.com` with
//!   `https://login-acc.customs4trade.com/oauth2/v2.0/token`.
//! - OAuth 2.0 client credentials: form-encoded `grant_type`, `client_id`,
//!   `client_secret`, `scope` = `https://c4t{env}b2c.onmicrosoft.com/{client_id}/.default`
//!   (`prd`/`acc`); the token is cached and shared, sent as `Authorization:
//!   Bearer`; a `401` drops it, a fresh one is fetched and the request is
//!   retried once; `403` is not retried.
//! - `POST /v1/movementorders`, `GET /v1/movementorders/{id}`,
//!   `GET /v1/authorizationStatus` (`sourceSysRef`, `tenantIds`,
//!   space-separated `scopes`).
//! - `202 {"referenceId"}`; `400` problem details; `404`/`415` not retried;
//!   `429`/`500`/`502`/`503` retried with exponential back-off and jitter.
//! - Declarations API query parameters (all of them, in
//!   [`DeclarationSearch`](crate::declarations::DeclarationSearch)),
//!   `limit` ≤ 100 (default 100), `offset`; declaration `errors` with
//!   `errorCode`, `message`, `description`, `fieldReference` (`fieldName`,
//!   `path`); statuses as an open enum (the documented names, others kept).
//! - Unknown JSON fields are ignored or kept (`extra`), never an error.
//!
//! ## Not documented: this crate's choice, configurable
//! - **Seven ingestion paths.** Only MovementOrder's is documented. The
//!   others are `/v1/` + the message name in lower case, plural
//!   (`/v1/customsshipments`, ...), marked
//!   [`Endpoint::confirmed`](crate::Endpoint)` == false`; override with
//!   [`ClientBuilder::path`](crate::client::ClientBuilder::path) or
//!   `cas send --path CustomsShipment=/v1/...`.
//! - **Idempotency.** CAS documents no idempotency header and does not
//!   say it honours one. The client still sends `Idempotency-Key` (the
//!   same on every retry of a message; the sandbox de-duplicates by it; a
//!   server that ignores it is not harmed), but against CAS the safe retry
//!   of a send whose outcome is unknown rests on the message's own
//!   identity: master data is create-or-update, a customs shipment is
//!   identified by its external reference and direction (send it again as
//!   `Upsert`, or the same `New`, whose duplicate CAS refuses
//!   asynchronously).
//! - **Declarations paths.** Only the `/v1/declarations…` prefix is
//!   documented. Get is `GET {declarations}/{id}`, search
//!   `GET {declarations}?…`; change with
//!   [`ClientBuilder::api_paths`](crate::client::ClientBuilder::api_paths).
//! - **Search answer shape.** Read as a JSON array, or as an object
//!   holding it under `items`, `declarations`, `data`, `results` or
//!   `value`. No total count is documented, so paging stops at the first
//!   page shorter than `limit`.
//! - **List parameters** are sent repeated with the documented `[]`
//!   names (`currentStatus[]=Invalid&currentStatus[]=CustomsError`);
//!   **dates** as RFC 3339 (an ISO 8601 profile).
//! - **Declaration fields.** The resource's JSON is not spelled out:
//!   [`Declaration`](crate::declarations::Declaration) takes the names of
//!   the search parameters and of the `DeclarationStatusChanged` event
//!   fields (`externalReference`, `customsShipmentReference`, `direction`,
//!   `lrn`, `mrn`, `currentStatus`, `declarationDate`, `creationDate`,
//!   `lastUpdated`, ...), all optional but `id`, dates kept as written.
//! - **`declarationUrl`** of an event is followed only when it is on the
//!   API's own scheme, host and port: the token is sent nowhere else.
//! - **The `400` per-field extension's name** is unknown: every member
//!   besides the five standard ones is kept in
//!   [`Problem::extensions`](crate::client::Problem), and
//!   `Problem::errors` gathers the objects of any array member that name
//!   a field (`pointer`, `path`, `field`, `fieldName`, `name`).
//! - **`Retry-After`** is not promised; honoured when present. No rate
//!   limits are documented.
//! - **Other statuses:** `408` and `504` are retried like `502`; `413`
//!   and `422` are typed and not retried.
//! - **Token renewal** happens a quarter of the lifetime (at most a
//!   minute) before `expires_in`; a missing `expires_in` means the
//!   documented hour. A custom environment's default scope uses the
//!   acceptance template (`acc`); set
//!   [`ClientCredentials::scope`](crate::client::ClientCredentials::scope)
//!   otherwise.
//! - **`GET /v1/movementorders/{id}`**'s answer fields and which id it
//!   takes are not documented: the answer is returned as raw JSON.
//!
//! ## Differences from the documentation
//! - **Body format.** CAS prefers JSON and accepts XML ("legacy"). The
//!   messages here are defined by XSDs, so the client sends
//!   `Content-Type: application/xml` (and `Accept: application/json`).
//! - **`referenceId`** is documented as an opaque string; the client
//!   types it as a UUID (the documented example's shape). A `202` whose
//!   id is not a UUID is reported as
//!   [`SendError::AcceptedWithoutReference`](crate::client::SendError),
//!   with the body kept: accepted, never resent under a new key.
//! - **The sandbox** (`cas-sandbox`) speaks this contract with these
//!   differences: opaque random tokens (not JWTs), the token endpoint on
//!   its own host at `/oauth2/v2.0/token`, XML bodies only (JSON gets
//!   `415`), `Idempotency-Key` honoured, an extra `clientId` in
//!   `authorizationStatus`, the shipment's
//!   `LocalReferenceNumber` as external reference and its declaration type
//!   as customs flow (`IM` → direction `IN`, `EX` → `OUT`), statuses
//!   `Submitted`/`Accepted`/`Released` from its simulated processing, and
//!   an unauthenticated history at `GET /ingestions`.
