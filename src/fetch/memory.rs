//! A fetcher backed by a map, for tests: no sockets, counts its calls.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{Fetch, FetchError, Response, check_scheme};

#[derive(Default)]
pub struct MemoryFetcher {
    map: HashMap<String, Result<Response, FetchError>>,
    /// Answers to POSTs, by URL.
    posts: HashMap<String, Result<Response, FetchError>>,
    log: Mutex<Vec<String>>,
}

impl MemoryFetcher {
    pub fn new() -> MemoryFetcher {
        MemoryFetcher::default()
    }
    /// Serves `body` with `status` at `url`.
    pub fn with(mut self, url: &str, status: u16, body: Vec<u8>) -> MemoryFetcher {
        self.map.insert(url.to_string(), Ok(answer(status, body)));
        self
    }
    /// Answers a POST to `url` with `status` and `body`.
    pub fn with_post(mut self, url: &str, status: u16, body: Vec<u8>) -> MemoryFetcher {
        self.posts.insert(url.to_string(), Ok(answer(status, body)));
        self
    }
    /// Fails `url` with `err`.
    pub fn failing(mut self, url: &str, err: FetchError) -> MemoryFetcher {
        self.map.insert(url.to_string(), Err(err));
        self
    }
    /// How many fetches were made.
    pub fn calls(&self) -> usize {
        self.log.lock().expect("not poisoned").len()
    }
    /// The URLs fetched, in order (a POST as `POST <url>`).
    pub fn urls(&self) -> Vec<String> {
        self.log.lock().expect("not poisoned").clone()
    }
}

impl Fetch for MemoryFetcher {
    fn fetch(&self, url: &str) -> Result<Response, FetchError> {
        check_scheme(url)?;
        self.log.lock().expect("not poisoned").push(url.to_string());
        match self.map.get(url) {
            Some(r) => r.clone(),
            None => Ok(answer(404, Vec::new())),
        }
    }

    fn post(&self, url: &str, _content_type: &str, _body: &[u8]) -> Result<Response, FetchError> {
        check_scheme(url)?;
        self.log
            .lock()
            .expect("not poisoned")
            .push(format!("POST {url}"));
        self.posts
            .get(url)
            .cloned()
            .unwrap_or_else(|| Ok(answer(404, Vec::new())))
    }
}

fn answer(status: u16, body: Vec<u8>) -> Response {
    Response {
        status,
        body,
        from_cache: false,
    }
}
