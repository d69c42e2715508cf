//! A fake Telegram Bot API server for end-to-end tests.
//!
//! The server listens on `127.0.0.1` (an ephemeral port) and speaks just enough HTTP/1.1 for
//! teloxide's reqwest client: keep-alive connections, `Content-Length` and chunked request
//! bodies, JSON / form / multipart parameters. Point the real binary at it with
//! `TELOXIDE_API_URL=<server.url()>`, or a `Bot` with `set_api_url(server.url().parse()?)`.
//!
//! ```ignore
//! mod support; // in the test crate's root: tests/support/mod.rs
//! use support::fake_api::{FakeBotApi, Fault};
//!
//! let server = FakeBotApi::start();
//! server.push_update(serde_json::json!({ "message": { /* ... */ } }));
//! let sent = server.wait_for("sendMessage", 1, Duration::from_secs(10));
//! ```
//!
//! Layout of this file:
//! - [`FakeBotApi`]: the handle tests hold (start, inspect, inject, shut down on drop);
//! - [`State`] behind a `Mutex` + `Condvar` ([`Shared`]): everything the server remembers;
//! - the acceptor and per-connection threads (`accept_loop`, `serve_connection`);
//! - the router (`route`, `call_method`, [`Method`]) and one handler per Bot API method;
//! - `mod http`: the request parser and response writer;
//! - `mod params`: turning a request into a JSON object of parameters.
//!
//! Behaviour worth knowing:
//! - Method names match case-insensitively; requests are recorded under the canonical
//!   camelCase name for the methods this server knows (`sendMessage`), otherwise as sent.
//! - Every Bot API call is recorded, including `getMe`, `getUpdates` and calls answered with a
//!   scheduled [`Fault`]: the log is what went over the wire.
//! - Errors are 4xx JSON envelopes like Telegram's. The server never answers 5xx unless a
//!   [`Fault::ServerError`] is scheduled, because teloxide sleeps 10 s after any 5xx.

use std::collections::{HashMap, VecDeque};
use std::io::{self, BufReader};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Map, Value, json};

/// The fake bot's user id.
pub const BOT_ID: i64 = 7_000_001;
/// The fake bot's `first_name`.
pub const BOT_FIRST_NAME: &str = "LoanGuard";
/// The bot username used unless [`FakeBotApi::set_bot_username`] changes it.
pub const DEFAULT_BOT_USERNAME: &str = "loanguard_test_bot";
/// The first `message_id` each server assigns.
pub const FIRST_MESSAGE_ID: i64 = 1000;
/// Upper bound on how long a `getUpdates` long poll is held (teloxide's client gives up at 17 s).
pub const MAX_LONG_POLL: Duration = Duration::from_secs(10);
/// Telegram's limit on `text`, in UTF-16 code units after entity parsing.
pub const MAX_TEXT_UTF16: usize = 4096;

/// A failure to inject into the next request of one method (see [`FakeBotApi::schedule_fault`]).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Fault {
    /// `429 Too Many Requests` with `parameters.retry_after` set to this many seconds.
    RetryAfter(u32),
    /// `502 Bad Gateway`. Note that teloxide sleeps 10 s after any 5xx answer.
    ServerError,
    /// `400` with this description, sent verbatim (use Telegram's full text, for example
    /// `"Bad Request: message is too long"`, so teloxide maps it to the right `ApiError`).
    BadRequest(String),
    /// `403` with this description, sent verbatim (for example `"Forbidden: bot was blocked by the user"`).
    Forbidden(String),
    /// `200 OK` with a body that is not JSON.
    Malformed,
    /// Sleep this long (or until the server shuts down), then answer normally.
    Hang(Duration),
    /// Close the connection without answering and without carrying the request out: what a
    /// client sees when it sends on a keep-alive connection the server had already dropped.
    CloseBeforeAnswer,
}

/// A running fake Bot API server. Shuts down when dropped: it stops accepting connections,
/// closes open ones and wakes held long polls.
pub struct FakeBotApi {
    shared: Arc<Shared>,
    addr: SocketAddr,
    acceptor: Option<JoinHandle<()>>,
}

impl FakeBotApi {
    /// Binds `127.0.0.1:0` and starts serving on a background thread.
    pub fn start() -> FakeBotApi {
        FakeBotApi::start_on("127.0.0.1:0".parse().expect("a socket address"))
    }

    /// Binds `addr` (for example a port that was refused a moment ago, to test reconnecting)
    /// and starts serving on a background thread. Panics if the address can't be bound.
    pub fn start_on(addr: SocketAddr) -> FakeBotApi {
        let listener =
            TcpListener::bind(addr).unwrap_or_else(|e| panic!("fake Bot API: bind {addr}: {e}"));
        let addr = listener.local_addr().expect("fake Bot API: local_addr");
        let shared = Arc::new(Shared {
            state: Mutex::new(State::new()),
            changed: Condvar::new(),
        });
        let acceptor = {
            let shared = Arc::clone(&shared);
            thread::Builder::new()
                .name("fake-bot-api-accept".into())
                .spawn(move || accept_loop(&listener, &shared))
                .expect("fake Bot API: spawn acceptor")
        };
        FakeBotApi {
            shared,
            addr,
            acceptor: Some(acceptor),
        }
    }

    /// The API base URL, `http://127.0.0.1:PORT/`, for `TELOXIDE_API_URL` or `Bot::set_api_url`.
    pub fn url(&self) -> String {
        format!("http://{}/", self.addr)
    }

    /// The socket address the server listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Sets the `username` that `getMe` reports (default [`DEFAULT_BOT_USERNAME`]).
    pub fn set_bot_username(&self, username: &str) {
        self.shared.lock().bot_username = username.to_owned();
    }

    /// Queues an update for `getUpdates` and wakes waiting long polls. Assigns the next
    /// `update_id` (starting at 1) unless the value already has one; returns the id.
    ///
    /// Panics if `update` is not a JSON object.
    pub fn push_update(&self, update: Value) -> i64 {
        let mut state = self.shared.lock();
        let id = state.enqueue(update);
        self.shared.changed.notify_all();
        id
    }

    /// Queues several updates at once, under one lock, so that a waiting long poll sees them
    /// all together (as a backlog). Ids are assigned as in [`FakeBotApi::push_update`].
    pub fn push_updates(&self, updates: impl IntoIterator<Item = Value>) -> Vec<i64> {
        let mut state = self.shared.lock();
        let ids = updates
            .into_iter()
            .map(|update| state.enqueue(update))
            .collect();
        self.shared.changed.notify_all();
        ids
    }

    /// Like [`FakeBotApi::requests`], with the moment each request arrived (before any fault
    /// or handler ran).
    pub fn timed_requests(&self, method: &str) -> Vec<(Instant, Value)> {
        let state = self.shared.lock();
        state
            .requests
            .iter()
            .zip(&state.request_times)
            .filter(|((m, _), _)| m.eq_ignore_ascii_case(method))
            .map(|((_, body), at)| (*at, body.clone()))
            .collect()
    }

    /// How many requests to `method` (case-insensitive) were recorded, without cloning them.
    pub fn request_count(&self, method: &str) -> usize {
        self.shared.lock().count_of(method)
    }

    /// Every update a `getUpdates` answer handed out, as `(update_id, when)`, in order. An
    /// update handed out again (not yet confirmed) appears again.
    pub fn deliveries(&self) -> Vec<(i64, Instant)> {
        self.shared.lock().deliveries.clone()
    }

    /// Bodies of all recorded requests to `method` (case-insensitive), oldest first.
    pub fn requests(&self, method: &str) -> Vec<Value> {
        self.shared.lock().requests_of(method)
    }

    /// Every recorded Bot API call as `(method, body)`, in arrival order.
    pub fn all_requests(&self) -> Vec<(String, Value)> {
        self.shared.lock().requests.clone()
    }

    /// Shortcut for `requests("sendMessage")`.
    pub fn sent_messages(&self) -> Vec<Value> {
        self.requests("sendMessage")
    }

    /// Blocks until at least `count` requests to `method` were recorded or `timeout` passed;
    /// returns the bodies recorded so far (check the length).
    pub fn wait_for(&self, method: &str, count: usize, timeout: Duration) -> Vec<Value> {
        let state = self.shared.lock();
        let state = self
            .shared
            .wait_while(state, timeout, |s| s.count_of(method) < count);
        state.requests_of(method)
    }

    /// Blocks until a `getUpdates` call confirmed `update_id` (its offset was greater) or
    /// `timeout` passed; returns whether it was confirmed.
    pub fn wait_for_confirmation(&self, update_id: i64, timeout: Duration) -> bool {
        let state = self.shared.lock();
        let state = self
            .shared
            .wait_while(state, timeout, |s| !s.confirmed(update_id));
        state.confirmed(update_id)
    }

    /// The `offset` of each `getUpdates` call the server answered (not those answered with a
    /// scheduled fault), in order; 0 when the call had none.
    pub fn get_updates_offsets(&self) -> Vec<i64> {
        self.shared.lock().get_updates_offsets.clone()
    }

    /// The distinct bot tokens seen in request paths, in order of first use.
    pub fn tokens_seen(&self) -> Vec<String> {
        self.shared.lock().tokens.clone()
    }

    /// Method names (as sent) of calls the server does not implement, in order.
    pub fn unknown_methods(&self) -> Vec<String> {
        self.shared.lock().unknown_methods.clone()
    }

    /// Makes `getChatMember` report `status` (`"creator"`, `"administrator"`, `"member"`,
    /// `"restricted"`, `"left"` or `"kicked"`) for this user in this chat. Default `"member"`.
    pub fn set_chat_member_status(&self, chat_id: i64, user_id: i64, status: &str) {
        self.shared
            .lock()
            .chat_members
            .insert((chat_id, user_id), status.to_owned());
    }

    /// Serves `bytes` at `GET /file/bot<TOKEN>/<path>`.
    pub fn add_file(&self, path: &str, bytes: impl Into<Vec<u8>>) {
        self.shared
            .lock()
            .files
            .insert(path.to_owned(), bytes.into());
    }

    /// Makes `getFile {file_id}` answer with `path` and serves `bytes` there.
    pub fn add_file_id(&self, file_id: &str, path: &str, bytes: impl Into<Vec<u8>>) {
        let mut state = self.shared.lock();
        state.files.insert(path.to_owned(), bytes.into());
        state.file_ids.insert(file_id.to_owned(), path.to_owned());
    }

    /// Holds every answer to `method` (case-insensitive) for `delay` after the call took effect
    /// (a sent message is recorded at once), like Telegram's round trip. A client that dies
    /// meanwhile never sees the answer, but the call still happened.
    pub fn set_response_delay(&self, method: &str, delay: Duration) {
        self.shared
            .lock()
            .response_delays
            .insert(method.to_ascii_lowercase(), delay);
    }

    /// Calls of `method` that took effect and whose answer is still held back (see
    /// [`FakeBotApi::set_response_delay`]).
    pub fn answering(&self, method: &str) -> usize {
        self.shared
            .lock()
            .answering
            .get(method)
            .copied()
            .unwrap_or(0)
    }

    /// Answers the next request to `method` (case-insensitive) with `fault`, once. Faults for
    /// the same method apply in the order they were scheduled.
    pub fn schedule_fault(&self, method: &str, fault: Fault) {
        self.shared
            .lock()
            .faults
            .entry(method.to_ascii_lowercase())
            .or_default()
            .push_back(fault);
    }
}

impl Drop for FakeBotApi {
    fn drop(&mut self) {
        self.shared.lock().shutdown = true;
        self.shared.changed.notify_all();
        // Wake the blocking `accept`; the acceptor sees the flag, closes the open connections
        // and joins their threads.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(acceptor) = self.acceptor.take() {
            let _ = acceptor.join();
        }
    }
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

/// The state shared by the test handle and the connection threads.
struct Shared {
    state: Mutex<State>,
    /// Notified whenever something a waiter may care about changes (a request was recorded,
    /// an update was pushed or confirmed, the server is shutting down).
    changed: Condvar,
}

impl Shared {
    /// Locks the state, ignoring poisoning (a panicking test thread must not hide the state).
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Waits while `condition` holds, at most `timeout`.
    fn wait_while<'a>(
        &self,
        guard: MutexGuard<'a, State>,
        timeout: Duration,
        condition: impl FnMut(&mut State) -> bool,
    ) -> MutexGuard<'a, State> {
        self.changed
            .wait_timeout_while(guard, timeout, condition)
            .unwrap_or_else(PoisonError::into_inner)
            .0
    }

    /// Sleeps `duration`, or less if the server shuts down.
    fn sleep(&self, duration: Duration) {
        let state = self.lock();
        drop(self.wait_while(state, duration, |s| !s.shutdown));
    }
}

/// Everything the server remembers.
struct State {
    shutdown: bool,
    bot_username: String,
    /// Distinct tokens, in order of first use.
    tokens: Vec<String>,
    /// Every Bot API call as `(method, parameters)`.
    requests: Vec<(String, Value)>,
    /// When each entry of `requests` arrived (same index).
    request_times: Vec<Instant>,
    /// `(update_id, when)` for each update a `getUpdates` answer handed out.
    deliveries: Vec<(i64, Instant)>,
    unknown_methods: Vec<String>,
    /// Scheduled faults by lower-case method name.
    faults: HashMap<String, VecDeque<Fault>>,
    /// Unconfirmed updates as `(update_id, update)`, in push order.
    updates: VecDeque<(i64, Value)>,
    next_update_id: i64,
    get_updates_offsets: Vec<i64>,
    next_message_id: i64,
    /// Messages the bot sent, by `(chat_id, message_id)`, so edits return the full message.
    messages: HashMap<(i64, i64), Value>,
    chat_members: HashMap<(i64, i64), String>,
    /// File bytes by `file_path`.
    files: HashMap<String, Vec<u8>>,
    /// `file_path` by `file_id`.
    file_ids: HashMap<String, String>,
    webhook_url: String,
    /// How long answers to a method (lower-case name) are held after the call took effect, as
    /// Telegram's round trip would (see [`FakeBotApi::set_response_delay`]).
    response_delays: HashMap<String, Duration>,
    /// Calls of each method (canonical name) that took effect and are not yet answered.
    answering: HashMap<String, usize>,
}

impl State {
    fn new() -> State {
        State {
            shutdown: false,
            bot_username: DEFAULT_BOT_USERNAME.to_owned(),
            tokens: Vec::new(),
            requests: Vec::new(),
            request_times: Vec::new(),
            deliveries: Vec::new(),
            unknown_methods: Vec::new(),
            faults: HashMap::new(),
            updates: VecDeque::new(),
            next_update_id: 1,
            get_updates_offsets: Vec::new(),
            next_message_id: FIRST_MESSAGE_ID,
            messages: HashMap::new(),
            chat_members: HashMap::new(),
            files: HashMap::new(),
            file_ids: HashMap::new(),
            webhook_url: String::new(),
            response_delays: HashMap::new(),
            answering: HashMap::new(),
        }
    }

    /// Queues an update, giving it the next `update_id` unless it has one; returns the id.
    fn enqueue(&mut self, mut update: Value) -> i64 {
        let object = update
            .as_object_mut()
            .expect("push_update: an update must be a JSON object");
        let id = match object.get("update_id").and_then(Value::as_i64) {
            Some(id) => id,
            None => {
                let id = self.next_update_id;
                object.insert("update_id".into(), json!(id));
                id
            }
        };
        self.next_update_id = self.next_update_id.max(id + 1);
        self.updates.push_back((id, update));
        id
    }

    fn count_of(&self, method: &str) -> usize {
        self.requests
            .iter()
            .filter(|(m, _)| m.eq_ignore_ascii_case(method))
            .count()
    }

    fn requests_of(&self, method: &str) -> Vec<Value> {
        self.requests
            .iter()
            .filter(|(m, _)| m.eq_ignore_ascii_case(method))
            .map(|(_, body)| body.clone())
            .collect()
    }

    fn note_token(&mut self, token: &str) {
        if !self.tokens.iter().any(|t| t == token) {
            self.tokens.push(token.to_owned());
        }
    }

    fn take_fault(&mut self, method: &str) -> Option<Fault> {
        self.faults
            .get_mut(&method.to_ascii_lowercase())?
            .pop_front()
    }

    /// Whether a `getUpdates` call has confirmed `update_id`.
    fn confirmed(&self, update_id: i64) -> bool {
        self.get_updates_offsets.iter().any(|&o| o > update_id)
    }

    /// Applies a `getUpdates` offset: drops confirmed updates (`update_id < offset`), or for a
    /// negative offset keeps only the last `-offset` updates, as Telegram does.
    fn confirm_updates(&mut self, offset: i64) {
        if offset > 0 {
            self.updates.retain(|(id, _)| *id >= offset);
        } else if offset < 0 {
            let keep = usize::try_from(offset.unsigned_abs()).unwrap_or(usize::MAX);
            let excess = self.updates.len().saturating_sub(keep);
            self.updates.drain(..excess);
        }
    }

    /// Queued updates a `getUpdates` call with this offset returns, in push order.
    fn deliverable(&self, offset: i64) -> impl Iterator<Item = &Value> {
        self.updates
            .iter()
            .filter(move |(id, _)| offset <= 0 || *id >= offset)
            .map(|(_, update)| update)
    }

    fn bot_user(&self) -> Value {
        json!({
            "id": BOT_ID,
            "is_bot": true,
            "first_name": BOT_FIRST_NAME,
            "username": self.bot_username,
        })
    }

    fn take_message_id(&mut self) -> i64 {
        let id = self.next_message_id;
        self.next_message_id += 1;
        id
    }
}

// ---------------------------------------------------------------------------------------------
// Connections
// ---------------------------------------------------------------------------------------------

/// Accepts connections until shutdown, one thread each; then closes them and joins the threads.
fn accept_loop(listener: &TcpListener, shared: &Arc<Shared>) {
    let mut workers: Vec<(TcpStream, JoinHandle<()>)> = Vec::new();
    for stream in listener.incoming() {
        if shared.lock().shutdown {
            break;
        }
        let Ok(stream) = stream else {
            // For example EMFILE; don't spin.
            thread::sleep(Duration::from_millis(10));
            continue;
        };
        workers.retain(|(_, worker)| !worker.is_finished());
        let Ok(closer) = stream.try_clone() else {
            continue;
        };
        let shared = Arc::clone(shared);
        let spawned = thread::Builder::new()
            .name("fake-bot-api-conn".into())
            .spawn(move || serve_connection(&shared, stream));
        if let Ok(worker) = spawned {
            workers.push((closer, worker));
        }
    }
    for (stream, _) in &workers {
        let _ = stream.shutdown(Shutdown::Both);
    }
    for (_, worker) in workers {
        let _ = worker.join();
    }
}

/// Serves one connection, then closes it. The explicit `shutdown` matters: the acceptor holds
/// a clone of the socket, so dropping ours alone would not send FIN to the client.
fn serve_connection(shared: &Shared, stream: TcpStream) {
    let _ = stream.set_nodelay(true);
    let mut conn = BufReader::new(stream);
    serve_requests(shared, &mut conn);
    let _ = conn.get_ref().shutdown(Shutdown::Both);
}

/// Serves requests on one keep-alive connection until the client closes it, asks to close it,
/// sends something unparsable, or the server shuts down.
fn serve_requests(shared: &Shared, conn: &mut BufReader<TcpStream>) {
    loop {
        let request = match http::read_request(conn) {
            Ok(Some(request)) => request,
            Ok(None) => return,
            Err(error) => {
                if error.kind() == io::ErrorKind::InvalidData {
                    let response = http::Response::json(
                        400,
                        &error_body(400, &format!("Bad Request: {error}"), None),
                    );
                    let _ = response.write_to(conn.get_mut(), false);
                }
                return;
            }
        };
        let response = route(shared, &request);
        if response.closes_without_answer() {
            return;
        }
        let keep_alive = request.keep_alive && !shared.lock().shutdown;
        if response.write_to(conn.get_mut(), keep_alive).is_err() || !keep_alive {
            return;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Router
// ---------------------------------------------------------------------------------------------

/// The Bot API methods this server implements.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Method {
    GetMe,
    GetUpdates,
    SendMessage,
    EditMessageText,
    EditMessageReplyMarkup,
    AnswerCallbackQuery,
    SetMyCommands,
    DeleteMyCommands,
    SetWebhook,
    DeleteWebhook,
    GetWebhookInfo,
    DeleteMessage,
    SendChatAction,
    GetChatMember,
    GetFile,
}

impl Method {
    const ALL: [Method; 15] = [
        Method::GetMe,
        Method::GetUpdates,
        Method::SendMessage,
        Method::EditMessageText,
        Method::EditMessageReplyMarkup,
        Method::AnswerCallbackQuery,
        Method::SetMyCommands,
        Method::DeleteMyCommands,
        Method::SetWebhook,
        Method::DeleteWebhook,
        Method::GetWebhookInfo,
        Method::DeleteMessage,
        Method::SendChatAction,
        Method::GetChatMember,
        Method::GetFile,
    ];

    /// The canonical (camelCase) name.
    fn name(self) -> &'static str {
        match self {
            Method::GetMe => "getMe",
            Method::GetUpdates => "getUpdates",
            Method::SendMessage => "sendMessage",
            Method::EditMessageText => "editMessageText",
            Method::EditMessageReplyMarkup => "editMessageReplyMarkup",
            Method::AnswerCallbackQuery => "answerCallbackQuery",
            Method::SetMyCommands => "setMyCommands",
            Method::DeleteMyCommands => "deleteMyCommands",
            Method::SetWebhook => "setWebhook",
            Method::DeleteWebhook => "deleteWebhook",
            Method::GetWebhookInfo => "getWebhookInfo",
            Method::DeleteMessage => "deleteMessage",
            Method::SendChatAction => "sendChatAction",
            Method::GetChatMember => "getChatMember",
            Method::GetFile => "getFile",
        }
    }

    /// Case-insensitive lookup, as Telegram does.
    fn parse(name: &str) -> Option<Method> {
        Method::ALL
            .into_iter()
            .find(|m| m.name().eq_ignore_ascii_case(name))
    }
}

/// A failed Bot API call: becomes `{"ok":false,"error_code":..,"description":..}`.
#[derive(Debug)]
struct ApiFailure {
    code: u16,
    description: String,
}

impl ApiFailure {
    fn new(code: u16, description: impl Into<String>) -> ApiFailure {
        ApiFailure {
            code,
            description: description.into(),
        }
    }

    fn bad_request(what: &str) -> ApiFailure {
        ApiFailure::new(400, format!("Bad Request: {what}"))
    }
}

type ApiResult = Result<Value, ApiFailure>;

fn error_body(code: u16, description: &str, parameters: Option<Value>) -> Value {
    let mut body = json!({ "ok": false, "error_code": code, "description": description });
    if let Some(parameters) = parameters {
        body["parameters"] = parameters;
    }
    body
}

fn api_response(result: ApiResult) -> http::Response {
    match result {
        Ok(result) => http::Response::json(200, &json!({ "ok": true, "result": result })),
        Err(failure) => http::Response::json(
            failure.code,
            &error_body(failure.code, &failure.description, None),
        ),
    }
}

fn not_found() -> http::Response {
    http::Response::json(404, &error_body(404, "Not Found", None))
}

/// Dispatches on the request path: `/bot<TOKEN>/<method>` or `/file/bot<TOKEN>/<path>`.
fn route(shared: &Shared, request: &http::Request) -> http::Response {
    if let Some(rest) = request.path.strip_prefix("/file/bot") {
        let Some((token, path)) = rest.split_once('/') else {
            return not_found();
        };
        return serve_file(
            shared,
            &params::percent_decode(token, false),
            &params::percent_decode(path, false),
        );
    }
    let Some((token, method)) = request
        .path
        .strip_prefix("/bot")
        .and_then(|rest| rest.split_once('/'))
    else {
        return not_found();
    };
    if token.is_empty() || method.is_empty() || method.contains('/') {
        return not_found();
    }
    match params::parse(request) {
        Ok(parameters) => call_method(
            shared,
            &params::percent_decode(token, false),
            &params::percent_decode(method, false),
            &parameters,
        ),
        Err(description) => api_response(Err(ApiFailure::bad_request(&description))),
    }
}

/// `GET /file/bot<TOKEN>/<path>`: the bytes registered with `add_file`/`add_file_id`, or 404.
fn serve_file(shared: &Shared, token: &str, path: &str) -> http::Response {
    let mut state = shared.lock();
    state.note_token(token);
    match state.files.get(path) {
        Some(bytes) => http::Response::bytes(200, "application/octet-stream", bytes.clone()),
        None => not_found(),
    }
}

/// Records a Bot API call, applies a scheduled fault, then runs the method's handler.
fn call_method(
    shared: &Shared,
    token: &str,
    sent_name: &str,
    parameters: &Value,
) -> http::Response {
    let method = Method::parse(sent_name);
    let name = method.map_or(sent_name, |m| m.name());
    let fault = {
        let mut state = shared.lock();
        state.note_token(token);
        state.requests.push((name.to_owned(), parameters.clone()));
        state.request_times.push(Instant::now());
        if method.is_none() {
            state.unknown_methods.push(sent_name.to_owned());
        }
        let fault = state.take_fault(name);
        shared.changed.notify_all();
        fault
    };
    if let Some(response) = fault.and_then(|fault| apply_fault(shared, &fault)) {
        return response;
    }
    let result = match method {
        Some(method) => handle(shared, method, parameters),
        None => Err(ApiFailure::new(
            404,
            format!("Not Found: method {sent_name} is not supported by the fake server"),
        )),
    };
    let delay = shared
        .lock()
        .response_delays
        .get(&name.to_ascii_lowercase())
        .copied();
    if let Some(delay) = delay {
        *shared.lock().answering.entry(name.to_owned()).or_default() += 1;
        shared.changed.notify_all();
        shared.sleep(delay);
        *shared.lock().answering.entry(name.to_owned()).or_default() -= 1;
        shared.changed.notify_all();
    }
    api_response(result)
}

/// Applies a scheduled fault: `Hang` sleeps and returns `None` (answer normally afterwards),
/// the others return the response to send instead of the method's result.
fn apply_fault(shared: &Shared, fault: &Fault) -> Option<http::Response> {
    let (code, description, parameters) = match fault {
        Fault::Hang(duration) => {
            shared.sleep(*duration);
            return None;
        }
        Fault::RetryAfter(seconds) => (
            429,
            format!("Too Many Requests: retry after {seconds}"),
            Some(json!({ "retry_after": seconds })),
        ),
        Fault::ServerError => (502, "Bad Gateway".to_owned(), None),
        Fault::BadRequest(description) => (400, description.clone(), None),
        Fault::Forbidden(description) => (403, description.clone(), None),
        Fault::CloseBeforeAnswer => return Some(http::Response::close_connection()),
        Fault::Malformed => {
            return Some(http::Response::bytes(
                200,
                "text/html",
                b"<html><body>this is not JSON</body></html>".to_vec(),
            ));
        }
    };
    Some(http::Response::json(
        code,
        &error_body(code, &description, parameters),
    ))
}

/// Runs one method's handler.
fn handle(shared: &Shared, method: Method, p: &Value) -> ApiResult {
    match method {
        Method::GetUpdates => get_updates(shared, p),
        Method::GetMe => Ok(get_me(&shared.lock())),
        Method::SendMessage => send_message(&mut shared.lock(), p),
        Method::EditMessageText => edit_message_text(&mut shared.lock(), p),
        Method::EditMessageReplyMarkup => edit_message_reply_markup(&mut shared.lock(), p),
        Method::AnswerCallbackQuery
        | Method::SetMyCommands
        | Method::DeleteMyCommands
        | Method::SendChatAction => Ok(Value::Bool(true)),
        Method::SetWebhook => {
            shared.lock().webhook_url = str_param(p, "url").unwrap_or_default().to_owned();
            Ok(Value::Bool(true))
        }
        Method::DeleteWebhook => {
            let mut state = shared.lock();
            state.webhook_url.clear();
            if p.get("drop_pending_updates").and_then(Value::as_bool) == Some(true) {
                state.updates.clear();
            }
            Ok(Value::Bool(true))
        }
        Method::GetWebhookInfo => {
            let state = shared.lock();
            Ok(json!({
                "url": state.webhook_url,
                "has_custom_certificate": false,
                "pending_update_count": state.updates.len(),
            }))
        }
        Method::DeleteMessage => {
            if let (Some(chat), Some(id)) = (int_param(p, "chat_id"), int_param(p, "message_id")) {
                shared.lock().messages.remove(&(chat, id));
            }
            Ok(Value::Bool(true))
        }
        Method::GetChatMember => get_chat_member(&shared.lock(), p),
        Method::GetFile => get_file(&shared.lock(), p),
    }
}

// ---------------------------------------------------------------------------------------------
// Method handlers
// ---------------------------------------------------------------------------------------------

fn get_me(state: &State) -> Value {
    let mut me = state.bot_user();
    let fields = json!({
        "can_join_groups": true,
        "can_read_all_group_messages": false,
        "supports_inline_queries": false,
        // teloxide 0.17's `Me` fails to parse without `has_main_web_app`.
        "can_connect_to_business": false,
        "has_main_web_app": false,
    });
    merge(&mut me, fields);
    me
}

/// `getUpdates`: answers at once if updates with `update_id >= offset` are queued, otherwise
/// holds the request up to `min(timeout, 10 s)` waiting for `push_update`.
fn get_updates(shared: &Shared, p: &Value) -> ApiResult {
    let offset = int_param(p, "offset").unwrap_or(0);
    let limit = usize::try_from(int_param(p, "limit").unwrap_or(100).clamp(1, 100)).unwrap_or(100);
    let timeout =
        Duration::from_secs(u64::try_from(int_param(p, "timeout").unwrap_or(0)).unwrap_or(0))
            .min(MAX_LONG_POLL);

    let mut state = shared.lock();
    state.get_updates_offsets.push(offset);
    if !state.webhook_url.is_empty() {
        return Err(ApiFailure::new(
            409,
            "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first",
        ));
    }
    state.confirm_updates(offset);
    shared.changed.notify_all();
    let mut state = shared.wait_while(state, timeout, |s| {
        !s.shutdown && s.deliverable(offset).next().is_none()
    });
    let batch: Vec<Value> = state.deliverable(offset).take(limit).cloned().collect();
    let now = Instant::now();
    let delivered: Vec<(i64, Instant)> = batch
        .iter()
        .filter_map(|u| u["update_id"].as_i64())
        .map(|id| (id, now))
        .collect();
    state.deliveries.extend(delivered);
    Ok(Value::Array(batch))
}

fn send_message(state: &mut State, p: &Value) -> ApiResult {
    let (chat_id, chat) = chat_param(p)?;
    let text = visible_text(p)?;
    let message_id = state.take_message_id();
    let mut message = json!({
        "message_id": message_id,
        "date": unix_now(),
        "chat": chat,
        "from": state.bot_user(),
        "text": text,
    });
    if let Some(markup) = inline_markup(p) {
        message["reply_markup"] = markup.clone();
    }
    state
        .messages
        .insert((chat_id, message_id), message.clone());
    Ok(message)
}

fn edit_message_text(state: &mut State, p: &Value) -> ApiResult {
    if p.get("inline_message_id").is_some() {
        return Ok(Value::Bool(true));
    }
    let text = visible_text(p)?;
    let mut message = edited_message(state, p)?;
    message["text"] = Value::String(text);
    set_markup(&mut message, inline_markup(p));
    Ok(store_edit(state, message))
}

fn edit_message_reply_markup(state: &mut State, p: &Value) -> ApiResult {
    if p.get("inline_message_id").is_some() {
        return Ok(Value::Bool(true));
    }
    let mut message = edited_message(state, p)?;
    set_markup(&mut message, inline_markup(p));
    Ok(store_edit(state, message))
}

/// The message an edit refers to: the one the bot sent if known, else a stand-in (the bot may
/// edit messages from pushed updates that this server never saw being sent).
fn edited_message(state: &State, p: &Value) -> ApiResult {
    let (chat_id, chat) = chat_param(p)?;
    let message_id =
        int_param(p, "message_id").ok_or_else(|| ApiFailure::bad_request("message_id is empty"))?;
    let mut message = state
        .messages
        .get(&(chat_id, message_id))
        .cloned()
        .unwrap_or_else(|| {
            json!({
                "message_id": message_id,
                "date": unix_now(),
                "chat": chat,
                "from": state.bot_user(),
                "text": "",
            })
        });
    message["edit_date"] = json!(unix_now());
    Ok(message)
}

/// Remembers the edited message and returns it.
fn store_edit(state: &mut State, message: Value) -> Value {
    if let (Some(chat), Some(id)) = (
        message["chat"]["id"].as_i64(),
        message["message_id"].as_i64(),
    ) {
        state.messages.insert((chat, id), message.clone());
    }
    message
}

fn get_chat_member(state: &State, p: &Value) -> ApiResult {
    let (chat_id, _) = chat_param(p)?;
    let user_id =
        int_param(p, "user_id").ok_or_else(|| ApiFailure::bad_request("user not found"))?;
    let status = state
        .chat_members
        .get(&(chat_id, user_id))
        .map_or("member", String::as_str);
    let user = if user_id == BOT_ID {
        state.bot_user()
    } else {
        json!({ "id": user_id, "is_bot": false, "first_name": format!("User {user_id}") })
    };
    let mut member = json!({ "status": status, "user": user });
    // teloxide requires these fields for the non-trivial kinds.
    let fields = match status {
        "creator" => json!({ "is_anonymous": false }),
        "administrator" => json!({
            "is_anonymous": false,
            "can_be_edited": false,
            "can_manage_chat": true,
            "can_change_info": true,
            "can_delete_messages": true,
            "can_manage_video_chats": true,
            "can_invite_users": true,
            "can_restrict_members": true,
            "can_pin_messages": true,
            "can_promote_members": false,
            "can_manage_topics": false,
            "can_post_stories": false,
            "can_edit_stories": false,
            "can_delete_stories": false,
        }),
        "restricted" => json!({
            "until_date": 0,
            "is_member": true,
            "can_send_messages": false,
            "can_send_audios": false,
            "can_send_documents": false,
            "can_send_photos": false,
            "can_send_videos": false,
            "can_send_video_notes": false,
            "can_send_voice_notes": false,
            "can_send_polls": false,
            "can_send_other_messages": false,
            "can_add_web_page_previews": false,
            "can_change_info": false,
            "can_invite_users": false,
            "can_pin_messages": false,
            "can_manage_topics": false,
        }),
        "kicked" => json!({ "until_date": 0 }),
        _ => json!({}),
    };
    merge(&mut member, fields);
    Ok(member)
}

fn get_file(state: &State, p: &Value) -> ApiResult {
    let file_id = str_param(p, "file_id").unwrap_or_default();
    let path = state
        .file_ids
        .get(file_id)
        .ok_or_else(|| ApiFailure::bad_request("invalid file_id"))?;
    let size = state.files.get(path).map_or(0, Vec::len);
    Ok(json!({
        "file_id": file_id,
        "file_unique_id": format!("unique-{file_id}"),
        "file_size": size,
        "file_path": path,
    }))
}

// ---------------------------------------------------------------------------------------------
// Helpers for parameters and objects
// ---------------------------------------------------------------------------------------------

/// An integer parameter, given as a JSON number or a numeric string (form and multipart
/// requests carry strings).
fn int_param(p: &Value, key: &str) -> Option<i64> {
    match p.get(key)? {
        Value::Number(n) => n.as_i64(),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

fn str_param<'a>(p: &'a Value, key: &str) -> Option<&'a str> {
    p.get(key).and_then(Value::as_str)
}

/// A JSON parameter that form and multipart requests send as a JSON string.
fn json_param(p: &Value, key: &str) -> Option<Value> {
    match p.get(key)? {
        Value::String(s) => serde_json::from_str(s).ok(),
        other => Some(other.clone()),
    }
}

/// `chat_id` as `(id, Chat object)`: positive ids are private chats, negative ones supergroups,
/// `@username` a channel.
fn chat_param(p: &Value) -> Result<(i64, Value), ApiFailure> {
    if let Some(id) = int_param(p, "chat_id") {
        let chat = if id > 0 {
            json!({ "id": id, "type": "private", "first_name": format!("User {id}") })
        } else {
            json!({ "id": id, "type": "supergroup", "title": format!("Group {id}") })
        };
        return Ok((id, chat));
    }
    match str_param(p, "chat_id").and_then(|s| s.strip_prefix('@')) {
        Some(username) if !username.is_empty() => {
            let id = -1_000_000_000_001;
            let chat =
                json!({ "id": id, "type": "channel", "title": username, "username": username });
            Ok((id, chat))
        }
        _ => Err(ApiFailure::bad_request("chat not found")),
    }
}

/// The `text` parameter as the user would see it (HTML tags stripped for `parse_mode: HTML`),
/// checked against Telegram's emptiness and length rules.
fn visible_text(p: &Value) -> Result<String, ApiFailure> {
    let raw = str_param(p, "text").unwrap_or_default();
    let html = str_param(p, "parse_mode").is_some_and(|m| m.eq_ignore_ascii_case("html"));
    let text = if html {
        strip_html(raw)
    } else {
        raw.to_owned()
    };
    if text.trim().is_empty() {
        return Err(ApiFailure::bad_request("message text is empty"));
    }
    if text.encode_utf16().count() > MAX_TEXT_UTF16 {
        return Err(ApiFailure::bad_request("message is too long"));
    }
    Ok(text)
}

/// Removes tags and decodes the entities Telegram's HTML mode supports.
fn strip_html(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        if rest.starts_with('<') {
            rest = rest.find('>').map_or("", |end| &rest[end + 1..]);
            continue;
        }
        let entity = rest
            .find(';')
            .filter(|&end| end <= 10)
            .and_then(|end| decode_entity(&rest[1..end]).map(|c| (c, end)));
        match entity {
            Some((c, end)) => {
                out.push(c);
                rest = &rest[end + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn decode_entity(name: &str) -> Option<char> {
    match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        _ => {
            let number = name.strip_prefix('#')?;
            let code = match number.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                None => number.parse().ok()?,
            };
            char::from_u32(code)
        }
    }
}

/// `reply_markup` if it is an inline keyboard: a Message only carries inline keyboards (teloxide
/// would fail to parse a reply keyboard there).
fn inline_markup(p: &Value) -> Option<Value> {
    json_param(p, "reply_markup").filter(|m| m.get("inline_keyboard").is_some())
}

fn set_markup(message: &mut Value, markup: Option<Value>) {
    let Some(object) = message.as_object_mut() else {
        return;
    };
    match markup {
        Some(markup) => object.insert("reply_markup".into(), markup),
        None => object.remove("reply_markup"),
    };
}

/// Copies the fields of the object `extra` into the object `target`.
fn merge(target: &mut Value, extra: Value) {
    if let (Some(target), Value::Object(extra)) = (target.as_object_mut(), extra) {
        target.extend(extra);
    }
}

fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

// ---------------------------------------------------------------------------------------------
// Request parameters
// ---------------------------------------------------------------------------------------------

mod params {
    //! Turns a request (query string plus a JSON, form or multipart body) into one JSON object.

    use super::{Map, Value, http};

    /// The request's parameters; body fields override query fields.
    pub(super) fn parse(request: &http::Request) -> Result<Value, String> {
        let mut object = form(&request.query);
        let content_type = request
            .header("content-type")
            .unwrap_or_default()
            .to_ascii_lowercase();
        let body = &request.body;
        if content_type.starts_with("application/x-www-form-urlencoded") {
            object.extend(form(&String::from_utf8_lossy(body)));
        } else if content_type.starts_with("multipart/form-data") {
            let boundary = boundary(request.header("content-type").unwrap_or_default())
                .ok_or("multipart body without a boundary")?;
            object.extend(multipart(body, &boundary));
        } else if !body.iter().all(u8::is_ascii_whitespace) {
            match serde_json::from_slice(body) {
                Ok(Value::Object(fields)) => object.extend(fields),
                Ok(_) => return Err("parameters must be a JSON object".into()),
                Err(error) => return Err(format!("can't parse JSON: {error}")),
            }
        }
        Ok(Value::Object(object))
    }

    /// `a=1&b=x%20y` as `{"a":"1","b":"x y"}`.
    fn form(text: &str) -> Map<String, Value> {
        text.split('&')
            .filter(|pair| !pair.is_empty())
            .map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (
                    percent_decode(key, true),
                    Value::String(percent_decode(value, true)),
                )
            })
            .collect()
    }

    fn boundary(content_type: &str) -> Option<String> {
        content_type.split(';').find_map(|part| {
            let (key, value) = part.trim().split_once('=')?;
            key.eq_ignore_ascii_case("boundary")
                .then(|| value.trim_matches('"').to_owned())
        })
    }

    /// Text parts as strings; file parts as `{"filename":..,"size":..}`.
    fn multipart(body: &[u8], boundary: &str) -> Map<String, Value> {
        let delimiter = format!("--{boundary}");
        let mut fields = Map::new();
        for part in split(body, delimiter.as_bytes()).skip(1) {
            if part.starts_with(b"--") {
                break;
            }
            let part = part.strip_prefix(b"\r\n").unwrap_or(part);
            let part = part.strip_suffix(b"\r\n").unwrap_or(part);
            let Some(split_at) = find(part, b"\r\n\r\n") else {
                continue;
            };
            let headers = String::from_utf8_lossy(&part[..split_at]);
            let content = &part[split_at + 4..];
            let disposition = headers
                .lines()
                .find(|line| {
                    line.to_ascii_lowercase()
                        .starts_with("content-disposition:")
                })
                .unwrap_or_default();
            let Some(name) = disposition_param(disposition, "name") else {
                continue;
            };
            let value = match disposition_param(disposition, "filename") {
                Some(filename) => {
                    serde_json::json!({ "filename": filename, "size": content.len() })
                }
                None => Value::String(String::from_utf8_lossy(content).into_owned()),
            };
            fields.insert(name, value);
        }
        fields
    }

    fn disposition_param(disposition: &str, key: &str) -> Option<String> {
        disposition.split(';').skip(1).find_map(|part| {
            let (k, v) = part.trim().split_once('=')?;
            k.eq_ignore_ascii_case(key)
                .then(|| v.trim_matches('"').to_owned())
        })
    }

    fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
        haystack.windows(needle.len()).position(|w| w == needle)
    }

    /// Splits `data` at each occurrence of `delimiter`.
    fn split<'a>(mut data: &'a [u8], delimiter: &'a [u8]) -> impl Iterator<Item = &'a [u8]> {
        let mut done = false;
        std::iter::from_fn(move || {
            if done {
                return None;
            }
            match find(data, delimiter) {
                Some(i) => {
                    let piece = &data[..i];
                    data = &data[i + delimiter.len()..];
                    Some(piece)
                }
                None => {
                    done = true;
                    Some(data)
                }
            }
        })
    }

    /// Decodes `%XX` escapes (and `+` as a space when `plus_is_space`, as in forms).
    pub(super) fn percent_decode(text: &str, plus_is_space: bool) -> String {
        let bytes = text.as_bytes();
        let mut out = Vec::with_capacity(bytes.len());
        let mut i = 0;
        while i < bytes.len() {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match (bytes[i], hex) {
                (b'%', Some(byte)) => {
                    out.push(byte);
                    i += 3;
                }
                (b'+', _) if plus_is_space => {
                    out.push(b' ');
                    i += 1;
                }
                (byte, _) => {
                    out.push(byte);
                    i += 1;
                }
            }
        }
        String::from_utf8_lossy(&out).into_owned()
    }
}

// ---------------------------------------------------------------------------------------------
// HTTP/1.1
// ---------------------------------------------------------------------------------------------

mod http {
    //! A minimal HTTP/1.1 server side: request parsing (Content-Length and chunked bodies,
    //! `Expect: 100-continue`, keep-alive) and response writing.

    use std::io::{self, BufRead, BufReader, Read, Write};
    use std::net::TcpStream;

    use serde_json::Value;

    const MAX_LINE: u64 = 64 * 1024;
    const MAX_HEADERS: usize = 100;
    const MAX_BODY: usize = 64 * 1024 * 1024;

    /// A parsed request.
    #[derive(Debug)]
    pub(crate) struct Request {
        /// `GET`, `POST`, ...
        pub method: String,
        /// The path without the query string, still percent-encoded.
        pub path: String,
        /// The query string without `?` (empty if none).
        pub query: String,
        /// Header names are lower-cased.
        pub headers: Vec<(String, String)>,
        pub body: Vec<u8>,
        /// Whether the client wants the connection kept open after the response.
        pub keep_alive: bool,
    }

    impl Request {
        /// The first header with this (lower-case) name.
        pub fn header(&self, name: &str) -> Option<&str> {
            self.headers
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, v)| v.as_str())
        }
    }

    /// A response to write.
    pub(crate) struct Response {
        pub status: u16,
        pub content_type: &'static str,
        pub body: Vec<u8>,
    }

    impl Response {
        /// Not an answer: the connection is closed without a byte written.
        pub fn close_connection() -> Response {
            Response::bytes(0, "text/plain", Vec::new())
        }

        pub fn closes_without_answer(&self) -> bool {
            self.status == 0
        }

        pub fn json(status: u16, body: &Value) -> Response {
            Response::bytes(status, "application/json", body.to_string().into_bytes())
        }

        pub fn bytes(status: u16, content_type: &'static str, body: Vec<u8>) -> Response {
            Response {
                status,
                content_type,
                body,
            }
        }

        pub fn write_to(&self, out: &mut impl Write, keep_alive: bool) -> io::Result<()> {
            let head = format!(
                "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: {}\r\n\r\n",
                self.status,
                reason(self.status),
                self.content_type,
                self.body.len(),
                if keep_alive { "keep-alive" } else { "close" },
            );
            out.write_all(head.as_bytes())?;
            out.write_all(&self.body)?;
            out.flush()
        }
    }

    fn reason(status: u16) -> &'static str {
        match status {
            200 => "OK",
            400 => "Bad Request",
            403 => "Forbidden",
            404 => "Not Found",
            409 => "Conflict",
            429 => "Too Many Requests",
            502 => "Bad Gateway",
            _ => "Unknown",
        }
    }

    fn invalid(what: impl Into<String>) -> io::Error {
        io::Error::new(io::ErrorKind::InvalidData, what.into())
    }

    /// Reads one line without its `\r\n`; `None` at end of stream.
    fn read_line(conn: &mut BufReader<TcpStream>) -> io::Result<Option<String>> {
        let mut line = Vec::new();
        let n = conn.by_ref().take(MAX_LINE).read_until(b'\n', &mut line)?;
        if n == 0 {
            return Ok(None);
        }
        if line.pop() != Some(b'\n') {
            return Err(if n as u64 >= MAX_LINE {
                invalid("line too long")
            } else {
                io::ErrorKind::UnexpectedEof.into()
            });
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        String::from_utf8(line)
            .map(Some)
            .map_err(|_| invalid("header is not UTF-8"))
    }

    fn require_line(conn: &mut BufReader<TcpStream>) -> io::Result<String> {
        read_line(conn)?.ok_or_else(|| io::ErrorKind::UnexpectedEof.into())
    }

    /// Reads the next request. `Ok(None)` when the client closed the connection between
    /// requests; `InvalidData` errors deserve a 400 answer.
    pub(crate) fn read_request(conn: &mut BufReader<TcpStream>) -> io::Result<Option<Request>> {
        // Tolerate empty lines before the request line (RFC 9112 section 2.2).
        let request_line = loop {
            match read_line(conn)? {
                None => return Ok(None),
                Some(line) if line.is_empty() => continue,
                Some(line) => break line,
            }
        };
        let mut parts = request_line.split_whitespace();
        let (Some(method), Some(target), Some(version), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(invalid(format!("bad request line {request_line:?}")));
        };
        let (path, query) = target.split_once('?').unwrap_or((target, ""));

        let mut headers = Vec::new();
        loop {
            let line = require_line(conn)?;
            if line.is_empty() {
                break;
            }
            if headers.len() == MAX_HEADERS {
                return Err(invalid("too many headers"));
            }
            let (name, value) = line
                .split_once(':')
                .ok_or_else(|| invalid(format!("bad header {line:?}")))?;
            headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
        }
        let mut request = Request {
            method: method.to_owned(),
            path: path.to_owned(),
            query: query.to_owned(),
            headers,
            body: Vec::new(),
            keep_alive: false,
        };
        let connection = request
            .header("connection")
            .unwrap_or_default()
            .to_ascii_lowercase();
        request.keep_alive = if version.eq_ignore_ascii_case("HTTP/1.0") {
            connection.contains("keep-alive")
        } else {
            !connection.contains("close")
        };

        if request
            .header("expect")
            .is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
        {
            conn.get_mut().write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
        }
        let chunked = request
            .header("transfer-encoding")
            .is_some_and(|te| te.to_ascii_lowercase().contains("chunked"));
        request.body = if chunked {
            read_chunked(conn)?
        } else if let Some(length) = request.header("content-length") {
            let length: usize = length
                .parse()
                .map_err(|_| invalid(format!("bad Content-Length {length:?}")))?;
            if length > MAX_BODY {
                return Err(invalid("body too large"));
            }
            let mut body = vec![0; length];
            conn.read_exact(&mut body)?;
            body
        } else {
            Vec::new()
        };
        Ok(Some(request))
    }

    /// Reads a `Transfer-Encoding: chunked` body, including any trailers.
    fn read_chunked(conn: &mut BufReader<TcpStream>) -> io::Result<Vec<u8>> {
        let mut body = Vec::new();
        loop {
            let line = require_line(conn)?;
            let size = line.split(';').next().unwrap_or_default().trim();
            let size = usize::from_str_radix(size, 16)
                .map_err(|_| invalid(format!("bad chunk size {line:?}")))?;
            if size == 0 {
                while !require_line(conn)?.is_empty() {}
                return Ok(body);
            }
            if body.len() + size > MAX_BODY {
                return Err(invalid("body too large"));
            }
            let start = body.len();
            body.resize(start + size, 0);
            conn.read_exact(&mut body[start..])?;
            if !require_line(conn)?.is_empty() {
                return Err(invalid("chunk not followed by CRLF"));
            }
        }
    }
}
