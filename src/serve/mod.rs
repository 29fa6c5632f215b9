//! `chainfix serve`: the page for people who fix certificates without a
//! terminal. [`http`] is the small, gated HTTP server; [`api`] judges the
//! uploaded files with the CLI's own functions. The page (HTML, CSS,
//! script) is compiled into the binary: it works offline, with no CDN.

pub mod api;
pub mod http;

use std::net::{TcpListener, TcpStream};

use http::{Gate, Request, Response};

const PAGE: &str = include_str!("page/index.html");
const SCRIPT: &str = include_str!("page/app.js");
const STYLE: &str = include_str!("page/app.css");

/// A fresh random token (128 bits, hex).
pub fn token() -> String {
    let mut b = [0u8; 16];
    ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut b)
        .expect("the system RNG works");
    hex::encode(b)
}

/// Serves until the process ends, one connection at a time (a local page
/// for one person; the time limits keep a stuck client from holding it).
pub fn run(listener: TcpListener, gate: &Gate) {
    for stream in listener.incoming().flatten() {
        handle(stream, gate);
    }
}

fn handle(stream: TcpStream, gate: &Gate) {
    let resp = match http::read_request(&stream, gate) {
        Ok(req) => route(&req),
        Err(refusal) => refusal,
    };
    http::write_response(&stream, &resp, gate.timeout);
    // req (with its body) and resp are dropped, and wiped, here.
}

fn route(req: &Request) -> Response {
    match (req.method.as_str(), req.path.as_str()) {
        ("GET", "/") => Response::new(200, "text/html; charset=utf-8", PAGE),
        ("GET", "/app.js") => Response::new(200, "text/javascript; charset=utf-8", SCRIPT),
        ("GET", "/app.css") => Response::new(200, "text/css; charset=utf-8", STYLE),
        ("POST", "/api/check") => check(req),
        (_, "/" | "/api/check" | "/app.js" | "/app.css") => {
            Response::refuse(405, "method not allowed")
        }
        _ => Response::refuse(404, "not found"),
    }
}

fn check(req: &Request) -> Response {
    if !req
        .header("content-type")
        .is_some_and(|c| c.starts_with("application/json"))
    {
        return Response::refuse(400, "send the files as application/json");
    }
    let parsed: api::CheckRequest = match serde_json::from_slice(&req.body) {
        Ok(r) => r,
        Err(e) => return Response::refuse(400, &format!("bad request: {e}")),
    };
    let out = api::check(&parsed);
    Response::new(
        200,
        "application/json",
        serde_json::to_vec(&out).expect("response serialises"),
    )
}
