//! A deliberately small HTTP/1.1 server for `chainfix serve`: one request
//! per connection (`Connection: close`), a capped head and body, read and
//! write time limits, and the gates every request passes before it is
//! handled: the Host must be the address served (DNS rebinding), a POST
//! must come from the page's own origin, and every request but the static
//! script and style carries the token. std::net only: the whole protocol
//! surface is the ~150 lines below, which is easier to audit than a crate.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use zeroize::Zeroizing;

/// Limits and the identity a request must match.
#[derive(Clone, Debug)]
pub struct Gate {
    /// The Host header values accepted: `127.0.0.1:PORT`, `localhost:PORT`
    /// (or the --listen address).
    pub hosts: Vec<String>,
    /// The random token of the printed URL.
    pub token: String,
    pub max_body: usize,
    pub timeout: Duration,
}

pub const MAX_HEAD: usize = 16 * 1024;

/// A parsed request; the body is wiped when dropped.
pub struct Request {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: Zeroizing<Vec<u8>>,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// A query parameter's value (no percent-decoding: the token is hex).
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .split('&')
            .find_map(|kv| kv.strip_prefix(name)?.strip_prefix('='))
    }
}

/// A response; the body is wiped when dropped (it may hold a key).
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Zeroizing<Vec<u8>>,
}

impl Response {
    pub fn new(status: u16, content_type: &'static str, body: impl Into<Vec<u8>>) -> Response {
        Response {
            status,
            content_type,
            body: Zeroizing::new(body.into()),
        }
    }

    /// A refusal: status and one sentence of plain text.
    pub fn refuse(status: u16, why: &str) -> Response {
        Response::new(status, "text/plain; charset=utf-8", format!("{why}\n"))
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        411 => "Length Required",
        413 => "Content Too Large",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        _ => "Error",
    }
}

/// Reads one request, or the refusal to send instead.
pub fn read_request(stream: &TcpStream, gate: &Gate) -> Result<Request, Response> {
    let _ = stream.set_read_timeout(Some(gate.timeout));
    let mut r = BufReader::new(stream.take((MAX_HEAD + gate.max_body) as u64));
    let mut head = Vec::new();
    loop {
        let mut line = Vec::new();
        match r.read_until(b'\n', &mut line) {
            Ok(0) => return Err(Response::refuse(400, "incomplete request")),
            Ok(_) => {}
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut
                ) =>
            {
                return Err(Response::refuse(408, "the request took too long"));
            }
            Err(_) => return Err(Response::refuse(400, "unreadable request")),
        }
        if line == b"\r\n" || line == b"\n" {
            break;
        }
        head.extend_from_slice(&line);
        if head.len() > MAX_HEAD {
            return Err(Response::refuse(431, "request head too large"));
        }
    }
    let head =
        String::from_utf8(head).map_err(|_| Response::refuse(400, "request head is not UTF-8"))?;
    let mut lines = head.lines();
    let start = lines.next().unwrap_or_default();
    let mut parts = start.split(' ');
    let (Some(method), Some(target), Some(_version)) = (parts.next(), parts.next(), parts.next())
    else {
        return Err(Response::refuse(400, "malformed request line"));
    };
    let (path, query) = target.split_once('?').unwrap_or((target, ""));
    let mut headers = Vec::new();
    for l in lines {
        let Some((k, v)) = l.split_once(':') else {
            return Err(Response::refuse(400, "malformed header"));
        };
        headers.push((k.trim().to_string(), v.trim().to_string()));
        if headers.len() > 100 {
            return Err(Response::refuse(431, "too many headers"));
        }
    }
    let mut req = Request {
        method: method.to_string(),
        path: path.to_string(),
        query: query.to_string(),
        headers,
        body: Zeroizing::new(Vec::new()),
    };
    check(&req, gate)?;
    if req.header("transfer-encoding").is_some() {
        return Err(Response::refuse(411, "send a Content-Length, not chunks"));
    }
    let len = match req.header("content-length") {
        None => 0,
        Some(v) => v
            .parse::<usize>()
            .map_err(|_| Response::refuse(400, "bad Content-Length"))?,
    };
    if len > gate.max_body {
        return Err(Response::refuse(
            413,
            &format!("upload larger than {} bytes", gate.max_body),
        ));
    }
    req.body.resize(len, 0);
    if let Err(e) = r.read_exact(&mut req.body) {
        return Err(match e.kind() {
            std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut => {
                Response::refuse(408, "the upload took too long")
            }
            _ => Response::refuse(400, "incomplete body"),
        });
    }
    Ok(req)
}

/// The gates: Host, origin, token.
fn check(req: &Request, gate: &Gate) -> Result<(), Response> {
    let host = req.header("host").unwrap_or_default();
    if !gate.hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        return Err(Response::refuse(
            421,
            "this server answers only to the address it printed (Host header refused)",
        ));
    }
    if req.method != "GET" && req.method != "HEAD" {
        let same = |o: &str| gate.hosts.iter().any(|h| o == format!("http://{h}"));
        let origin_ok = req.header("origin").is_none_or(same);
        let site_ok = req
            .header("sec-fetch-site")
            .is_none_or(|s| s == "same-origin" || s == "none");
        if !origin_ok || !site_ok {
            return Err(Response::refuse(403, "cross-origin request refused"));
        }
    }
    let public = matches!(req.path.as_str(), "/app.js" | "/app.css" | "/favicon.ico");
    let token = req
        .header("x-chainfix-token")
        .or_else(|| req.param("t"))
        .unwrap_or_default();
    if !public && !constant_time_eq(token.as_bytes(), gate.token.as_bytes()) {
        return Err(Response::refuse(
            401,
            "missing or wrong token: open the exact URL chainfix serve printed",
        ));
    }
    Ok(())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Writes `resp` with the headers that keep the page to itself.
pub fn write_response(mut stream: &TcpStream, resp: &Response, timeout: Duration) {
    let _ = stream.set_write_timeout(Some(timeout));
    let head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\nCache-Control: no-store\r\nX-Content-Type-Options: nosniff\r\nReferrer-Policy: no-referrer\r\nX-Frame-Options: DENY\r\nContent-Security-Policy: default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'\r\n\r\n",
        resp.status,
        reason(resp.status),
        resp.content_type,
        resp.body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&resp.body);
    let _ = stream.flush();
}
