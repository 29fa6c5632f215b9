//! A tiny HTTP/1.1 server for the tests, on 127.0.0.1 only: std
//! TcpListener, one thread per connection (at most 32 at once), every
//! response bounded in time and size, stopped when dropped.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// What a path serves.
#[derive(Clone)]
pub enum Route {
    /// 200 with this body and content type.
    Body(&'static str, Vec<u8>),
    /// This status, empty body.
    Status(u16),
    /// Waits this long before answering with the body (checks stop often).
    Slow(Duration, Vec<u8>),
    /// 200, no Content-Length, bytes until the client hangs up (capped at 256 MiB).
    Endless,
    /// 302 to this path.
    Redirect(String),
    /// 307 to this path (a POST is re-sent).
    Redirect307(String),
    /// Relays the request, without the route's prefix ("/o/*" sends
    /// "/o/x" as "/x"), to a server on 127.0.0.1 at this port (an
    /// `openssl ocsp` responder) and its answer back. With `get` false a
    /// GET is answered 405 Method Not Allowed instead: a POST-only
    /// responder.
    Forward { port: u16, get: bool },
    /// Answers with the body only once this many `Together` requests are in
    /// flight at the same moment; a request left alone for 500 ms (less than
    /// the tests' client timeout) gives up with 503 and stops counting, so
    /// requests made one after the other never meet. Proves concurrency
    /// without timing the client.
    Together(usize, Vec<u8>),
}

struct Shared {
    routes: Mutex<HashMap<String, Route>>,
    hits: Mutex<Vec<String>>,
    methods: Mutex<Vec<(String, String)>>,
    stop: AtomicBool,
    live: AtomicUsize,
    together: AtomicUsize,
}

pub struct Server {
    pub port: u16,
    shared: Arc<Shared>,
    accept: Option<JoinHandle<()>>,
}

impl Server {
    pub fn start() -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        let shared = Arc::new(Shared {
            routes: Mutex::new(HashMap::new()),
            hits: Mutex::new(Vec::new()),
            methods: Mutex::new(Vec::new()),
            stop: AtomicBool::new(false),
            live: AtomicUsize::new(0),
            together: AtomicUsize::new(0),
        });
        let sh = shared.clone();
        let accept = std::thread::spawn(move || {
            for conn in listener.incoming() {
                if sh.stop.load(Ordering::SeqCst) {
                    break;
                }
                let Ok(stream) = conn else { continue };
                if sh.live.load(Ordering::SeqCst) >= 32 {
                    continue; // dropped: bounded
                }
                sh.live.fetch_add(1, Ordering::SeqCst);
                let sh2 = sh.clone();
                std::thread::spawn(move || {
                    let _ = serve(stream, &sh2);
                    sh2.live.fetch_sub(1, Ordering::SeqCst);
                });
            }
        });
        Server {
            port,
            shared,
            accept: Some(accept),
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn set(&self, path: &str, route: Route) {
        self.shared
            .routes
            .lock()
            .unwrap()
            .insert(path.to_string(), route);
    }

    /// Paths requested so far, in order.
    pub fn hits(&self) -> Vec<String> {
        self.shared.hits.lock().unwrap().clone()
    }

    /// (method, path) of each request so far, in order.
    pub fn requests(&self) -> Vec<(String, String)> {
        self.shared.methods.lock().unwrap().clone()
    }

    /// Stops accepting and waits for the accept loop to end.
    pub fn stop(&mut self) {
        self.shared.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(("127.0.0.1", self.port));
        if let Some(h) = self.accept.take() {
            let _ = h.join();
        }
        let t = Instant::now();
        while self.shared.live.load(Ordering::SeqCst) > 0 && t.elapsed() < Duration::from_secs(5) {
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop();
    }
}

fn serve(mut s: TcpStream, sh: &Shared) -> std::io::Result<()> {
    s.set_read_timeout(Some(Duration::from_secs(5)))?;
    s.set_write_timeout(Some(Duration::from_secs(5)))?;
    let mut head = Vec::new();
    let mut buf = [0u8; 1024];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = s.read(&mut buf)?;
        if n == 0 || head.len() > 8192 {
            return Ok(());
        }
        head.extend_from_slice(&buf[..n]);
    }
    let end = head.windows(4).position(|w| w == b"\r\n\r\n").unwrap() + 4;
    let mut body = head.split_off(end);
    let line = String::from_utf8_lossy(&head).into_owned();
    let method = line.split_whitespace().next().unwrap_or("GET").to_string();
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    // The whole body (a POST's), so that no unread byte resets the socket.
    let want = line
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-length")
                .then(|| v.trim().parse::<usize>().ok())?
        })
        .unwrap_or(0)
        .min(1 << 20);
    while body.len() < want {
        let n = s.read(&mut buf)?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&buf[..n]);
    }
    sh.hits.lock().unwrap().push(path.clone());
    sh.methods
        .lock()
        .unwrap()
        .push((method.clone(), path.clone()));
    // An exact route, else a prefix route ("/ocsp/*" serves "/ocsp/<anything>").
    let (route, prefix) = {
        let r = sh.routes.lock().unwrap();
        match r.get(&path) {
            Some(v) => (Some(v.clone()), String::new()),
            None => r
                .iter()
                .find(|(k, _)| k.ends_with("/*") && path.starts_with(&k[..k.len() - 1]))
                .map(|(k, v)| (Some(v.clone()), k[..k.len() - 2].to_string()))
                .unwrap_or((None, String::new())),
        }
    };
    let ok = |s: &mut TcpStream, ctype: &str, body: &[u8]| -> std::io::Result<()> {
        write!(
            s,
            "HTTP/1.1 200 OK\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )?;
        s.write_all(body)
    };
    match route {
        None => write!(
            s,
            "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        Some(Route::Body(ctype, body)) => ok(&mut s, ctype, &body),
        Some(Route::Status(code)) => write!(
            s,
            "HTTP/1.1 {code} Status\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        Some(Route::Together(n, body)) => {
            sh.together.fetch_add(1, Ordering::SeqCst);
            let t = Instant::now();
            while sh.together.load(Ordering::SeqCst) < n {
                if sh.stop.load(Ordering::SeqCst) || t.elapsed() > Duration::from_millis(500) {
                    sh.together.fetch_sub(1, Ordering::SeqCst);
                    return write!(
                        s,
                        "HTTP/1.1 503 Alone\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    );
                }
                std::thread::sleep(Duration::from_millis(10));
            }
            ok(&mut s, "application/pkix-cert", &body)
        }
        Some(Route::Slow(wait, body)) => {
            let t = Instant::now();
            while t.elapsed() < wait {
                if sh.stop.load(Ordering::SeqCst) {
                    return Ok(());
                }
                std::thread::sleep(Duration::from_millis(20));
            }
            ok(&mut s, "application/pkix-cert", &body)
        }
        Some(Route::Endless) => {
            write!(
                s,
                "HTTP/1.1 200 OK\r\nContent-Type: application/pkix-cert\r\nConnection: close\r\n\r\n"
            )?;
            let chunk = vec![b'A'; 64 * 1024];
            for _ in 0..4096 {
                if sh.stop.load(Ordering::SeqCst) {
                    break;
                }
                s.write_all(&chunk)?;
            }
            Ok(())
        }
        Some(Route::Redirect(to)) => write!(
            s,
            "HTTP/1.1 302 Found\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        Some(Route::Redirect307(to)) => write!(
            s,
            "HTTP/1.1 307 Temporary Redirect\r\nLocation: {to}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        Some(Route::Forward { get: false, .. }) if method == "GET" => write!(
            s,
            "HTTP/1.1 405 Method Not Allowed\r\nAllow: POST\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
        ),
        Some(Route::Forward { port, .. }) => {
            let rest = &path[prefix.len()..];
            let rest = if rest.is_empty() { "/" } else { rest };
            let mut up = TcpStream::connect(("127.0.0.1", port))?;
            up.set_read_timeout(Some(Duration::from_secs(5)))?;
            write!(
                up,
                "{method} {rest} HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: application/ocsp-request\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            up.write_all(&body)?;
            let mut answer = Vec::new();
            up.take(1 << 20).read_to_end(&mut answer)?;
            s.write_all(&answer)
        }
    }
}
