//! The HTTP/1.1 server under the webhook and the web page: hyper's connection handling with a
//! header-read timeout (which `axum::serve` lacks) and a cap on open connections.
//!
//! - A connection that has not sent a request's headers within
//!   [`ServeLimits::header_read_timeout`] (counted from when it opened, or from the end of its
//!   previous request) is closed without an answer.
//! - At most [`ServeLimits::max_connections`] are open at once; a connection beyond that closes
//!   one that is waiting for headers (idle, or stalled) to make room, and is itself closed at
//!   once only when every open connection has a request in progress.
//! - Each request carries `ConnectInfo<SocketAddr>`, the client's address, for axum handlers.

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::ConnectInfo;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::service::TowerToHyperService;
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinSet;

/// How long a connection may take to send a request's headers, or stay idle between requests,
/// before the server closes it. Telegram and proxies send their headers at once.
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// How many connections the server keeps open at once: room for Telegram's
/// webhook's `MAX_CONNECTIONS`, health checks and a proxy's spare connections.
pub const CONNECTION_LIMIT: usize = 256;

/// The server's limits on connections; the default is [`HEADER_READ_TIMEOUT`] and
/// [`CONNECTION_LIMIT`]. Tests shorten them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ServeLimits {
    /// A connection that has not sent a request's headers this long after it opened (or after
    /// its previous request) is closed without an answer.
    pub header_read_timeout: Duration,
    /// Connections open at once (at least 1). A new one beyond it closes a connection that is
    /// waiting for headers, or, when every connection has a request in progress, is closed.
    pub max_connections: usize,
}

impl Default for ServeLimits {
    fn default() -> Self {
        ServeLimits {
            header_read_timeout: HEADER_READ_TIMEOUT,
            max_connections: CONNECTION_LIMIT,
        }
    }
}

/// One open connection, as the accept loop sees it.
#[derive(Default)]
struct Slot {
    /// Requests being answered; a connection with none is waiting for headers.
    busy: AtomicUsize,
    /// Whether a request has come in on this connection yet.
    used: AtomicBool,
    /// Asks the connection to close once its request in progress (if any) is answered.
    close: Notify,
}

/// The open connections by the order they were accepted; a connection leaves when it closes,
/// or when it is asked to close to make room.
type Slots = Arc<Mutex<BTreeMap<u64, Arc<Slot>>>>;

fn lock_slots(slots: &Slots) -> std::sync::MutexGuard<'_, BTreeMap<u64, Arc<Slot>>> {
    slots.lock().unwrap_or_else(|e| e.into_inner())
}

/// Serves `app` over HTTP/1.1 on `tcp` within `limits` until `shutdown` completes; then stops
/// accepting, closes idle connections, and returns once the requests in flight were answered.
pub async fn serve(
    tcp: TcpListener,
    app: axum::Router,
    limits: ServeLimits,
    shutdown: impl Future<Output = ()> + Send + 'static,
) {
    let slots: Slots = Arc::default();
    let mut tasks = JoinSet::new();
    let mut next_id = 0u64;
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            Some(_) = tasks.join_next(), if !tasks.is_empty() => continue,
            accepted = tcp.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors, say: wait for connections to close.
                    tracing::warn!(error = %e, "HTTP server cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let slot = {
            let mut open = lock_slots(&slots);
            if open.len() >= limits.max_connections.max(1) {
                // Make room by closing the oldest connection that has no request in progress.
                let idle = open
                    .iter()
                    .find(|(_, slot)| slot.busy.load(Ordering::SeqCst) == 0)
                    .map(|(&id, _)| id);
                match idle.and_then(|id| open.remove(&id)) {
                    Some(evicted) => evicted.close.notify_one(),
                    None => {
                        tracing::debug!("every connection is busy; closing a new one");
                        drop(stream);
                        continue;
                    }
                }
            }
            let slot = Arc::new(Slot::default());
            open.insert(next_id, slot.clone());
            slot
        };
        tasks.spawn(serve_connection(
            stream,
            peer,
            app.clone(),
            limits.header_read_timeout,
            slot,
            Leave {
                slots: slots.clone(),
                id: next_id,
            },
        ));
        next_id += 1;
    }
    drop(tcp);
    for slot in lock_slots(&slots).values() {
        slot.close.notify_one();
    }
    while tasks.join_next().await.is_some() {}
}

/// Takes a connection out of the open ones when it ends, however it ends.
struct Leave {
    slots: Slots,
    id: u64,
}

impl Drop for Leave {
    fn drop(&mut self) {
        lock_slots(&self.slots).remove(&self.id);
    }
}

/// Counts a request in progress on its connection.
struct Busy(Arc<Slot>);

impl Busy {
    fn enter(slot: &Arc<Slot>) -> Busy {
        slot.busy.fetch_add(1, Ordering::SeqCst);
        slot.used.store(true, Ordering::SeqCst);
        Busy(slot.clone())
    }
}

impl Drop for Busy {
    fn drop(&mut self) {
        self.0.busy.fetch_sub(1, Ordering::SeqCst);
    }
}

async fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: axum::Router,
    header_read_timeout: Duration,
    slot: Arc<Slot>,
    _leave: Leave,
) {
    let app = TowerToHyperService::new(app);
    let counted = slot.clone();
    let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
        // What axum's `ConnectInfo` extractor reads: the client's address (for rate limits).
        request.extensions_mut().insert(ConnectInfo(peer));
        // Counted from the moment the headers are in, so the connection is not closed to make
        // room while its request is being read or answered.
        let busy = Busy::enter(&counted);
        let answer = hyper::service::Service::call(&app, request);
        async move {
            let response = answer.await;
            drop(busy);
            response
        }
    });
    let mut builder = hyper::server::conn::http1::Builder::new();
    builder
        .timer(TokioTimer::new())
        .header_read_timeout(header_read_timeout);
    let connection = builder.serve_connection(TokioIo::new(stream), service);
    tokio::pin!(connection);
    let result = tokio::select! {
        result = connection.as_mut() => result,
        () = slot.close.notified() => {
            if !slot.used.load(Ordering::SeqCst) {
                // No request yet, so nothing to finish: close now. (hyper's graceful shutdown
                // would wait for a first request, up to the header timeout.)
                return;
            }
            // Closes at once when idle between requests; otherwise after answering.
            connection.as_mut().graceful_shutdown();
            connection.await
        }
    };
    if let Err(e) = result {
        // Header timeouts and clients that went away: common, and not the server's fault.
        tracing::debug!(error = %e, "HTTP connection closed");
    }
}
