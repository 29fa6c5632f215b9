//! The checks. `run` finds the leaf, verifies every issuer→subject pair the
//! names allow, orders the leaf's chain, then walks certificates, pairs,
//! the chain, the trust anchor, the inputs' order and the keys.

use std::collections::{HashMap, HashSet};

use super::certificate::{self, Kind};
use super::policy::{self, EkuScope};
use super::{
    CertRef, Finding, Id, Input, Options, Profile, Purpose, Report, Severity, Trust, name,
};
use crate::chain::index::IssuerIndex;
use crate::chain::order::{ChainEnd, order_from};
use crate::chain::signature::{SigError, verify_issued_by};
use crate::chain::validate::Facts;
use crate::model::{Cert, DropReason, KeyAlgorithm, KeyFormat};
use crate::trust::{CACERTS_URL, Lookup, TrustStore, date};

const DAY: i64 = 86_400;

#[derive(Clone, Copy, Debug)]
pub(super) struct Eku {
    pub any: bool,
    pub client: bool,
    pub server: bool,
}

impl Eku {
    fn allows(self, p: Purpose) -> bool {
        self.any
            || match p {
                Purpose::ClientAuth => self.client,
                Purpose::ServerAuth => self.server,
            }
    }
}

/// The extendedKeyUsage extension, None when absent.
pub(super) fn eku(c: &Cert) -> Option<Eku> {
    match c.parsed().extended_key_usage() {
        Ok(Some(e)) => Some(Eku {
            any: e.value.any,
            client: e.value.client_auth,
            server: e.value.server_auth,
        }),
        _ => None,
    }
}

struct Ctx<'a> {
    certs: &'a [Cert],
    opts: &'a Options,
    profile: Profile,
    chain_pos: HashMap<usize, usize>,
    out: Vec<Finding>,
}

impl Ctx<'_> {
    fn cref(&self, i: usize) -> CertRef {
        let c = &self.certs[i];
        CertRef {
            index: i + 1,
            chain_position: self.chain_pos.get(&i).map(|p| p + 1),
            sha256: c.id().hex(),
            subject: c.subject().to_string(),
            source: c.first_origin().to_string(),
        }
    }
    fn push(&mut self, id: Id, sev: Severity, cert: Option<usize>, message: String, fix: String) {
        let cert = cert.map(|i| self.cref(i));
        self.out.push(Finding {
            id,
            severity: sev,
            cert,
            message,
            fix,
        });
    }
    fn add(&mut self, id: Id, cert: Option<usize>, message: String, fix: impl Into<String>) {
        self.push(id, id.default_severity(), cert, message, fix.into());
    }
    fn name(&self, i: usize) -> String {
        format!("\"{}\"", self.certs[i].subject())
    }
}

/// The issuer of `certs[top]` was given, but signs in an algorithm
/// chainfix cannot check: `signature-unsupported` says so, and the issuer
/// is not "missing".
fn issuer_unchecked(certs: &[Cert], top: usize) -> bool {
    let c = &certs[top];
    certs.iter().any(|i| {
        i.subject_raw() == c.issuer_raw()
            && matches!(verify_issued_by(c, i), Err(SigError::Unsupported { .. }))
    })
}

fn self_signed(c: &Cert) -> bool {
    c.is_self_issued() && verify_issued_by(c, c).is_ok()
}

fn anchor_public(store: &TrustStore, top: &Cert) -> Option<String> {
    match store.lookup(top) {
        Lookup::Anchor(a) | Lookup::IssuedByAnchor(a) => Some(a.subject().to_string()),
        Lookup::KnownAnchor(k) | Lookup::IssuerNamedKnown(k) => Some(k.subject.clone()),
        Lookup::NotFound => None,
    }
}

/// Every issuer→subject pair the names allow, verified once.
struct Pairs {
    verified: Vec<Vec<usize>>,
    failed: Vec<Vec<(usize, SigError)>>,
    issues_another: Vec<bool>,
}

impl Pairs {
    fn of(certs: &[Cert], index: &IssuerIndex<'_>) -> Pairs {
        let mut verified: Vec<Vec<usize>> = vec![Vec::new(); certs.len()];
        let mut failed: Vec<Vec<(usize, SigError)>> = vec![Vec::new(); certs.len()];
        let mut issues_another = vec![false; certs.len()];
        for (i, c) in certs.iter().enumerate() {
            for j in index.candidates(c) {
                match verify_issued_by(c, &certs[j]) {
                    Ok(_) => {
                        verified[i].push(j);
                        issues_another[j] = true;
                    }
                    Err(e) => failed[i].push((j, e)),
                }
            }
        }
        Pairs {
            verified,
            failed,
            issues_another,
        }
    }
}

/// The leaf: the certificate a key matches, else the first end entity
/// (a certificate that issues no other and is not a CA), else the first
/// certificate that issues no other. Also returns the key's match and
/// every end entity.
fn pick_leaf(
    input: &Input<'_>,
    issues_another: &[bool],
    roots: &[bool],
) -> (usize, Option<usize>, Vec<usize>) {
    let certs = input.certs;
    let key_leaf = (0..certs.len()).find(|&i| input.keys.iter().any(|k| k.matches(&certs[i])));
    let ends: Vec<usize> = (0..certs.len()).filter(|&i| !issues_another[i]).collect();
    let end_entities: Vec<usize> = ends
        .iter()
        .copied()
        .filter(|&i| !certs[i].is_ca())
        .collect();
    let leaf = key_leaf
        .or_else(|| end_entities.first().copied())
        .or_else(|| ends.iter().copied().find(|&i| !roots[i]))
        .or_else(|| ends.first().copied())
        .unwrap_or(0);
    (leaf, key_leaf, end_entities)
}

/// The signature work on a set of certificates that both choosing the leaf
/// and linting need: every issuer→subject pair the names allow, and which
/// certificates are self-signed. Computed once by the caller (see
/// [`super::Links`]) so that `lint` after `choose_leaf` does not verify
/// every signature a second time.
pub struct Links {
    pairs: Pairs,
    roots: Vec<bool>,
}

impl Links {
    /// Self-signatures only, no issuer→subject pairs: all that
    /// `--certificate-only` needs (a certificate's kind).
    pub(super) fn self_only(certs: &[Cert]) -> Links {
        Links {
            pairs: Pairs {
                verified: vec![Vec::new(); certs.len()],
                failed: vec![Vec::new(); certs.len()],
                issues_another: vec![false; certs.len()],
            },
            roots: certs.iter().map(self_signed).collect(),
        }
    }
    pub(super) fn of(certs: &[Cert]) -> Links {
        let index = IssuerIndex::new(certs);
        Links {
            pairs: Pairs::of(certs, &index),
            roots: certs.iter().map(self_signed).collect(),
        }
    }
}

/// The leaf lint would choose (position in `input.certs`), for callers that
/// need it before linting (to pick a profile and its trust store).
pub(super) fn choose_leaf(input: &Input<'_>, links: &Links) -> Option<usize> {
    if input.certs.is_empty() {
        return None;
    }
    Some(pick_leaf(input, &links.pairs.issues_another, &links.roots).0)
}

pub(super) fn run(
    input: &Input<'_>,
    trust: &Trust<'_>,
    opts: &Options,
    links: &Links,
) -> Option<Report> {
    let certs = input.certs;
    if certs.is_empty() {
        return None;
    }
    let index = IssuerIndex::new(certs);

    let Pairs {
        verified,
        failed,
        issues_another,
    } = &links.pairs;
    let roots = &links.roots;
    let (leaf, key_leaf, end_entities) = pick_leaf(input, issues_another, roots);
    let ordered = order_from(&index, leaf);
    let path = ordered.path.clone();

    let (profile, profile_reason) = match opts.profile {
        Some(p) => (p, "given with --profile".to_string()),
        None => {
            let (p, why) = Profile::for_leaf(&certs[leaf]);
            (
                p,
                format!("chosen because {why}; set --profile to change it"),
            )
        }
    };
    let purpose = profile.purpose();
    let mut cx = Ctx {
        certs,
        opts,
        profile,
        // Alone, no certificate has a place in a chain.
        chain_pos: if opts.certificate_only {
            HashMap::new()
        } else {
            path.iter().enumerate().map(|(p, &i)| (i, p)).collect()
        },
        out: Vec::new(),
    };
    let on_path: HashSet<usize> = path.iter().copied().collect();
    let at = opts.at;
    let facts: Vec<Facts> = certs.iter().map(Facts::of).collect();

    // ---- every certificate, on its own ----
    for (i, &root) in roots.iter().enumerate() {
        let dated = opts.certificate_only || on_path.contains(&i);
        per_cert(&mut cx, i, root, dated, at, &facts[i]);
    }

    for p in input.unreadable {
        cx.add(
            Id::UnreadableInput,
            None,
            p.to_string(),
            "fix or remove that block; an upload box refuses the whole file",
        );
    }
    if opts.certificate_only {
        let store = trust.public;
        return Some(Report {
            profile,
            profile_reason,
            trust_store: store.name.clone(),
            trust_candidate: store.candidate,
            chain: Vec::new(),
            findings: cx.out,
        });
    }

    // ---- every issuer→subject pair ----
    let mut issuer_checked = HashSet::new();
    for i in 0..certs.len() {
        let c = &certs[i];
        if verified[i].is_empty() {
            for (j, e) in &failed[i] {
                match e {
                    SigError::Unsupported { detail } => cx.add(
                        Id::SignatureUnsupported,
                        Some(i),
                        format!(
                            "the signature of {} by {} uses an algorithm chainfix cannot check ({detail})",
                            cx.name(i),
                            cx.name(*j)
                        ),
                        "check this link with `openssl verify`; prefer RSA PKCS#1/PSS with SHA-256+ or ECDSA P-256/P-384",
                    ),
                    _ => cx.add(
                        Id::SignatureInvalid,
                        Some(i),
                        format!(
                            "{} names {} as its issuer, but that certificate's key does not verify its signature ({e})",
                            cx.name(i),
                            cx.name(*j)
                        ),
                        "the issuer given is a different certificate with the same name (a re-key or an old copy): get the right intermediate from the CA (its AIA URL) and run `chainfix bundle` again",
                    ),
                }
            }
        }
        for &j in &verified[i] {
            let issuer = &certs[j];
            if let (Some(a), Some(s)) = (c.authority_key_id(), issuer.subject_key_id())
                && a != s
            {
                cx.add(
                    Id::AkiSkiMismatch,
                    Some(i),
                    format!(
                        "{}'s authority key id {} differs from its issuer {}'s subject key id {}; some verifiers (Java, Windows) then fail to find the issuer",
                        cx.name(i),
                        hex::encode(a),
                        cx.name(j),
                        hex::encode(s)
                    ),
                    "ask the CA for the intermediate that matches this certificate's authority key id",
                );
            }
            if !issuer_checked.insert(j) {
                continue;
            }
            let x = issuer.parsed();
            if !issuer.is_ca() {
                cx.add(
                    Id::IssuerNotCa,
                    Some(j),
                    format!(
                        "{} signs {} but is not a CA (no basicConstraints CA:TRUE), so every verifier rejects the chain",
                        cx.name(j),
                        cx.name(i)
                    ),
                    "the issuing certificate must be a CA certificate: reissue the child from a real CA",
                );
            }
            if let Ok(Some(ku)) = x.key_usage()
                && !ku.value.key_cert_sign()
            {
                cx.add(
                    Id::IssuerKeyUsage,
                    Some(j),
                    format!(
                        "{} signs certificates but its keyUsage lacks keyCertSign (RFC 5280 4.2.1.3)",
                        cx.name(j)
                    ),
                    "reissue the CA certificate with keyUsage keyCertSign, cRLSign",
                );
            }
        }
    }

    // ---- the leaf's chain ----
    // The chain's first certificate is judged as a leaf only when it is an
    // end entity by its content, or the key given is its key: a CA
    // certificate linted alone is not a leaf that lacks a SAN.
    let leaf_is_leaf = !certs[leaf].is_ca() || key_leaf == Some(leaf);
    chain_checks(&mut cx, &path, &ordered.end, trust, purpose, leaf_is_leaf);
    name_constraints(&mut cx, &path, &facts);

    // ---- the inputs: leaves, order, duplicates, strays, blocks, keys, name ----
    if end_entities.len() > 1 {
        let others: Vec<String> = end_entities
            .iter()
            .filter(|&&i| i != leaf)
            .take(3)
            .map(|&i| cx.name(i))
            .collect();
        cx.add(
            Id::MultipleLeaves,
            Some(leaf),
            format!(
                "the inputs hold {} end-entity certificates; an upload or a chain file carries exactly one (linted: {}; also {}{})",
                end_entities.len(),
                cx.name(leaf),
                others.join(", "),
                if end_entities.len() > 4 { ", …" } else { "" }
            ),
            "keep one leaf: `chainfix bundle FILE… --leaf SHA256 --no-key -o chain.pem` writes that leaf and its issuers only",
        );
    }
    // Order matters inside one file (what is pasted or sent), not across files.
    let src = |i: usize| &certs[i].first_origin().source;
    let blk = |i: usize| certs[i].first_origin().block.map_or(1, |b| b as usize);
    if let Some(first) = (0..certs.len())
        .filter(|&j| src(j) == src(leaf) && blk(j) < blk(leaf))
        .min_by_key(|&j| blk(j))
    {
        cx.add(
            Id::LeafNotFirst,
            Some(leaf),
            format!(
                "in {}, the first certificate is {}, not the leaf {}; Salesforce and TLS peers take the first certificate as the leaf",
                src(leaf),
                cx.name(first),
                cx.name(leaf)
            ),
            "`chainfix bundle FILE… --no-key -o chain.pem` writes the leaf first, then its issuers",
        );
    }
    let misordered: Vec<(usize, usize)> = path[1..]
        .windows(2)
        .filter(|w| src(w[0]) == src(w[1]) && blk(w[1]) < blk(w[0]))
        .map(|w| (w[0], w[1]))
        .collect();
    if let Some(&(child, issuer)) = misordered.first() {
        let want: Vec<String> = path.iter().map(|&i| (i + 1).to_string()).collect();
        cx.add(
            Id::WrongOrder,
            Some(issuer),
            format!(
                "in {}, {} comes before the certificate it issued, {}; the issuing order is certificates {}",
                src(issuer),
                cx.name(issuer),
                cx.name(child),
                want.join(" → ")
            ),
            "`chainfix bundle FILE… --no-key -o chain.pem` writes leaf, then each issuer in turn",
        );
    }
    for i in 0..certs.len() {
        if !on_path.contains(&i) {
            cx.add(
                Id::UnrelatedCertificate,
                Some(i),
                format!(
                    "{} is not on the leaf's chain; peers ignore it at best and pick a wrong path at worst",
                    cx.name(i)
                ),
                "leave it out: `chainfix bundle FILE… --no-key -o chain.pem` writes only the leaf's chain",
            );
        }
    }
    let cert_sources: HashSet<&str> = certs
        .iter()
        .flat_map(|c| c.origins.iter().map(|o| &*o.source))
        .collect();
    for d in input.dropped {
        match &d.reason {
            DropReason::Duplicate { first } => {
                let i = certs.iter().position(|c| c.origins.contains(&d.origin));
                cx.add(
                    Id::DuplicateCertificate,
                    i,
                    format!("{} repeats the certificate first read at {first}", d.origin),
                    "remove the repeated block: `chainfix bundle FILE… --no-key -o chain.pem` writes each certificate once",
                );
            }
            DropReason::UnknownLabel { label } if label.contains("PRIVATE KEY") => {
                if profile.salesforce() && cert_sources.contains(&*d.origin.source) {
                    private_key_finding(&mut cx, &d.origin.to_string());
                }
            }
            DropReason::UnknownLabel { label } => cx.add(
                Id::IgnoredBlock,
                None,
                format!("{}: a \"{label}\" block was ignored", d.origin),
                "remove it from files meant for an upload box",
            ),
            DropReason::CertificateRequest => cx.add(
                Id::IgnoredBlock,
                None,
                format!(
                    "{}: a certificate signing request was ignored (it is not part of a chain)",
                    d.origin
                ),
                "remove the CSR from files meant for an upload box",
            ),
            DropReason::Crl => cx.add(
                Id::IgnoredBlock,
                None,
                format!(
                    "{}: a CRL was set aside (it is not part of a chain)",
                    d.origin
                ),
                "remove the CRL from files meant for an upload box; give it to chainfix verify with --crl",
            ),
            DropReason::DuplicateKey { .. }
            | DropReason::UnsupportedKey { .. }
            | DropReason::NotCertificateData { .. } => {}
        }
    }
    for k in input.keys {
        // A key in a file of its own is where it belongs; one in a file of
        // certificates is about to be pasted into an upload box.
        if profile.salesforce()
            && !matches!(k.format, KeyFormat::Pkcs12 | KeyFormat::Jks)
            && k.origins.iter().any(|o| cert_sources.contains(&*o.source))
        {
            private_key_finding(&mut cx, &k.first_origin().to_string());
        }
        if matches!(
            k.format,
            KeyFormat::Pkcs1 | KeyFormat::Sec1 | KeyFormat::LegacyEncryptedPem
        ) {
            cx.add(
                Id::KeyNotPkcs8,
                None,
                format!(
                    "the private key in {} is not PKCS#8 ({:?}); Java keystores and Salesforce's Import from Keystore need PKCS#8",
                    k.first_origin(),
                    k.format
                ),
                "`chainfix bundle FILE… -o fullcert.pem` writes the key as PKCS#8",
            );
        }
    }
    if !input.keys.is_empty() && key_leaf.is_none() {
        cx.add(
            Id::KeyMismatch,
            Some(leaf),
            format!(
                "the private key{} given match{} none of the certificates; the leaf {} belongs to another key",
                if input.keys.len() > 1 { "s" } else { "" },
                if input.keys.len() > 1 { "" } else { "es" },
                cx.name(leaf)
            ),
            "give the key the CSR was made with, or the certificate issued for this key (`chainfix inspect FILE…` shows which key is which)",
        );
    }
    if let Some(n) = &opts.name {
        let problems = name::unique_name_problems(n);
        if !problems.is_empty() {
            let s = name::suggest(n);
            cx.add(
                Id::InvalidName,
                None,
                format!(
                    "\"{n}\" is not a valid Salesforce Unique Name or keystore alias: {}",
                    problems.join("; ")
                ),
                format!(
                    "use \"{s}\" (letters, digits and single underscores, starting with a letter)"
                ),
            );
        }
    }

    let store = trust.public;
    Some(Report {
        profile,
        profile_reason,
        trust_store: store.name.clone(),
        trust_candidate: store.candidate,
        chain: path.iter().map(|i| i + 1).collect(),
        findings: cx.out,
    })
}

fn private_key_finding(cx: &mut Ctx<'_>, origin: &str) {
    cx.add(
        Id::PrivateKeyInUpload,
        None,
        format!(
            "{origin} holds a private key; pasted into Salesforce's upload box it would leak (the upload takes certificates only)"
        ),
        "upload the chain without the key: `chainfix bundle FILE… --no-key -o chain.pem`; keep the key file private (mode 0600)",
    );
}

fn per_cert(cx: &mut Ctx<'_>, i: usize, root: bool, on_path: bool, at: i64, facts: &Facts) {
    let c = &cx.certs[i];
    let (nb, na) = (c.not_before(), c.not_after());
    let warn = cx.opts.warn_days;
    if at < nb {
        cx.add(
            Id::NotYetValid,
            Some(i),
            format!(
                "{} is not valid until {} ({} from {})",
                cx.name(i),
                date(nb),
                days_phrase(nb - at),
                date(at)
            ),
            "wait until that date, or check the clock of the machine that issued it; if it was issued in error, ask the CA to reissue",
        );
    } else if at > na {
        cx.add(
            Id::Expired,
            Some(i),
            format!(
                "{} expired on {} ({} before {})",
                cx.name(i),
                date(na),
                days_phrase(at - na),
                date(at)
            ),
            if root {
                "replace the root with its current version from the CA (and re-check the chain)"
                    .to_string()
            } else {
                "renew the certificate; then run `chainfix bundle` with the new one".to_string()
            },
        );
    } else if na - at <= warn * DAY {
        cx.add(
            Id::ExpiresSoon,
            Some(i),
            format!("{} expires on {}, in {} (within --warn-days {warn})", cx.name(i), date(na), days_phrase(na - at)),
            if cx.profile.salesforce() {
                "renew it now; Salesforce needs the new certificate uploaded before the old one expires"
            } else {
                "renew it now, and install the new certificate on every peer before the old one expires"
            },
        );
    } else if on_path {
        cx.add(
            Id::ExpiryDate,
            Some(i),
            format!(
                "{} is valid until {} ({} from {})",
                cx.name(i),
                date(na),
                days_phrase(na - at),
                date(at)
            ),
            "note the date: renew before it",
        );
    }
    let cx_cert = certificate::Context {
        kind: Kind::of(c, root),
        tls_server: cx.profile.purpose() == Purpose::ServerAuth,
        salesforce: cx.profile.salesforce(),
        standalone: cx.opts.certificate_only,
        facts,
    };
    for h in certificate::check(c, &cx_cert) {
        cx.push(h.id, h.severity, Some(i), h.message, h.fix);
    }
}

fn days_phrase(secs: i64) -> String {
    let d = secs / DAY;
    if d == 1 {
        "1 day".into()
    } else {
        format!("{d} days")
    }
}

fn chain_checks(
    cx: &mut Ctx<'_>,
    path: &[usize],
    end: &ChainEnd,
    trust: &Trust<'_>,
    purpose: Purpose,
    leaf_is_leaf: bool,
) {
    let certs = cx.certs;
    let leaf = path[0];
    let lc = &certs[leaf];
    let lx = lc.parsed();
    let top = *path.last().expect("path holds the leaf");
    let reached_root = *end == ChainEnd::Root;
    // A lone root is a root, not a self-signed leaf.
    let self_signed_leaf = reached_root && path.len() == 1 && leaf_is_leaf;
    let sf = cx.profile.salesforce();

    // pathLen: non-self-issued intermediates below each CA.
    for (k, &i) in path.iter().enumerate().skip(1) {
        if let Ok(Some(bc)) = certs[i].parsed().basic_constraints()
            && let Some(n) = bc.value.path_len_constraint
        {
            let below = path[1..k]
                .iter()
                .filter(|&&j| !certs[j].is_self_issued())
                .count();
            if below > n as usize {
                cx.add(
                    Id::PathLengthExceeded,
                    Some(i),
                    format!(
                        "{} allows {n} intermediate(s) below it (pathLenConstraint) but the chain has {below}",
                        cx.name(i)
                    ),
                    "use a chain through an intermediate the CA issued for this depth, or ask the CA which chain to use",
                );
            }
        }
        if !(reached_root && k == path.len() - 1) && certs[i].not_after() < lc.not_after() {
            cx.add(
                Id::IntermediateExpiresBeforeLeaf,
                Some(i),
                format!(
                    "the intermediate {} expires on {}, before the leaf ({}); the chain stops working then",
                    cx.name(i),
                    date(certs[i].not_after()),
                    date(lc.not_after())
                ),
                "get the CA's current intermediate (its AIA URL or the CA's site) before that date",
            );
        }
    }

    // The leaf itself.
    // Outside Salesforce, a self-signed leaf the user trusts directly (in
    // --roots or the --trust store) is a private-PKI choice, as `verify`
    // accepts it: said, but only as information.
    let trusted_directly =
        !sf && (trust.private.is_some_and(|p| p.contains(lc)) || trust.public.contains(lc));
    if self_signed_leaf && trusted_directly {
        cx.push(
            Id::SelfSignedLeaf,
            Severity::Info,
            Some(leaf),
            format!(
                "{} is self-signed and in the trust store given, so it is trusted directly; only peers that import this exact certificate accept it",
                cx.name(leaf)
            ),
            "nothing to do if every peer imports this certificate; otherwise get it issued by a CA the peers trust".into(),
        );
    } else if self_signed_leaf {
        cx.push(
            Id::SelfSignedLeaf,
            if sf { Severity::Error } else { Severity::Warning },
            Some(leaf),
            format!(
                "{} is self-signed; {}",
                cx.name(leaf),
                if sf {
                    "Salesforce refuses self-signed certificates for mutual TLS and callouts"
                } else {
                    "only peers that pin this exact certificate accept it"
                }
            ),
            "get the certificate issued by a CA the peer trusts (for Salesforce: one whose root is in your org's cacerts.jsp); `chainfix roots` lists the candidates".into(),
        );
    } else if lc.is_ca() && leaf_is_leaf {
        cx.add(
            Id::LeafIsCa,
            Some(leaf),
            format!("the leaf {} is a CA certificate (basicConstraints CA:TRUE); peers expect an end-entity certificate", cx.name(leaf)),
            "request an end-entity certificate (CA:FALSE) for this key",
        );
    }
    if let Ok(Some(ku)) = lx.key_usage()
        && leaf_is_leaf
    {
        let ok = ku.value.digital_signature()
            || (purpose == Purpose::ServerAuth
                && ku.value.key_encipherment()
                && matches!(lc.key_algorithm(), KeyAlgorithm::Rsa { .. }));
        if !ok && !self_signed_leaf {
            cx.add(
                Id::LeafKeyUsage,
                Some(leaf),
                format!(
                    "the leaf {}'s keyUsage lacks digitalSignature, which a TLS {} needs to sign the handshake (RFC 5280 4.2.1.3, RFC 8446 4.4.3)",
                    cx.name(leaf),
                    if purpose == Purpose::ClientAuth { "client" } else { "server" }
                ),
                "reissue the certificate with keyUsage digitalSignature (plus keyEncipherment for RSA)",
            );
        }
    }
    let leaf_eku = eku(lc);
    let issuer_names: Vec<String> = path
        .iter()
        .skip(1)
        .map(|&i| certs[i].subject().to_string())
        .chain([lc.issuer().to_string()])
        .collect();
    let cutoff = policy::client_auth_cutoff(issuer_names.iter().map(String::as_str));
    // "Public" means: reaches an anchor of the store in use. With the
    // bundled candidate store that is a guess, and the message says so.
    let public_root = anchor_public(trust.public, &certs[top]);
    let public_anchor = public_root.clone().map(|a| {
        if trust.public.candidate {
            format!("{a} (found in the bundled CANDIDATE store, not Salesforce's own list)")
        } else {
            a
        }
    });
    let eku_ok = match leaf_eku {
        Some(e) => e.allows(purpose),
        None => !(cx.profile == Profile::SalesforceMtls),
    };
    if !eku_ok && leaf_is_leaf {
        let mut msg = format!(
            "the leaf {} {} the {purpose} extended key usage, so {} it",
            cx.name(leaf),
            if leaf_eku.is_some() {
                "lacks"
            } else {
                "has no EKU extension, and so lacks"
            },
            if cx.profile == Profile::SalesforceMtls {
                "Salesforce's port 8443 refuses"
            } else {
                "the peer refuses"
            }
        );
        if purpose == Purpose::ClientAuth && leaf_eku.is_some_and(|e| e.server) {
            msg.push_str(&match cutoff {
                Some(c) => format!(
                    "; it looks like a serverAuth-only renewal: {} ({})",
                    c.ca, c.note
                ),
                None => "; public CAs stopped putting clientAuth in TLS certificates in 2026 (Chrome Root Program), so renewals come serverAuth-only".to_string(),
            });
        }
        cx.add(
            Id::EkuMissing,
            Some(leaf),
            msg,
            if purpose == Purpose::ClientAuth {
                "get a certificate with clientAuth: a dedicated client-authentication certificate from a CA in your org's cacerts.jsp, or (where the peer allows) one from a private CA"
            } else {
                "get a TLS server certificate (EKU serverAuth) for this host"
            },
        );
    }
    for (k, &i) in path.iter().enumerate().skip(1) {
        if reached_root && k == path.len() - 1 {
            continue;
        }
        if let Some(e) = eku(&certs[i])
            && !e.allows(purpose)
        {
            cx.add(
                Id::IntermediateEku,
                Some(i),
                format!(
                    "the intermediate {} limits its EKUs and {purpose} is not among them, so the leaf cannot be used for it (EKU chaining, as Windows, Go, Java and rustls-webpki check)",
                    cx.name(i)
                ),
                format!("use a chain whose intermediates allow {purpose} (ask the CA for its {purpose} issuing CA)"),
            );
        }
    }
    if let Some(anchor) = &public_anchor
        && !self_signed_leaf
    {
        if let Some(e) = leaf_eku
            && leaf_is_leaf
            && e.client
            && e.server
        {
            let rule = policy::chrome_rule(EkuScope::Leaf);
            let issued = lc.not_before();
            let ca_part = match cutoff {
                Some(c) => {
                    let when = if issued >= policy::day(c.last_date) {
                        format!(
                            "it was issued on {}, after {}'s last date {} for clientAuth",
                            date(issued),
                            c.ca,
                            c.last_date
                        )
                    } else {
                        format!(
                            "issued {}, it predates {}'s cut-off; {}",
                            date(issued),
                            c.ca,
                            c.note
                        )
                    };
                    format!("{when}; ")
                }
                None => format!("issued {}; ", date(issued)),
            };
            cx.add(
                Id::DualEkuPublic,
                Some(leaf),
                format!(
                    "the leaf {} is a dual-EKU (serverAuth + clientAuth) certificate chaining to the public root {anchor}: {ca_part}{} forbids clientAuth in public TLS leaf certificates issued from {}{}; {}",
                    cx.name(leaf),
                    rule.policy,
                    rule.from,
                    rule.earlier_text.map(|d| format!(" (earlier text: {d})")).unwrap_or_default(),
                    if issued >= policy::day(rule.from) {
                        format!("issued on {}, it breaks that rule and root programs may distrust it", date(issued))
                    } else {
                        format!("it works until it expires on {}, but its renewal will come without clientAuth", date(lc.not_after()))
                    }
                ),
                "before renewing, buy a dedicated client-authentication certificate (clientAuth only) from a CA in your org's cacerts.jsp, or use a private CA where the peer allows it",
            );
        }
        let sub_rule = policy::chrome_rule(EkuScope::SubordinateCa);
        for (k, &i) in path.iter().enumerate().skip(1) {
            if reached_root && k == path.len() - 1 {
                continue;
            }
            let ci = &certs[i];
            if ci.not_before() >= policy::day(sub_rule.from)
                && eku(ci).is_none_or(|e| e.client || e.any)
            {
                cx.add(
                    Id::PublicIntermediateEku,
                    Some(i),
                    format!(
                        "the public intermediate {} (under {anchor}) was issued on {} and allows clientAuth, but {} requires subordinate CAs from {} to be serverAuth-only; root programs may distrust it",
                        cx.name(i),
                        date(ci.not_before()),
                        sub_rule.policy,
                        sub_rule.from
                    ),
                    "ask the CA for its current serverAuth-only intermediate (TLS) or a dedicated client-authentication hierarchy",
                );
            }
        }
        if purpose == Purpose::ServerAuth && leaf_is_leaf {
            let rule = policy::max_server_validity(lc.not_before());
            let life = lc.not_after() - lc.not_before();
            if life > rule.days * DAY {
                cx.add(
                    Id::ValidityTooLong,
                    Some(leaf),
                    format!(
                        "the leaf {} (under the public root {anchor}) is valid for {} days; public TLS server certificates issued {} may be valid for at most {} days ({})",
                        cx.name(leaf),
                        life / DAY,
                        rule.from.map(|d| format!("from {d}")).unwrap_or_else(|| "before 2026-03-15".into()),
                        rule.days,
                        rule.source.title
                    ),
                    "clients may refuse it: have the CA reissue it with a compliant lifetime",
                );
            }
        }
    }
    if purpose == Purpose::ServerAuth && leaf_is_leaf {
        let has_san = certificate::has_server_san(&lx);
        if !has_san {
            cx.add(
                Id::SanMissing,
                Some(leaf),
                format!(
                    "the server certificate {} has no DNS or IP subjectAltName; clients (Java, browsers, curl) ignore the CN and refuse it (RFC 6125, CA/B Forum BR 7.1.2.7)",
                    cx.name(leaf)
                ),
                "reissue it with subjectAltName DNS:<host name>",
            );
        }
    }

    // Root pasted in.
    if reached_root && path.len() > 1 {
        let server = purpose == Purpose::ServerAuth;
        cx.push(
            Id::RootIncluded,
            if server { Severity::Warning } else { Severity::Info },
            Some(top),
            format!(
                "the root {} is included; {}",
                cx.name(top),
                if server {
                    "a server must not send it (Salesforce and TLS clients use their own copy), and sending it costs every handshake"
                } else {
                    "Salesforce accepts it but does not need it: it uses its own copy from cacerts.jsp"
                }
            ),
            "leave it out: `chainfix bundle FILE… --no-key -o chain.pem` (add --include-root only when a peer asks)".into(),
        );
    }

    // Trust.
    if self_signed_leaf && trust.public.lookup(lc) == Lookup::NotFound {
        return;
    }
    let caveat = |store: &TrustStore| -> String {
        store
            .caveat()
            .map(|c| format!(" (note: {c})"))
            .unwrap_or_default()
    };
    let private_anchor = trust.private.and_then(|p| anchor_public(p, &certs[top]));
    if let Some(a) = public_root {
        cx.add(
            Id::TrustAnchor,
            Some(top),
            format!(
                "the chain ends at {}, which reaches the root {a} in the trust store {}{}",
                cx.name(top),
                trust.public.name,
                caveat(trust.public)
            ),
            "nothing to do",
        );
    } else if let Some(a) = private_anchor {
        cx.add(
            Id::TrustAnchor,
            Some(top),
            format!("the chain reaches the private root {a} given with --roots; peers must be set up to trust it (Salesforce: only if it is in your org's cacerts.jsp)"),
            "nothing to do if the peer trusts this root",
        );
    } else if reached_root {
        let explicit = trust.explicit;
        cx.push(
            Id::RootNotTrusted,
            if explicit { Severity::Error } else { Severity::Warning },
            Some(top),
            format!(
                "the chain's root {} is not in the trust store {}{}",
                cx.name(top),
                trust.public.name,
                if trust.public.candidate {
                    format!("; that is Salesforce's likely list, not a proof: {}", crate::trust::CANDIDATE_NOTE)
                } else {
                    String::new()
                }
            ),
            if trust.public.candidate {
                format!("check your org's own list: open {CACERTS_URL}, save it, and run `chainfix lint FILE… --trust cacerts.html`; if the root is missing there, use a CA whose root is listed, or ask Salesforce Support to add it")
            } else {
                "use a CA whose root the peer trusts, or add this root to the peer (then pass it with --roots)".to_string()
            },
        );
    } else if !issuer_unchecked(certs, top) {
        let c = &certs[top];
        let urls = c.ca_issuer_urls();
        let aki = c.authority_key_id().map(hex::encode);
        cx.add(
            Id::IssuerMissing,
            Some(top),
            format!(
                "the issuer of {} is missing: \"{}\"{}{}; peers answer \"unable to get local issuer certificate\"{}",
                cx.name(top),
                c.issuer(),
                aki.map(|a| format!(" (key id {a})")).unwrap_or_default(),
                if urls.is_empty() { String::new() } else { format!(", downloadable from {}", urls.join(" ")) },
                if trust.public.candidate {
                    format!("; if it is a root, it is not in the trust store {} either, which is only a CANDIDATE list: check your org's {CACERTS_URL}", trust.public.name)
                } else {
                    format!("; if it is a root, it is not in the trust store {} either", trust.public.name)
                }
            ),
            match urls.first() {
                Some(u) => format!("download it (`curl -o issuer.crt {u}`), then `chainfix bundle FILE… issuer.crt --no-key -o chain.pem`"),
                None => format!("get \"{}\" from the CA's site, then `chainfix bundle FILE… issuer.crt --no-key -o chain.pem`", c.issuer()),
            },
        );
    }
}

/// The name constraints of every CA on the chain applied to the
/// certificates below it (RFC 5280 §4.2.1.10; self-issued intermediates
/// exempt).
fn name_constraints(cx: &mut Ctx<'_>, path: &[usize], facts: &[Facts]) {
    for (k, &ca) in path.iter().enumerate().skip(1) {
        let Some(nc) = facts[ca].constraints.clone() else {
            continue;
        };
        let mut budget = 250_000usize;
        let mut charge = || {
            budget = budget.saturating_sub(1);
            budget > 0
        };
        for (kk, &below) in path[..k].iter().enumerate() {
            let f = &facts[below];
            if kk > 0 && f.self_issued {
                continue;
            }
            if let Err(e) = nc.check(&f.names_for_constraints(kk == 0), &mut charge) {
                cx.add(
                    Id::NameConstraints,
                    Some(below),
                    format!(
                        "{} is outside the name constraints of {} ({e}), so verifiers reject the chain",
                        cx.name(below),
                        cx.name(ca)
                    ),
                    "use names the CA is allowed to issue for, or a CA without those constraints",
                );
                break;
            }
        }
    }
}
