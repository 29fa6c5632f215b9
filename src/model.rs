//! The nouns every stage shares: a certificate ([`Cert`]), a private key
//! ([`PrivateKey`]), where each came from ([`Origin`]) and what the reader
//! put aside ([`Dropped`]). A `Cert` keeps its DER and the few parsed fields
//! that indexing needs; anything else is read from [`Cert::parsed`] on demand.

use std::fmt;
use std::sync::{Arc, OnceLock};

use serde::Serialize;
use x509_parser::prelude::*;
use zeroize::Zeroizing;

use crate::parse::cert_der::{Span, Walked};

/// SHA-256 of a certificate's DER: the identity used for de-duplication,
/// selection (`--leaf` prefix) and reports.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct CertId(pub [u8; 32]);

/// A SHA-256 is already uniform: its first eight bytes are the hash, with
/// no length prefix and no pass over the other 24 (see [`IdHasher`]).
impl std::hash::Hash for CertId {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let mut head = [0u8; 8];
        head.copy_from_slice(&self.0[..8]);
        state.write_u64(u64::from_le_bytes(head));
    }
}

/// The hasher for sets and maps keyed by [`CertId`]: it passes the id's
/// first eight bytes through instead of running SipHash over them (a pool
/// of 100,000 certificates spent a tenth of its time there). Safe against
/// flooding because choosing ids means finding SHA-256 prefixes.
#[derive(Clone, Copy, Default)]
pub struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
    /// Not reached by `CertId`; folds any other key's bytes.
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(b);
        }
    }
}

/// A set of certificate ids, hashed with [`IdHasher`].
pub type IdSet = std::collections::HashSet<CertId, std::hash::BuildHasherDefault<IdHasher>>;
/// A map keyed by certificate id, hashed with [`IdHasher`].
pub type IdMap<V> = std::collections::HashMap<CertId, V, std::hash::BuildHasherDefault<IdHasher>>;

/// The hasher for maps keyed by prepared names ([`Cert::subject_key`]):
/// eight bytes a step with a multiply-rotate mix, seeded once per process
/// from the standard library's random keys, then a final avalanche. The
/// issuer indexes hash every name of a pool once or twice, and SipHash
/// was a tenth of a 100,000-certificate run; the per-process seed keeps
/// names chosen to collide from being chosen offline.
#[derive(Clone, Copy)]
pub struct NameHasher(u64);

impl Default for NameHasher {
    fn default() -> NameHasher {
        static SEED: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
        NameHasher(*SEED.get_or_init(|| {
            use std::hash::BuildHasher;
            std::collections::hash_map::RandomState::new().hash_one(0x6e61_6d65u64)
        }))
    }
}

impl NameHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0 ^ word)
            .wrapping_mul(0x9e37_79b9_7f4a_7c15)
            .rotate_left(29);
    }
}

impl std::hash::Hasher for NameHasher {
    fn finish(&self) -> u64 {
        // MurmurHash3's fmix64.
        let mut h = self.0;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        h ^ (h >> 33)
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            self.mix(u64::from_le_bytes(c.try_into().expect("eight bytes")));
        }
        let tail = chunks.remainder();
        if !tail.is_empty() {
            let mut last = [0u8; 8];
            last[..tail.len()].copy_from_slice(tail);
            self.mix(u64::from_le_bytes(last) ^ ((tail.len() as u64) << 59));
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.mix(n as u64);
    }
}

/// A map keyed by prepared names, hashed with [`NameHasher`].
pub type NameMap<'a, V> =
    std::collections::HashMap<&'a [u8], V, std::hash::BuildHasherDefault<NameHasher>>;

impl CertId {
    pub fn of(der: &[u8]) -> CertId {
        let d = ring::digest::digest(&ring::digest::SHA256, der);
        let mut out = [0u8; 32];
        out.copy_from_slice(d.as_ref());
        CertId(out)
    }
    /// Lowercase hex of the whole digest.
    pub fn hex(&self) -> String {
        hex::encode(self.0)
    }
    /// The first 16 hex digits, as shown in tables.
    pub fn short(&self) -> String {
        hex::encode(&self.0[..8])
    }
}

impl fmt::Display for CertId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.hex())
    }
}

impl fmt::Debug for CertId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "CertId({})", self.short())
    }
}

impl Serialize for CertId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.hex())
    }
}

/// Where a certificate or key came from: a file (or `-` for stdin, or a URL
/// for fetched certificates) and, inside it, the 1-based block number.
/// The source name is shared: the blocks of one file hold one copy of it
/// (a pool of 100,000 certificates held 100,000 copies of its file name).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Origin {
    pub source: Arc<str>,
    /// 1-based index of the PEM block / certificate inside the source, when
    /// the source holds several (32 bits: eight bytes less in every
    /// certificate of a pool of a million).
    pub block: Option<u32>,
}

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Origin", 1 + usize::from(self.block.is_some()))?;
        st.serialize_field("source", &*self.source)?;
        if let Some(b) = self.block {
            st.serialize_field("block", &b)?;
        }
        st.end()
    }
}

/// The name as a shared string: the same allocation as the last name
/// asked for on this thread when the text is the same, so that the blocks
/// of one file, added one after another, share it.
fn shared_name(name: &str) -> Arc<str> {
    thread_local! {
        static LAST: std::cell::RefCell<Option<Arc<str>>> = const { std::cell::RefCell::new(None) };
    }
    LAST.with(|last| {
        let mut last = last.borrow_mut();
        match &*last {
            Some(a) if &**a == name => a.clone(),
            _ => {
                let a: Arc<str> = Arc::from(name);
                *last = Some(a.clone());
                a
            }
        }
    })
}

/// Something that names a source: text, or an already shared name.
pub trait SourceName {
    fn into_shared(self) -> Arc<str>;
}
impl SourceName for &str {
    fn into_shared(self) -> Arc<str> {
        shared_name(self)
    }
}
impl SourceName for &String {
    fn into_shared(self) -> Arc<str> {
        shared_name(self)
    }
}
impl SourceName for String {
    fn into_shared(self) -> Arc<str> {
        shared_name(&self)
    }
}
impl SourceName for Arc<str> {
    fn into_shared(self) -> Arc<str> {
        self
    }
}
impl SourceName for &Arc<str> {
    fn into_shared(self) -> Arc<str> {
        self.clone()
    }
}

impl Origin {
    pub fn file(source: impl SourceName) -> Origin {
        Origin {
            source: source.into_shared(),
            block: None,
        }
    }
    pub fn block(source: impl SourceName, block: usize) -> Origin {
        Origin {
            source: source.into_shared(),
            block: Some(u32::try_from(block).unwrap_or(u32::MAX)),
        }
    }
    pub fn with_block(&self, block: usize) -> Origin {
        Origin::block(&self.source, block)
    }
}

/// Every place a certificate or key was seen, the first held inline: most
/// are seen once, and then the list costs no allocation of its own.
#[derive(Clone, PartialEq, Eq)]
pub struct Origins {
    first: Origin,
    /// Boxed: eight bytes in every certificate for what few have.
    #[allow(clippy::box_collection)]
    more: Option<Box<Vec<Origin>>>,
}

impl Origins {
    pub fn one(first: Origin) -> Origins {
        Origins { first, more: None }
    }
    pub fn first(&self) -> &Origin {
        &self.first
    }
    pub fn push(&mut self, o: Origin) {
        self.more.get_or_insert_default().push(o);
    }
    pub fn len(&self) -> usize {
        1 + self.more.as_ref().map_or(0, |m| m.len())
    }
    fn rest(&self) -> &[Origin] {
        self.more.as_deref().map_or(&[], |m| m.as_slice())
    }
    /// Never: there is always a first origin.
    pub fn is_empty(&self) -> bool {
        false
    }
    pub fn iter(&self) -> impl Iterator<Item = &Origin> + Clone {
        std::iter::once(&self.first).chain(self.rest().iter())
    }
    pub fn contains(&self, o: &Origin) -> bool {
        self.iter().any(|x| x == o)
    }
}

impl fmt::Debug for Origins {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for &'a Origins {
    type Item = &'a Origin;
    type IntoIter = std::iter::Chain<std::iter::Once<&'a Origin>, std::slice::Iter<'a, Origin>>;
    fn into_iter(self) -> Self::IntoIter {
        std::iter::once(&self.first).chain(self.rest().iter())
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.block {
            Some(b) => write!(f, "{}:{}", self.source, b),
            None => f.write_str(&self.source),
        }
    }
}

/// A certificate: its DER, its id, every place it was seen, and what the
/// issuer index needs, kept small: where the names, the public key and the
/// key identifiers lie in the DER ([`Span`]s), the names prepared for
/// comparison, the validity and the CA flag. The display strings are made
/// on first use, and x509-parser's full view on each [`Cert::parsed`], so
/// a pool of 100,000 certificates of which four are used costs little
/// more than reading it (see [`crate::parse::cert_der`]).
#[derive(Clone)]
pub struct Cert {
    /// The DER, then the subject's prepared key, then the issuer's unless
    /// it is the same (one copy for a self-issued certificate), in one
    /// allocation: `bytes[..der_len]`, `bytes[der_len..subject_end]` and
    /// the issuer's key after it (or the subject's again when `shared`).
    /// For a certificate kept on disk (`away`), empty until first used,
    /// then read again (DER and keys as above).
    bytes: OnceLock<Arc<[u8]>>,
    der_len: u32,
    subject_end: u32,
    id: CertId,
    pub origins: Origins,
    subject_raw: Span,
    issuer_raw: Span,
    spki_raw: Span,
    /// The key identifiers' places; [`NO_SPAN`] when there is none (eight
    /// bytes less than an `Option<Span>` each).
    ski: Span,
    aki: Span,
    not_before: i64,
    not_after: i64,
    is_ca: bool,
    /// The subject's and the issuer's DER are the same bytes.
    names_identical: bool,
    /// The subject's and the issuer's prepared keys are equal.
    shared: bool,
    /// Subject and issuer as text, made when first asked for.
    display: OnceLock<Box<(String, String)>>,
    /// Where the DER can be read again, when it was not kept in memory.
    away: Option<Away>,
}

/// Where a certificate read from a big PEM file lies in it, so its DER
/// need not stay in memory (see [`keep_der_on_disk`]).
#[derive(Clone)]
struct Away {
    file: Arc<Reread>,
    /// The PEM block's bytes in the file, its BEGIN line to its END line:
    /// the offset (below 2^40) shifted left by [`LEN_BITS`], or'ed with the
    /// length (below 2^24).
    place: u64,
    /// [`key_bits`] of the public key, so that matching a private key
    /// against a pool does not read the pool again.
    key_bits: u64,
    /// [`name_hash`] of the subject's and the issuer's prepared keys, for
    /// the name indexes (a hit compares the keys, reading the DER again).
    subject_hash: u64,
    issuer_hash: u64,
}

/// A file certificates are read again from: the open file itself (so a
/// file renamed over it does not matter), its name, and what to do when
/// what is read again is no longer what was read.
pub struct Reread {
    file: std::fs::File,
    name: Arc<str>,
    on_failure: fn(&crate::error::Error) -> !,
}

impl Reread {
    /// The reader of `file` (named `name` in messages), when
    /// [`keep_der_on_disk`] was asked for and the platform reads at an
    /// offset.
    pub fn of(file: &std::fs::File, name: &str) -> Option<Arc<Reread>> {
        let on_failure = *ON_DISK.get()?;
        if !cfg!(unix) {
            return None;
        }
        Some(Arc::new(Reread {
            file: file.try_clone().ok()?,
            name: Origin::file(name).source,
            on_failure,
        }))
    }
}

static ON_DISK: OnceLock<fn(&crate::error::Error) -> !> = OnceLock::new();

/// From now on, certificates read from big PEM files (read while they
/// stream, see [`crate::parse::parse_pem_stream`]) keep their DER on disk:
/// in memory stay the id, the prepared names, the validity, the key
/// identifiers' places and where the block lies in the file. The DER is
/// read again when first used, and checked against the id; when the file
/// changed in between, [`crate::parse::Inventory::load_needed`] returns an
/// error, and any later reading calls `on_failure` (which must end the
/// process: the command layer prints the error and exits 2). Set once per
/// process; the commands that search a pool (bundle, verify) ask for it.
pub fn keep_der_on_disk(on_failure: fn(&crate::error::Error) -> !) {
    let _ = ON_DISK.set(on_failure);
}

/// A hash of the public key bits of a SubjectPublicKeyInfo: equal for two
/// encodings [`spki_equal`] calls equal (it compares these bits), so a
/// differing hash proves a key does not match.
pub(crate) fn key_bits(spki: &[u8]) -> Option<u64> {
    use crate::parse::der::read;
    use std::hash::BuildHasher;
    let (outer, _) = read(spki).ok()?;
    let (_algorithm, rest) = read(outer.content).ok()?;
    let (bits, _) = read(rest).ok().filter(|(t, _)| t.tag == 0x03)?;
    let data = bits.content.get(1..)?;
    Some(std::hash::BuildHasherDefault::<NameHasher>::default().hash_one(data))
}

/// Bits of [`Away::place`] that hold the length.
const LEN_BITS: u32 = 24;

impl Away {
    /// The DER of `cert` read again, checked against its id, followed by
    /// its prepared keys (see [`with_keys`]).
    fn read(&self, cert: &Cert) -> Result<Vec<u8>, crate::error::Error> {
        use crate::error::Error;
        let changed = |detail: String| Error::ChangedWhileRead {
            path: self.file.name.to_string(),
            detail,
        };
        let (at, len) = (self.place >> LEN_BITS, self.place & ((1 << LEN_BITS) - 1));
        let mut text = vec![0u8; len as usize];
        read_exact_at(&self.file.file, &mut text, at).map_err(|e| {
            if e.kind() == std::io::ErrorKind::UnexpectedEof {
                changed("it is shorter now".into())
            } else {
                Error::Read {
                    path: self.file.name.to_string(),
                    source: e,
                }
            }
        })?;
        let der = crate::parse::pem::scan_plain_piece(&text)
            .and_then(|mut blocks| (blocks.len() == 1).then(|| blocks.remove(0)))
            .and_then(|b| b.body.ok())
            .filter(|der| CertId::of(der) == cert.id)
            .and_then(|der| with_keys(der, cert));
        der.ok_or_else(|| {
            changed(format!(
                "the certificate read at {} is no longer there",
                cert.first_origin()
            ))
        })
    }
}

/// No key identifier: no field of a certificate ends at its first byte.
const NO_SPAN: Span = Span { start: 0, end: 0 };

fn some_span(s: Span) -> Option<Span> {
    (s.end != 0).then_some(s)
}

/// `der` (the certificate's, checked) followed by its prepared keys, laid
/// out as [`Cert::from_der`] does; the keys are made again as they were
/// then, so they are the same bytes.
fn with_keys(mut der: Vec<u8>, cert: &Cert) -> Option<Vec<u8>> {
    let fast = crate::parse::cert_der::walk(&der).and_then(|w| {
        crate::name_key::prepared_der(w.subject.of(&der))
            .zip(crate::name_key::prepared_der(w.issuer.of(&der)))
    });
    let (subject, issuer) = match fast {
        Some(keys) => keys,
        None => full_parse(&der).ok().map(|(_, s, i)| (s, i))?,
    };
    if der.len() != cert.der_len as usize || der.len() + subject.len() != cert.subject_end as usize
    {
        return None;
    }
    der.extend_from_slice(&subject);
    if !cert.shared {
        der.extend_from_slice(&issuer);
    }
    Some(der)
}

/// The hash the name indexes keep of a prepared name.
pub(crate) fn name_hash(name: &[u8]) -> u64 {
    use std::hash::BuildHasher;
    std::hash::BuildHasherDefault::<NameHasher>::default().hash_one(name)
}

#[cfg(unix)]
fn read_exact_at(file: &std::fs::File, buf: &mut [u8], at: u64) -> std::io::Result<()> {
    std::os::unix::fs::FileExt::read_exact_at(file, buf, at)
}

#[cfg(not(unix))]
fn read_exact_at(_: &std::fs::File, _: &mut [u8], _: u64) -> std::io::Result<()> {
    // Never reached: Reread::of gives no reader off Unix.
    Err(std::io::ErrorKind::Unsupported.into())
}

impl Cert {
    /// Parses `der` as one X.509 certificate. Trailing bytes are refused:
    /// a truncated or padded file is a malformed one.
    ///
    /// The shallow walk ([`crate::parse::cert_der::walk`]) reads what
    /// indexing needs; it accepts only what x509-parser accepts too. What
    /// it is unsure of goes to x509-parser, which then accepts or refuses
    /// (with its own words) exactly as when every certificate was parsed
    /// in full, so messages about malformed certificates are unchanged.
    pub fn from_der(der: Vec<u8>, origin: Origin) -> Result<Cert, String> {
        let id = CertId::of(&der);
        let fast = crate::parse::cert_der::walk(&der).and_then(|w| {
            let subject = crate::name_key::prepared_der(w.subject.of(&der))?;
            let issuer = crate::name_key::prepared_der(w.issuer.of(&der))?;
            Some((w, subject, issuer))
        });
        let (w, subject_key, issuer_key) = match fast {
            Some(found) => found,
            None => full_parse(&der)?,
        };
        let shared = subject_key == issuer_key;
        let der_len = der.len() as u32;
        let subject_end = der_len + subject_key.len() as u32;
        let names_identical = w.subject.of(&der) == w.issuer.of(&der);
        let mut bytes = der;
        bytes.extend_from_slice(&subject_key);
        if !shared {
            bytes.extend_from_slice(&issuer_key);
        }
        Ok(Cert {
            bytes: OnceLock::from(Arc::<[u8]>::from(bytes)),
            der_len,
            subject_end,
            id,
            origins: Origins::one(origin),
            subject_raw: w.subject,
            issuer_raw: w.issuer,
            spki_raw: w.spki,
            ski: w.ski.unwrap_or(NO_SPAN),
            aki: w.aki.unwrap_or(NO_SPAN),
            not_before: w.not_before,
            not_after: w.not_after,
            is_ca: w.is_ca,
            names_identical,
            shared,
            display: OnceLock::new(),
            away: None,
        })
    }

    /// Lets go of the DER, which lies at `at..at + len` in `file` as one
    /// plain PEM block: only the prepared names stay. Nothing is done when
    /// the public key cannot be hashed (the DER then stays).
    pub(crate) fn keep_on_disk(&mut self, file: &Arc<Reread>, at: u64, len: usize) {
        let Some(key_bits) = key_bits(self.spki_raw()) else {
            return;
        };
        if self.away.is_some() || len >> LEN_BITS != 0 || at >> (64 - LEN_BITS) != 0 {
            return;
        }
        let (subject_hash, issuer_hash) = (self.subject_hash(), self.issuer_hash());
        self.bytes = OnceLock::new();
        self.away = Some(Away {
            file: file.clone(),
            place: at << LEN_BITS | len as u64,
            key_bits,
            subject_hash,
            issuer_hash,
        });
    }

    /// Reads the DER again now if it was kept on disk and not read yet:
    /// the error says which file changed.
    pub fn load(&self) -> crate::error::Result<()> {
        if let Some(a) = &self.away
            && self.bytes.get().is_none()
        {
            let bytes = a.read(self)?;
            let _ = self.bytes.set(Arc::from(bytes));
        }
        Ok(())
    }

    /// The public key's [`key_bits`] when the DER is on disk and not read
    /// yet (else `None`: compare the key itself).
    pub(crate) fn unread_key_bits(&self) -> Option<u64> {
        self.away
            .as_ref()
            .filter(|_| self.bytes.get().is_none())
            .map(|a| a.key_bits)
    }

    /// The DER. For a certificate kept on disk, read again on first use;
    /// should the file have changed since, the `on_failure` given to
    /// [`keep_der_on_disk`] ends the run (commands call
    /// [`crate::parse::Inventory::load_needed`] first, which returns the
    /// error instead, for every certificate a path search can touch).
    pub fn der(&self) -> &[u8] {
        &self.bytes()[..self.der_len as usize]
    }
    /// The DER and the prepared keys, read again first for a certificate
    /// kept on disk (see [`Cert::der`]).
    fn bytes(&self) -> &[u8] {
        self.bytes.get_or_init(|| {
            let a = self
                .away
                .as_ref()
                .expect("only a certificate on disk has no bytes");
            match a.read(self) {
                Ok(bytes) => Arc::from(bytes),
                Err(e) => (a.file.on_failure)(&e),
            }
        })
    }
    pub fn id(&self) -> CertId {
        self.id
    }
    /// The full parsed view, parsed anew on each call (callers keep it
    /// while they need it). Cannot fail: [`Cert::from_der`] accepted only
    /// bytes that x509-parser accepts.
    pub fn parsed(&self) -> X509Certificate<'_> {
        X509Certificate::from_der(self.der())
            .map(|(_, x)| x)
            .expect("from_der accepts only what x509-parser accepts")
    }
    fn display(&self) -> &(String, String) {
        self.display.get_or_init(|| {
            // A name x509-parser reads inside the certificate may still be
            // refused on its own (it is stricter about a SET's length out of
            // context: a fuzzed certificate showed it); then the name comes
            // from the whole certificate, which from_der accepted.
            let text = |raw: &[u8], subject: bool| {
                X509Name::from_der(raw)
                    .map(|(_, n)| name_to_string(&n))
                    .unwrap_or_else(|_| {
                        let x = self.parsed();
                        name_to_string(if subject { x.subject() } else { x.issuer() })
                    })
            };
            Box::new((
                text(self.subject_raw(), true),
                text(self.issuer_raw(), false),
            ))
        })
    }
    /// Subject as a one-line RFC 4514-style string.
    pub fn subject(&self) -> &str {
        &self.display().0
    }
    pub fn issuer(&self) -> &str {
        &self.display().1
    }
    /// DER of the subject Name, for exact matching.
    pub fn subject_raw(&self) -> &[u8] {
        self.subject_raw.of(self.der())
    }
    pub fn issuer_raw(&self) -> &[u8] {
        self.issuer_raw.of(self.der())
    }
    /// The subject prepared for comparison: two names that RFC 5280 §7.1
    /// calls equal (case, spaces, PrintableString vs UTF8String) have equal
    /// keys. Issuer lookups use these, never the raw bytes.
    pub fn subject_key(&self) -> &[u8] {
        &self.bytes()[self.der_len as usize..self.subject_end as usize]
    }
    pub fn issuer_key(&self) -> &[u8] {
        let at = if self.shared {
            self.der_len
        } else {
            self.subject_end
        };
        &self.bytes()[at as usize..]
    }
    /// [`name_hash`] of [`Cert::subject_key`], known without reading a
    /// certificate kept on disk again.
    pub fn subject_hash(&self) -> u64 {
        match &self.away {
            Some(a) => a.subject_hash,
            None => name_hash(self.subject_key()),
        }
    }
    /// [`name_hash`] of [`Cert::issuer_key`], the same way.
    pub fn issuer_hash(&self) -> u64 {
        match &self.away {
            Some(a) => a.issuer_hash,
            None => name_hash(self.issuer_key()),
        }
    }
    /// DER of the SubjectPublicKeyInfo.
    pub fn spki_raw(&self) -> &[u8] {
        self.spki_raw.of(self.der())
    }
    pub fn subject_key_id(&self) -> Option<&[u8]> {
        some_span(self.ski).map(|s| s.of(self.der()))
    }
    pub fn authority_key_id(&self) -> Option<&[u8]> {
        some_span(self.aki).map(|s| s.of(self.der()))
    }
    /// notBefore, seconds since the Unix epoch.
    pub fn not_before(&self) -> i64 {
        self.not_before
    }
    /// notAfter, seconds since the Unix epoch.
    pub fn not_after(&self) -> i64 {
        self.not_after
    }
    /// basicConstraints says CA:TRUE.
    pub fn is_ca(&self) -> bool {
        self.is_ca
    }
    /// The subject's and the issuer's DER are the same bytes (known
    /// without reading a certificate kept on disk again).
    pub fn names_identical(&self) -> bool {
        self.names_identical
    }
    /// Subject and issuer names are identical (a root, or a self-issued
    /// re-key). Whether it is self-*signed* is a signature question.
    pub fn is_self_issued(&self) -> bool {
        self.shared
    }
    /// `source:block` of the first place it was seen.
    pub fn first_origin(&self) -> &Origin {
        self.origins.first()
    }
    pub fn to_pem(&self) -> String {
        ::pem::encode(&::pem::Pem::new("CERTIFICATE", self.der().to_vec())).replace("\r\n", "\n")
    }
}

/// What [`Cert::from_der`] reads, by x509-parser: the path for every
/// certificate the shallow walk is unsure of, and the source of the
/// message when the certificate is malformed.
pub(crate) fn full_parse(der: &[u8]) -> Result<(Walked, Vec<u8>, Vec<u8>), String> {
    let (rest, x) = X509Certificate::from_der(der).map_err(|e| describe_x509_error(&e))?;
    if !rest.is_empty() {
        return Err(format!(
            "{} unexpected byte(s) after the certificate",
            rest.len()
        ));
    }
    let ski = x
        .iter_extensions()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::SubjectKeyIdentifier(k) => Some(Span::within(der, k.0)),
            _ => None,
        });
    let aki = x
        .iter_extensions()
        .find_map(|e| match e.parsed_extension() {
            ParsedExtension::AuthorityKeyIdentifier(a) => {
                a.key_identifier.as_ref().map(|k| Span::within(der, k.0))
            }
            _ => None,
        });
    let w = Walked {
        issuer: Span::within(der, x.issuer().as_raw()),
        subject: Span::within(der, x.subject().as_raw()),
        spki: Span::within(der, x.public_key().raw),
        ski,
        aki,
        not_before: x.validity().not_before.timestamp(),
        not_after: x.validity().not_after.timestamp(),
        is_ca: matches!(x.basic_constraints(), Ok(Some(bc)) if bc.value.ca),
    };
    Ok((w, prepared_name(x.subject()), prepared_name(x.issuer())))
}

impl fmt::Debug for Cert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Cert")
            .field("id", &self.id)
            .field("subject", &self.subject())
            .field("issuer", &self.issuer())
            .finish()
    }
}

impl PartialEq for Cert {
    fn eq(&self, other: &Self) -> bool {
        self.id == other.id
    }
}
impl Eq for Cert {}

/// Formats a distinguished name as `CN=…, O=…`, in the certificate's
/// order, values escaped as RFC 4514 says ([`crate::dn`]).
pub fn name_to_string(name: &X509Name<'_>) -> String {
    crate::dn::name_to_string(name)
}

/// A Name prepared for comparison per RFC 5280 §7.1 / RFC 4518 (see
/// [`crate::name_key`]).
pub fn prepared_name(name: &X509Name<'_>) -> Vec<u8> {
    crate::name_key::prepared(name)
}

fn describe_x509_error(e: &x509_parser::nom::Err<X509Error>) -> String {
    match e {
        x509_parser::nom::Err::Incomplete(_) => "the data ends early (truncated)".to_string(),
        x509_parser::nom::Err::Error(e) | x509_parser::nom::Err::Failure(e) => {
            format!("not a valid X.509 certificate ({e})")
        }
    }
}

/// The algorithm and size of a key, as reports and keystore rules need it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum KeyAlgorithm {
    Rsa { bits: usize },
    Ec { curve: String },
    Ed25519,
    Other { oid: String },
}

impl fmt::Display for KeyAlgorithm {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyAlgorithm::Rsa { bits } => write!(f, "RSA {bits}"),
            KeyAlgorithm::Ec { curve } => write!(f, "EC {curve}"),
            KeyAlgorithm::Ed25519 => f.write_str("Ed25519"),
            KeyAlgorithm::Other { oid } => match oid.as_str() {
                "1.3.101.113" => f.write_str("Ed448"),
                "1.2.840.10040.4.1" => f.write_str("DSA"),
                _ => write!(f, "key {oid}"),
            },
        }
    }
}

/// How a private key was stored where it was found; keystore rules care
/// (Salesforce wants PKCS#8), reports say it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum KeyFormat {
    Pkcs8,
    EncryptedPkcs8,
    Pkcs1,
    Sec1,
    LegacyEncryptedPem,
    Pkcs12,
    Jks,
}

/// A private key, always held as unencrypted PKCS#8 DER (zeroed on drop)
/// together with its public key, so it can be matched against a
/// certificate's SubjectPublicKeyInfo. Its `Debug` never shows the key.
#[derive(Clone)]
pub struct PrivateKey {
    pkcs8: Zeroizing<Vec<u8>>,
    algorithm: KeyAlgorithm,
    spki: Vec<u8>,
    pub format: KeyFormat,
    pub origins: Origins,
}

impl PrivateKey {
    /// `pkcs8` is the PrivateKeyInfo DER; `spki` the DER of the matching
    /// SubjectPublicKeyInfo (derived by the parser).
    pub fn new(
        pkcs8: Zeroizing<Vec<u8>>,
        algorithm: KeyAlgorithm,
        spki: Vec<u8>,
        format: KeyFormat,
        origin: Origin,
    ) -> PrivateKey {
        PrivateKey {
            pkcs8,
            algorithm,
            spki,
            format,
            origins: Origins::one(origin),
        }
    }
    pub fn pkcs8_der(&self) -> &[u8] {
        &self.pkcs8
    }
    pub fn algorithm(&self) -> &KeyAlgorithm {
        &self.algorithm
    }
    pub fn spki_der(&self) -> &[u8] {
        &self.spki
    }
    /// A stable id for the key: SHA-256 of its public key info, safe to show.
    pub fn public_id(&self) -> CertId {
        CertId::of(&self.spki)
    }
    /// True when `cert` carries this key's public key. Compares the whole
    /// public key (algorithm, parameters and key bits), never a modulus
    /// prefix; parameters are compared after parsing, so an absent and an
    /// explicit NULL for RSA are the same.
    pub fn matches(&self, cert: &Cert) -> bool {
        if let Some(bits) = cert.unread_key_bits()
            && key_bits(&self.spki).is_some_and(|k| k != bits)
        {
            return false;
        }
        spki_equal(&self.spki, cert.spki_raw())
    }
    pub fn first_origin(&self) -> &Origin {
        self.origins.first()
    }
}

impl fmt::Debug for PrivateKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("PrivateKey")
            .field("algorithm", &self.algorithm)
            .field("public_id", &self.public_id().short())
            .field("pkcs8", &"<redacted>")
            .finish()
    }
}

/// Compares two SubjectPublicKeyInfo encodings by meaning: algorithm OID,
/// curve (for EC) and the public key bits.
pub fn spki_equal(a: &[u8], b: &[u8]) -> bool {
    if a == b {
        return true;
    }
    use x509_parser::x509::SubjectPublicKeyInfo;
    let (Ok((_, a)), Ok((_, b))) = (
        SubjectPublicKeyInfo::from_der(a),
        SubjectPublicKeyInfo::from_der(b),
    ) else {
        return false;
    };
    if a.algorithm.algorithm != b.algorithm.algorithm
        || a.subject_public_key.data != b.subject_public_key.data
    {
        return false;
    }
    // RSA: NULL or absent parameters are equivalent; EC: the curve OID must agree.
    let param_oid = |p: &Option<x509_parser::der_parser::asn1_rs::Any<'_>>| {
        p.as_ref()
            .and_then(|any| any.clone().oid().ok().map(|o| o.to_id_string()))
    };
    param_oid(&a.algorithm.parameters) == param_oid(&b.algorithm.parameters)
}

/// Why the reader set a block aside instead of using it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DropReason {
    /// The same certificate (same SHA-256) was read before, at `first`.
    Duplicate { first: String },
    /// A certificate signing request: not part of a chain.
    CertificateRequest,
    /// A PEM label the reader does not use (e.g. `X509 CRL`, `DH PARAMETERS`).
    UnknownLabel { label: String },
    /// The same key was read before.
    DuplicateKey { first: String },
    /// A certificate revocation list: kept apart (Inventory::crls) for the
    /// revocation stage, not a certificate.
    Crl,
    /// A key in an algorithm chainfix does not use (DSA, Ed448), found
    /// next to certificates that were read (a PKCS#12 file).
    UnsupportedKey { detail: String },
    /// A file in an input directory that holds no certificate data
    /// (`README.txt`, `.DS_Store`, `index.txt`): skipped.
    NotCertificateData { detail: String },
}

/// A block the reader read but did not keep, with where it was.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Dropped {
    pub origin: Origin,
    pub reason: DropReason,
}

/// The algorithm and size of the public key in a SubjectPublicKeyInfo.
pub fn key_algorithm_of(spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>) -> KeyAlgorithm {
    use x509_parser::public_key::PublicKey;
    let oid = spki.algorithm.algorithm.to_id_string();
    match spki.parsed() {
        Ok(PublicKey::RSA(rsa)) => KeyAlgorithm::Rsa {
            bits: rsa.key_size(),
        },
        Ok(PublicKey::EC(_)) => {
            let curve = named_curve_oid(spki);
            KeyAlgorithm::Ec {
                curve: curve_name(&curve).to_string(),
            }
        }
        _ if oid == "1.3.101.112" => KeyAlgorithm::Ed25519,
        // id-RSASSA-PSS: an RSA key restricted to PSS; its size is what
        // peers and policies judge.
        _ if oid == "1.2.840.113549.1.1.10" => {
            match x509_parser::public_key::RSAPublicKey::from_der(&spki.subject_public_key.data) {
                Ok((_, k)) => KeyAlgorithm::Rsa { bits: k.key_size() },
                Err(_) => KeyAlgorithm::Other { oid },
            }
        }
        _ => KeyAlgorithm::Other { oid },
    }
}

/// The named curve OID of an EC public key (dotted), or "" when the
/// parameters name none.
pub fn named_curve_oid(spki: &x509_parser::x509::SubjectPublicKeyInfo<'_>) -> String {
    spki.algorithm
        .parameters
        .as_ref()
        .and_then(|p| p.clone().oid().ok())
        .map(|o| o.to_id_string())
        .unwrap_or_default()
}

/// Short name of a named curve OID (P-256, P-384, P-521), or the OID.
pub fn curve_name(oid: &str) -> &str {
    match oid {
        "1.2.840.10045.3.1.7" => "P-256",
        "1.3.132.0.34" => "P-384",
        "1.3.132.0.35" => "P-521",
        other => other,
    }
}

impl Cert {
    /// The algorithm and size of the certificate's public key.
    pub fn key_algorithm(&self) -> KeyAlgorithm {
        key_algorithm_of(self.parsed().public_key())
    }

    /// caIssuers URLs from the Authority Information Access extension: where
    /// the issuer's certificate can be downloaded.
    pub fn ca_issuer_urls(&self) -> Vec<String> {
        self.aia_urls("1.3.6.1.5.5.7.48.2")
    }

    /// OCSP responder URLs from the Authority Information Access extension.
    pub fn ocsp_urls(&self) -> Vec<String> {
        self.aia_urls("1.3.6.1.5.5.7.48.1")
    }

    fn aia_urls(&self, method: &str) -> Vec<String> {
        let x = self.parsed();
        let mut out = Vec::new();
        for e in x.iter_extensions() {
            if let ParsedExtension::AuthorityInfoAccess(aia) = e.parsed_extension() {
                for ad in &aia.accessdescs {
                    if ad.access_method.to_id_string() == method
                        && let GeneralName::URI(u) = &ad.access_location
                    {
                        out.push(u.to_string());
                    }
                }
            }
        }
        out
    }
}

/// RFC 3339 in UTC for a Unix time, or the number if out of range: the one
/// way every report and message writes a time.
pub fn rfc3339(t: i64) -> String {
    ::time::OffsetDateTime::from_unix_timestamp(t)
        .ok()
        .and_then(|d| {
            d.format(&::time::format_description::well_known::Rfc3339)
                .ok()
        })
        .unwrap_or_else(|| t.to_string())
}

#[cfg(test)]
mod size_tests {
    /// A pool of a million certificates keeps a million of these
    /// (docs/benchmarks.md, the 1,000,000 goal).
    #[test]
    fn a_certificate_takes_at_most_216_bytes() {
        assert!(std::mem::size_of::<super::Cert>() <= 216);
    }
}

#[cfg(test)]
mod id_hash_tests {
    use super::*;

    #[test]
    fn ids_that_share_the_hashed_prefix_stay_distinct() {
        let a = CertId([7; 32]);
        let mut b = a;
        b.0[31] = 8;
        let set: IdSet = [a, b, a].into_iter().collect();
        assert_eq!(set.len(), 2);
        assert!(set.contains(&a) && set.contains(&b));
        let map: IdMap<usize> = [(a, 1), (b, 2)].into_iter().collect();
        assert_eq!((map[&a], map[&b]), (1, 2));
        assert!(!set.contains(&CertId([0; 32])));
    }

    #[test]
    fn name_hashes_spread_over_names_that_differ_anywhere() {
        use std::hash::BuildHasher;
        let b = std::hash::BuildHasherDefault::<NameHasher>::default();
        let names: Vec<Vec<u8>> = (0..10_000)
            .flat_map(|i| {
                let tail = format!("stranger {i}").into_bytes();
                let mut head = tail.clone();
                head.reverse();
                [tail, head]
            })
            .collect();
        let hashes: std::collections::HashSet<u64> =
            names.iter().map(|n| b.hash_one(n.as_slice())).collect();
        assert!(hashes.len() > names.len() - 5, "{} distinct", hashes.len());
        assert_eq!(b.hash_one(&b"abc"[..]), b.hash_one(&b"abc"[..]));
        assert_ne!(b.hash_one(&b"abc"[..]), b.hash_one(&b"abc\0"[..]));
        let mut m: NameMap<usize> = NameMap::default();
        for (i, n) in names.iter().enumerate() {
            m.insert(n, i);
        }
        assert!(names.iter().enumerate().all(|(i, n)| m[n.as_slice()] == i));
    }
}
