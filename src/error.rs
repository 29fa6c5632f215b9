//! Every way chainfix can fail to do its job, each with one sentence that
//! names the file and says what to do. Errors mean exit code 2; problems
//! found *in* a chain are findings, not errors.

use std::path::PathBuf;

/// A failure to do the job. `Display` is the sentence shown to the user.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "cannot read {path}: {}; check the path and its permissions",
        io_words(source)
    )]
    Read {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is empty; give the file that holds the certificate or key")]
    Empty { path: String },
    #[error(
        "{path} is not a certificate, key, PKCS#7, PKCS#12 or keystore file ({detail}); check that this is the file you meant"
    )]
    NotRecognised { path: String, detail: String },
    #[error("{origin}: {what} is malformed ({detail}); get a fresh copy of the file")]
    Malformed {
        origin: String,
        what: String,
        detail: String,
    },
    #[error(
        "{path} is protected by a password and none was given; pass --password-file FILE or set {env}"
    )]
    PasswordNeeded { path: String, env: String },
    #[error(
        "the password for {path} is wrong (or the file was changed); check the password given by --password-file or {env}"
    )]
    WrongPassword { path: String, env: String },
    #[error("{path}: {detail}")]
    Unsupported { path: String, detail: String },
    #[error(
        "{path} holds no certificate; give the files that hold your certificate and its issuers"
    )]
    NoCertificates { path: String },
    #[error("no certificate was found in the inputs; give the file that holds your certificate")]
    NoInputCertificates,
    #[error(
        "{origin} is a certificate signing request (CSR), not a certificate; send it to your certificate authority and give chainfix the certificate it returns"
    )]
    OnlyCertificateRequest { origin: String },
    #[error(
        "{origin} is a CRL (certificate revocation list), not a certificate; give it with --crl to check revocation (chainfix verify CERT-FILES --crl {origin}), or see it with chainfix inspect {origin}"
    )]
    OnlyCrl { origin: String },
    #[error(
        "{origin} is a CA certificate (\"{subject}\"), and the inputs hold no leaf below it: nothing to bundle; add the certificate issued to you (for your key), or pass --leaf to bundle from this CA certificate on purpose"
    )]
    OnlyCaCertificates { origin: String, subject: String },
    #[error(
        "{key} holds a private key, but no certificate was given; add the file that holds the certificate issued for this key"
    )]
    KeyWithoutCertificate { key: String },
    #[error(
        "the private key from {key} matches none of the certificates given; give the certificate issued for this key, or the key that belongs to the certificate"
    )]
    KeyMatchesNothing { key: String },
    #[error(
        "more than one certificate could be the leaf: {}; choose one with --leaf (a SHA-256 prefix or a subject)",
        crate::render::cap::join(candidates, "; ")
    )]
    AmbiguousLeaf { candidates: Vec<String> },
    #[error(
        "--leaf {selector} matches {matches}; give a longer SHA-256 prefix or the full subject"
    )]
    LeafSelector { selector: String, matches: String },
    #[error("{path} already exists; pass --force to overwrite it, or choose another path with -o")]
    OutputExists { path: PathBuf },
    #[error(
        "{} is a directory; give a file name inside it, e.g. -o {}",
        path.display(),
        path.join("NAME").display()
    )]
    OutputIsDirectory { path: PathBuf },
    #[error("cannot write {}: {}; check that the directory exists and is writable", path.display(), io_words(source))]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} holds no private key; give the key file with --key (PEM, DER, PKCS#12 or JKS)")]
    NoKeyIn { path: String },
    #[error(
        "{path} holds a certificate, not a private key; give the key file with --key, and {path} among the FILEs"
    )]
    CertificateGivenAsKey { path: String },
    #[error(
        "no private key among the inputs; add the key file (or give it with --key FILE), or pass --no-key to write the chain alone"
    )]
    NoKey,
    #[error(
        "{path} names no root chainfix can use (no PEM certificate, fingerprint or Java cacerts alias it knows); save your org's list from https://<MyDomain>.my.salesforce.com/cacerts.jsp, or give the roots as PEM"
    )]
    NoTrustAnchors { path: String },
    #[error(
        "cannot set up downloads ({detail}); pass --offline with --intermediates FILE to work without the network"
    )]
    FetchSetup { detail: String },
    #[error(
        "{} already holds a private key, and chainfix never replaces one (the certificate issued for it would be orphaned); make a CSR for that key with --key {}, or choose another --key-out", path.display(), path.display()
    )]
    KeyOutExists { path: PathBuf },
    #[error(
        "{path} is not a text file (not UTF-8); a password file holds the password as text on its first line, e.g. `printf '%s\\n' 'my password' > {path}`"
    )]
    PasswordFileNotText { path: String },
    #[error(
        "{path} is larger than {limit_mib} MiB, far more than certificates, keys and passwords take; check that this is the file you meant (to read bigger files, set CHAINFIX_MAX_INPUT_MIB, e.g. CHAINFIX_MAX_INPUT_MIB=256)"
    )]
    TooLarge { path: String, limit_mib: u64 },
    #[error(
        "{path} changed while chainfix was reading it ({detail}); run chainfix again once nothing is writing to the file"
    )]
    ChangedWhileRead { path: String, detail: String },
    #[error(
        "{path} is a {kind}, not a regular file, and reading it could wait forever; give the file itself (or pipe it to standard input and give - instead)"
    )]
    SpecialFile { path: String, kind: &'static str },
    #[error(
        "{path}: decrypting it takes {needed} more key-derivation iterations, past the {budget} chainfix spends in one run ({spent} already spent on the inputs before it); give fewer encrypted files at a time, decrypt the keys first (`openssl pkey -in KEY -out key.pem`), or raise the budget with CHAINFIX_KDF_BUDGET=N"
    )]
    KdfBudget {
        path: String,
        needed: u64,
        spent: u64,
        budget: u64,
    },
    #[error("{0}")]
    Usage(String),
    #[error(
        "{path}: the keystore password is wrong or the file was changed; check the password given by --password-file or CHAINFIX_PASSWORD, or get a fresh copy of the file"
    )]
    KeystoreIntegrity { path: String },
    #[error(
        "{path}: the key of entry {alias:?} has a password different from the keystore password (Salesforce: \"The Keystore contains a certificate '{alias}' whose per key password is not the same as the keystore password.\"); set it with `keytool -keypasswd -alias {alias} -keystore {path}`"
    )]
    KeyPasswordDiffers { path: String, alias: String },
    #[error(
        "{path} holds only trusted certificates and no private key entry (Salesforce: \"No certificate was imported because the keystore file doesn't contain a PrivateKey entry.\"); give the private key file too, or the keystore that holds it"
    )]
    OnlyTrustedCerts { path: String },
    #[error(
        "the {what} password must have at least {min} characters (keytool refuses shorter ones); choose a longer one"
    )]
    PasswordTooShort { what: String, min: usize },
    #[error(
        "the password for the new {what} ({from}) is empty, so anyone who gets the file gets the key; {fix}"
    )]
    EmptyOutputPassword {
        what: String,
        from: String,
        fix: String,
    },
    #[error(
        "no password for the new {what}; give one with --password-file FILE or set CHAINFIX_PASSWORD"
    )]
    OutputPasswordNeeded { what: String },
    #[error("{ours} (Salesforce: \"{salesforce}\"); {fix}")]
    Salesforce {
        ours: String,
        salesforce: String,
        fix: String,
    },
    #[error("alias {alias:?} {problem}; use --alias {suggestion}")]
    Alias {
        alias: String,
        problem: String,
        suggestion: String,
    },
    #[error("the operating system's random number generator failed; try again")]
    Random,
    #[error("cannot make the {what}: {detail}")]
    Crypto { what: String, detail: String },
    #[error("cannot resolve {host}: {detail}; check the host name (and your DNS)")]
    Dns { host: String, detail: String },
    #[error(
        "connection to {target} ({addr}) was refused: nothing listens on that port; check the port number and that the server is running"
    )]
    Refused { target: String, addr: String },
    #[error(
        "no answer from {target} within {secs}s while connecting; check the host and port, and any firewall in between (or raise --timeout)"
    )]
    ConnectTimeout { target: String, secs: f64 },
    #[error(
        "cannot connect to {target} ({addr}): {}; check the host and port",
        io_words(source)
    )]
    Connect {
        target: String,
        addr: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{target} ({addr}) accepted the connection but sent no TLS handshake within {secs}s; check that this port serves TLS directly (not plain text or STARTTLS), or raise --timeout"
    )]
    HandshakeTimeout {
        target: String,
        addr: String,
        secs: f64,
    },
    #[error(
        "{target} ({addr}) closed the connection before any TLS handshake; check that this port serves TLS and that the server name (--servername) is one it serves"
    )]
    ClosedBeforeHandshake { target: String, addr: String },
    #[error("{target} does not speak TLS ({detail}); check the port (plain HTTP? STARTTLS?)")]
    NotTls { target: String, detail: String },
}

/// Result with chainfix's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// An I/O error in words for a sentence: the system's text without its
/// "(os error 2)" (a number for programmers) and with a lower-case start,
/// "no such file or directory".
fn io_words(e: &std::io::Error) -> String {
    let text = e.to_string();
    let text = match text.rfind(" (os error ") {
        Some(i) if text.ends_with(')') => text[..i].to_string(),
        _ => text,
    };
    let mut chars = text.chars();
    match chars.next() {
        Some(c) if chars.clone().next().is_some_and(char::is_lowercase) => {
            c.to_lowercase().chain(chars).collect()
        }
        _ => text,
    }
}

impl Error {
    /// The process exit code for this error: 2 (the job could not be done),
    /// except a key that matches no certificate, which the job reports as a
    /// finding (1): the inputs were read, they just do not fit together.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::KeyMatchesNothing { .. } => 1,
            _ => 2,
        }
    }
}
