//! OCSP (RFC 6960) for one certificate: a request for its CertID (SHA-1,
//! as every responder understands) with a nonce, sent to the
//! authorityInfoAccess OCSP URL by GET when the whole GET URL is at most
//! 255 bytes (RFC 5019 §5: the base64 request in the URL) and by POST
//! otherwise (RFC 6960 §A.1, `application/ocsp-request`); a responder
//! that refuses the GET (405, or any other HTTP error) is asked again by
//! POST. The response's signature is checked against the issuer or a
//! responder it delegated to (issued by it, extendedKeyUsage OCSPSigning),
//! the CertID matched, the thisUpdate/nextUpdate window checked at the
//! validation time, and the nonce compared when the responder echoes it.
//! Good and revoked answers are cached by responder and CertID until their
//! nextUpdate (see [`check`]).

use x509_parser::prelude::*;

use super::crl::Reason;
use super::dp::{der_len, items, tlv};
use super::fetch::{Fetched, Sources, budget_spent};
use super::{Cause, Status};
use crate::chain::names::dir_of;
use crate::chain::signature::{verify_issued_by, verify_signed};
use crate::fetch::cache::CachingFetcher;
use crate::fetch::{FetchError, NoNetwork};
use crate::model::Cert;

/// RFC 5019 §5: a request whose GET URL (scheme, host, path and the
/// encoded request) is at most this long goes by GET, a longer one by POST.
pub const MAX_GET_URL: usize = 255;

/// How long an answer without nextUpdate is kept in the cache, in seconds:
/// such a responder says newer information is always available, so it is
/// reused only for a short while.
pub const NO_NEXT_UPDATE_TTL: i64 = 15 * 60;

/// The media type of a POSTed request (RFC 6960 §A.1).
pub const REQUEST_TYPE: &str = "application/ocsp-request";

/// id-pkix-ocsp-nocheck (RFC 6960 §4.2.2.2.1).
const NOCHECK_OID: &str = "1.3.6.1.5.5.7.48.1.5";

/// The delegated responder certificate that signed an answer.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Responder {
    pub subject: String,
    /// It carries id-pkix-ocsp-nocheck: the CA says it needs no revocation
    /// check. Without it, RFC 6960 §4.2.2.2.1 leaves the check to the
    /// client; chainfix does not make it (nor does `openssl ocsp`), and
    /// says so.
    pub nocheck: bool,
}

impl Responder {
    /// The sentence for a responder whose own status was not checked.
    pub fn unchecked_note(&self) -> String {
        format!(
            "the OCSP responder certificate \"{}\" has no id-pkix-ocsp-nocheck extension, and its own revocation status was not checked (RFC 6960 §4.2.2.2.1; openssl ocsp does not check it either)",
            self.subject
        )
    }
}

/// What a response says, with what the cache and the report need.
pub struct Judged {
    pub status: Status,
    pub next_update: Option<i64>,
    /// Set when a delegated responder (not the CA itself) signed it.
    pub responder: Option<Responder>,
}

const SHA1_ALG: &[u8] = &[
    0x30, 0x09, 0x06, 0x05, 0x2b, 0x0e, 0x03, 0x02, 0x1a, 0x05, 0x00,
];
const NONCE_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x02];
const BASIC_OID: &[u8] = &[0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x01, 0x01];

fn enc(tag: u8, content: &[u8]) -> Vec<u8> {
    let mut v = vec![tag];
    v.extend(der_len(content.len()));
    v.extend_from_slice(content);
    v
}

fn sha1(b: &[u8]) -> Vec<u8> {
    ring::digest::digest(&ring::digest::SHA1_FOR_LEGACY_USE_ONLY, b)
        .as_ref()
        .to_vec()
}

/// The CertID content (hash algorithm, issuer name hash, issuer key hash,
/// serial) of `cert` issued by `issuer`.
fn cert_id(cert: &Cert, issuer: &Cert) -> Vec<u8> {
    let i = issuer.parsed();
    let mut c = SHA1_ALG.to_vec();
    c.extend(enc(0x04, &sha1(cert.issuer_raw())));
    c.extend(enc(0x04, &sha1(&i.public_key().subject_public_key.data)));
    c.extend(enc(0x02, cert.parsed().raw_serial()));
    c
}

/// A DER OCSPRequest for `cert` with `nonce`.
pub fn request(cert: &Cert, issuer: &Cert, nonce: &[u8]) -> Vec<u8> {
    let req = enc(0x30, &enc(0x30, &cert_id(cert, issuer)));
    let list = enc(0x30, &req);
    let ext = enc(
        0x30,
        &[enc(0x06, NONCE_OID), enc(0x04, &enc(0x04, nonce))].concat(),
    );
    let exts = enc(0xa2, &enc(0x30, &ext));
    enc(0x30, &enc(0x30, &[list, exts].concat()))
}

/// The GET URL for `der` at responder `base` (RFC 6960 appendix A.1).
pub fn get_url(base: &str, der: &[u8]) -> String {
    use base64::Engine;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut enc = String::new();
    for ch in b64.chars() {
        match ch {
            '+' => enc.push_str("%2B"),
            '/' => enc.push_str("%2F"),
            '=' => enc.push_str("%3D"),
            c => enc.push(c),
        }
    }
    format!("{}/{enc}", base.trim_end_matches('/'))
}

fn time_of(t: u8, c: &[u8]) -> Option<i64> {
    if t != 0x18 {
        return None;
    }
    let s = std::str::from_utf8(c).ok()?;
    let s = s.trim_end_matches('Z');
    let s = s.split('.').next()?;
    if s.len() != 14 {
        return None;
    }
    let n = |a: usize, b: usize| s[a..b].parse::<u32>().ok();
    let date = ::time::Date::from_calendar_date(
        n(0, 4)? as i32,
        ::time::Month::try_from(n(4, 6)? as u8).ok()?,
        n(6, 8)? as u8,
    )
    .ok()?;
    let t = ::time::Time::from_hms(n(8, 10)? as u8, n(10, 12)? as u8, n(12, 14)? as u8).ok()?;
    Some(
        ::time::PrimitiveDateTime::new(date, t)
            .assume_utc()
            .unix_timestamp(),
    )
}

/// Judges an OCSPResponse for `cert` issued by `issuer` at time `at`.
pub fn judge(
    body: &[u8],
    cert: &Cert,
    issuer: &Cert,
    nonce: Option<&[u8]>,
    at: i64,
    source: &str,
) -> Result<Judged, String> {
    let bad = |w: &str| format!("the OCSP response from {source} {w}");
    let (t, resp, _) = tlv(body).ok_or_else(|| bad("is not DER"))?;
    if t != 0x30 {
        return Err(bad("is not an OCSP response"));
    }
    let parts = items(resp).ok_or_else(|| bad("is not DER"))?;
    let status = parts
        .first()
        .filter(|p| p.0 == 0x0a)
        .and_then(|p| p.1.first().copied())
        .ok_or_else(|| bad("has no status"))?;
    if status != 0 {
        let what = match status {
            1 => "malformedRequest",
            2 => "internalError",
            3 => "tryLater",
            5 => "sigRequired",
            6 => "unauthorized",
            _ => "an unknown status",
        };
        return Err(bad(&format!("says {what}")));
    }
    let rb = parts
        .iter()
        .find(|p| p.0 == 0xa0)
        .ok_or_else(|| bad("has no responseBytes"))?;
    let (_, rb, _) = tlv(rb.1).ok_or_else(|| bad("is malformed"))?;
    let rb = items(rb).ok_or_else(|| bad("is malformed"))?;
    if rb.first().map(|p| p.1) != Some(BASIC_OID) {
        return Err(bad("is not a basic OCSP response"));
    }
    let basic = rb
        .get(1)
        .filter(|p| p.0 == 0x04)
        .ok_or_else(|| bad("is malformed"))?
        .1;
    let (_, b, _) = tlv(basic).ok_or_else(|| bad("is malformed"))?;
    // tbsResponseData as raw TLV (the signed bytes).
    let (_, tbs_content, rest) = tlv(b).ok_or_else(|| bad("is malformed"))?;
    let tbs_raw = &b[..b.len() - rest.len()];
    let (alg, rest) = AlgorithmIdentifier::from_der(rest)
        .map(|(r, a)| (a, r))
        .map_err(|_| bad("has an unreadable signature algorithm"))?;
    let (t, sig, rest) = tlv(rest).ok_or_else(|| bad("is malformed"))?;
    if t != 0x03 || sig.is_empty() {
        return Err(bad("has no signature"));
    }
    let sig = &sig[1..];
    let mut certs: Vec<Cert> = Vec::new();
    if let Some((0xa0, c, _)) = tlv(rest) {
        let (_, seq, _) = tlv(c).ok_or_else(|| bad("is malformed"))?;
        let mut r = seq;
        while let Some((_, _, next)) = tlv(r) {
            let der = &r[..r.len() - next.len()];
            if let Ok(c) = Cert::from_der(der.to_vec(), crate::model::Origin::file(source)) {
                certs.push(c);
            }
            r = next;
        }
    }
    let tbs = items(tbs_content).ok_or_else(|| bad("is malformed"))?;
    let mut k = 0;
    if tbs.first().is_some_and(|p| p.0 == 0xa0) {
        k += 1; // version
    }
    let responder = tbs.get(k).ok_or_else(|| bad("has no responderID"))?;
    let responses = tbs
        .get(k + 2)
        .filter(|p| p.0 == 0x30)
        .ok_or_else(|| bad("has no responses"))?
        .1;
    let response_exts = tbs.get(k + 3).filter(|p| p.0 == 0xa1);
    // The signer: the issuer, or a delegated responder it issued.
    let names_responder = |c: &Cert| match responder.0 {
        0xa1 => X509Name::from_der(responder.1)
            .is_ok_and(|(_, n)| dir_of(&n) == dir_of(c.parsed().subject())),
        0xa2 => {
            tlv(responder.1).map(|x| x.1.to_vec())
                == Some(sha1(&c.parsed().public_key().subject_public_key.data))
        }
        _ => false,
    };
    let mut signer_ok = false;
    let mut responder = None;
    let mut why = bad("is signed by neither the issuer nor a responder it authorised");
    let mut cands: Vec<&Cert> = vec![issuer];
    cands.extend(certs.iter());
    for c in cands {
        if !names_responder(c) {
            continue;
        }
        if verify_signed(c.parsed().public_key(), &alg, tbs_raw, sig).is_err() {
            why = bad("has a signature that does not verify");
            continue;
        }
        let delegated = c.spki_raw() != issuer.spki_raw();
        if delegated {
            let eku_ok = c
                .parsed()
                .extended_key_usage()
                .ok()
                .flatten()
                .is_some_and(|e| e.value.ocsp_signing);
            if verify_issued_by(c, issuer).is_err() || !eku_ok {
                why = bad(
                    "is signed by a responder the issuer did not authorise (issued by it, with extendedKeyUsage OCSPSigning)",
                );
                continue;
            }
            if at < c.not_before() || at > c.not_after() {
                why = bad("is signed by a responder certificate outside its validity");
                continue;
            }
            responder = Some(Responder {
                subject: c.subject().to_string(),
                nocheck: c
                    .parsed()
                    .extensions()
                    .iter()
                    .any(|e| e.oid.to_id_string() == NOCHECK_OID),
            });
        }
        signer_ok = true;
        break;
    }
    if !signer_ok {
        return Err(why);
    }
    // The response's nonce, when it sends one, must be ours.
    if let (Some(ext), Some(nonce)) = (response_exts, nonce) {
        let want = enc(0x04, nonce);
        let exts = tlv(ext.1)
            .and_then(|(_, c, _)| items(c))
            .unwrap_or_default();
        for (_, e) in exts {
            let f = items(e).unwrap_or_default();
            if f.first().map(|x| x.1) == Some(NONCE_OID) {
                let v = f.last().map(|x| x.1).unwrap_or_default();
                if v != want.as_slice() && v != nonce {
                    return Err(bad("carries another request's nonce (a replay?)"));
                }
            }
        }
    }
    let want_id = cert_id(cert, issuer);
    for (_, single) in items(responses).ok_or_else(|| bad("is malformed"))? {
        let f = items(single).ok_or_else(|| bad("is malformed"))?;
        if f.first().map(|x| x.1) != Some(want_id.as_slice()) {
            continue;
        }
        let (st, stc) = *f.get(1).ok_or_else(|| bad("is malformed"))?;
        let this = f
            .get(2)
            .and_then(|x| time_of(x.0, x.1))
            .ok_or_else(|| bad("has no thisUpdate"))?;
        let next = f
            .iter()
            .skip(3)
            .find(|x| x.0 == 0xa0)
            .and_then(|x| tlv(x.1))
            .and_then(|(t, c, _)| time_of(t, c));
        if this > at + 300 {
            return Err(bad(
                "is not valid yet (thisUpdate after the validation time)",
            ));
        }
        let judged = |status| Judged {
            status,
            next_update: next,
            responder: responder.clone(),
        };
        if next.is_some_and(|n| n < at) {
            return Ok(judged(Status::CouldNotCheck {
                cause: Cause::Stale,
                why: bad("is stale (nextUpdate before the validation time)"),
            }));
        }
        return Ok(judged(match st {
            0x80 => Status::Good {
                source: source.to_string(),
            },
            0xa1 => {
                let g = items(stc).unwrap_or_default();
                let when = g
                    .first()
                    .and_then(|x| time_of(x.0, x.1))
                    .unwrap_or_default();
                let reason = g
                    .iter()
                    .find(|x| x.0 == 0xa0)
                    .and_then(|x| tlv(x.1))
                    .and_then(|(_, c, _)| c.first().copied())
                    .map(Reason::from_code);
                Status::Revoked {
                    at: when,
                    reason,
                    source: source.to_string(),
                }
            }
            _ => Status::Unknown {
                source: source.to_string(),
            },
        }));
    }
    Err(bad(
        "does not answer for this certificate (no matching CertID)",
    ))
}

/// The cache key of `cert`'s answer from responder `url`: the responder
/// and the CertID (hash algorithm, issuer name and key hashes, serial).
fn cache_key(url: &str, id: &[u8]) -> String {
    format!("ocsp:{url}#certid={}", hex::encode(id))
}

/// True when a clear answer (good or revoked) may be cached or reused.
fn clear(s: &Status) -> bool {
    matches!(s, Status::Good { .. } | Status::Revoked { .. })
}

/// Asks `cert`'s OCSP responders about it; the first clear answer wins.
/// Each request (and each cache hit) is recorded in `log`, and the network
/// requests count in `src`'s budget with the CRL fetches before them.
///
/// The cache (`<cache_dir>/ocsp`) keeps good and revoked answers, never
/// unknown ones or errors, until the answer's nextUpdate (or
/// [`NO_NEXT_UPDATE_TTL`] after it was fetched when it has none); offline,
/// it is the only source. A request carries a nonce and its answer is
/// cached all the same: the nonce proved that the answer was fresh when it
/// arrived, and a reuse is judged again in full (signature, signer,
/// CertID, dates at `--at`) but without the nonce, exactly as a nonce-less
/// answer (RFC 5019 §4, pre-produced responses) would be: what a reuse
/// risks is bounded by the nextUpdate the responder itself set.
pub fn check(
    cert: &Cert,
    issuer: &Cert,
    src: &Sources<'_>,
    at: i64,
    log: &mut Vec<Fetched>,
) -> Status {
    let urls: Vec<String> = cert
        .ocsp_urls()
        .into_iter()
        .filter(|u| crate::fetch::check_scheme(u).is_ok())
        .collect();
    if urls.is_empty() {
        return Status::CouldNotCheck {
            cause: Cause::NoSource,
            why: "it names no OCSP responder".into(),
        };
    }
    let id = cert_id(cert, issuer);
    let cache = src
        .cache_dir
        .as_ref()
        .map(|d| CachingFetcher::<NoNetwork>::new(d.join("ocsp"), None, src.now));
    if let Some(c) = &cache {
        for u in &urls {
            let Some(e) = c.read(&cache_key(u, &id)) else {
                continue;
            };
            let Ok(j) = judge(&e.body, cert, issuer, None, at, u) else {
                continue;
            };
            let current = match j.next_update {
                Some(n) => src.now <= n,
                None => (0..NO_NEXT_UPDATE_TTL).contains(&(src.now - e.fetched_at)),
            };
            if current && clear(&j.status) {
                let mut f = Fetched::ok(u, "ocsp", None);
                f.responder = j.responder;
                log.push(f);
                return j.status;
            }
        }
    }
    let Some(net) = src.network else {
        for u in &urls {
            log.push(Fetched::failed(
                u,
                "ocsp",
                None,
                FetchError::NotCached.to_string(),
            ));
        }
        return Status::CouldNotCheck {
            cause: Cause::NoSource,
            why: "no current OCSP answer is cached, and --offline forbids asking the responder"
                .into(),
        };
    };
    let mut nonce = [0u8; 16];
    let _ = ring::rand::SecureRandom::fill(&ring::rand::SystemRandom::new(), &mut nonce);
    let der = request(cert, issuer, &nonce);
    let mut last = Status::CouldNotCheck {
        cause: Cause::NoSource,
        why: String::new(),
    };
    for u in urls {
        let get = get_url(&u, &der);
        let methods: &[&'static str] = if get.len() <= MAX_GET_URL {
            &["GET", "POST"]
        } else {
            &["POST"]
        };
        let mut refused_get = None;
        for &method in methods {
            if log.iter().filter(|f| f.used_network()).count() >= src.max_fetches {
                log.push(Fetched::failed(
                    &u,
                    "ocsp",
                    None,
                    budget_spent(src.max_fetches),
                ));
                last = Status::CouldNotCheck {
                    cause: Cause::Unreachable,
                    why: format!("{u}: {}", budget_spent(src.max_fetches)),
                };
                break;
            }
            let sent = if method == "GET" {
                net.fetch(&get)
            } else {
                net.post(&u, REQUEST_TYPE, &der)
            };
            let r = match sent {
                Ok(r) => r,
                // Not retried by POST: the responder is not there, or is
                // too slow, and a second try would double the wait.
                Err(e) => {
                    log.push(Fetched::failed(&u, "ocsp", Some(method), e.to_string()));
                    last = Status::CouldNotCheck {
                        cause: Cause::Unreachable,
                        why: format!("{u}: {e} ({method})"),
                    };
                    break;
                }
            };
            if r.status != 200 {
                let err = format!("HTTP {}", r.status);
                log.push(Fetched::failed(&u, "ocsp", Some(method), err.clone()));
                last = Status::CouldNotCheck {
                    cause: Cause::Unreachable,
                    why: match &refused_get {
                        Some(g) => format!("{u}: {err} to a POST, after {g} to a GET"),
                        None => format!("{u}: {err} ({method})"),
                    },
                };
                // A GET refused (405 Method Not Allowed, 400, 404, …): the
                // responder may take only POSTs, which is the next method.
                refused_get = Some(err);
                continue;
            }
            match judge(&r.body, cert, issuer, Some(&nonce), at, &u) {
                Ok(j) => {
                    let mut f = Fetched::ok(&u, "ocsp", Some(method));
                    f.responder = j.responder;
                    log.push(f);
                    if clear(&j.status) {
                        if let Some(c) = &cache {
                            let _ = c.write(&cache_key(&u, &id), 200, &r.body);
                        }
                        return j.status;
                    }
                    last = j.status;
                }
                Err(e) => {
                    log.push(Fetched::failed(&u, "ocsp", Some(method), e.clone()));
                    last = Status::CouldNotCheck {
                        cause: Cause::BadCrl,
                        why: e,
                    };
                }
            }
            break;
        }
    }
    last
}

/// Judges the OCSP response a TLS server stapled for `chain[0]` (its
/// issuer is the next certificate sent); None when nothing was stapled.
pub fn stapled(body: &[u8], chain: &[Cert], at: i64) -> Option<Status> {
    stapled_judged(body, chain, at).map(|(status, _)| status)
}

/// [`stapled`], with the delegated responder that signed the response
/// (None when the CA signed it, or it could not be judged).
pub fn stapled_judged(body: &[u8], chain: &[Cert], at: i64) -> Option<(Status, Option<Responder>)> {
    if body.is_empty() {
        return None;
    }
    let source = "the stapled response";
    Some(match chain {
        [leaf, issuer, ..] => match judge(body, leaf, issuer, None, at, source) {
            Ok(j) => (j.status, j.responder),
            Err(e) => (
                Status::CouldNotCheck {
                    cause: Cause::BadCrl,
                    why: e,
                },
                None,
            ),
        },
        _ => (
            Status::CouldNotCheck {
                cause: Cause::NoSource,
                why: "the server sent no issuer to check the stapled response against".into(),
            },
            None,
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fetch::memory::MemoryFetcher;
    use crate::model::Origin;
    use rcgen::{BasicConstraints, CertificateParams, CustomExtension, DnType, IsCa, Issuer};

    /// A leaf naming `url` as its OCSP responder, and its CA.
    fn pair(url: &str) -> (Cert, Cert) {
        let key = || rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let (ck, lk) = (key(), key());
        let mut cp = CertificateParams::new(Vec::<String>::new()).unwrap();
        cp.distinguished_name.push(DnType::CommonName, "CA");
        cp.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        let ca = cp.self_signed(&ck).unwrap();
        let mut lp = CertificateParams::new(Vec::<String>::new()).unwrap();
        lp.distinguished_name.push(DnType::CommonName, "leaf");
        let method = enc(0x06, &[0x2b, 6, 1, 5, 5, 7, 0x30, 1]);
        let desc = enc(0x30, &[method, enc(0x86, url.as_bytes())].concat());
        lp.custom_extensions.push(CustomExtension::from_oid_content(
            &[1, 3, 6, 1, 5, 5, 7, 1, 1],
            enc(0x30, &desc),
        ));
        let leaf = lp.signed_by(&lk, &Issuer::from_params(&cp, &ck)).unwrap();
        let cert = |c: &rcgen::Certificate, n| {
            Cert::from_der(c.der().to_vec(), Origin::block("t", n)).unwrap()
        };
        (cert(&leaf, 1), cert(&ca, 2))
    }

    /// What `check` sends for a leaf whose responder is `url`, within a
    /// budget of `max` requests: the fetcher's log and the methods recorded.
    fn sent(url: &str, max: usize) -> (Vec<String>, Vec<Option<&'static str>>, Status) {
        let (leaf, ca) = pair(url);
        let mem = MemoryFetcher::new();
        let src = Sources {
            network: Some(&mem),
            cache_dir: None,
            now: 0,
            max_fetches: max,
            deltas: false,
        };
        let mut log = Vec::new();
        let status = check(&leaf, &ca, &src, 0, &mut log);
        (mem.urls(), log.iter().map(|f| f.method).collect(), status)
    }

    #[test]
    fn short_requests_go_by_get_long_ones_by_post_and_a_refused_get_by_post() {
        // MemoryFetcher answers 404 to anything: the GET is refused, and
        // the POST follows.
        let base = "http://ocsp.example";
        let (urls, methods, status) = sent(base, 10);
        assert_eq!(urls.len(), 2, "{urls:?}");
        assert!(urls[0].starts_with("http://ocsp.example/M"), "{urls:?}");
        assert!(urls[0].len() <= MAX_GET_URL);
        assert_eq!(urls[1], format!("POST {base}"));
        assert_eq!(methods, [Some("GET"), Some("POST")]);
        assert!(
            status
                .to_string()
                .contains("HTTP 404 to a POST, after HTTP 404 to a GET"),
            "{status}"
        );

        let long = format!("http://ocsp.example/{}", "x".repeat(150));
        let (urls, methods, _) = sent(&long, 10);
        assert_eq!(urls, [format!("POST {long}")]);
        assert_eq!(methods, [Some("POST")]);
    }

    #[test]
    fn the_budget_stops_the_post_retry() {
        let (urls, methods, status) = sent("http://ocsp.example", 1);
        assert_eq!(urls.len(), 1, "{urls:?}");
        assert_eq!(methods, [Some("GET"), None]);
        assert!(status.to_string().contains("budget of 1 URLs"), "{status}");
    }

    #[test]
    fn offline_without_a_cache_asks_nobody() {
        let (leaf, ca) = pair("http://ocsp.example");
        let src = Sources {
            network: None,
            cache_dir: None,
            now: 0,
            max_fetches: 10,
            deltas: false,
        };
        let mut log = Vec::new();
        let s = check(&leaf, &ca, &src, 0, &mut log);
        assert!(s.to_string().contains("--offline"), "{s}");
        assert_eq!(
            log[0].error.as_deref(),
            Some("not in the cache, and --offline forbids the network")
        );
    }
}
