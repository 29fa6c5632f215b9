//! Bytes → certificates and keys. One entry point, [`parse_source`], sniffs
//! the format by content (the file extension is only a hint) and feeds an
//! [`Inventory`]: certificates de-duplicated by SHA-256, keys de-duplicated
//! by public key, every block set aside recorded in `dropped`, and every
//! block or file that could not be read recorded in `problems` without
//! stopping the others.

use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::model::{Cert, DropReason, Dropped, Origin, PrivateKey};

/// Where passwords for encrypted inputs come from. The library never
/// prompts by itself: the command layer supplies a source that may read a
/// file, an environment variable or a terminal.
pub trait Passwords {
    /// The password to try for `path`, or `None` when none is available.
    /// `attempt` counts from 0; a source that cannot offer another password
    /// returns `None` for later attempts.
    fn get(&self, path: &str, attempt: usize) -> Result<Option<Zeroizing<String>>>;
    /// The environment variable a user can set, named in error messages.
    fn env_name(&self) -> &str {
        "CHAINFIX_PASSWORD"
    }
}

/// No passwords at all: encrypted inputs are reported as needing one.
pub struct NoPasswords;

impl Passwords for NoPasswords {
    fn get(&self, _path: &str, _attempt: usize) -> Result<Option<Zeroizing<String>>> {
        Ok(None)
    }
}

/// One password for every encrypted input.
pub struct FixedPassword(pub Zeroizing<String>);

impl Passwords for FixedPassword {
    fn get(&self, _path: &str, attempt: usize) -> Result<Option<Zeroizing<String>>> {
        Ok((attempt == 0).then(|| self.0.clone()))
    }
}

/// Everything read from the inputs.
#[derive(Debug, Default)]
pub struct Inventory {
    pub certs: Vec<Cert>,
    pub keys: Vec<PrivateKey>,
    pub dropped: Vec<Dropped>,
    /// Files or blocks that could not be read. Commands that write output
    /// refuse to go on while this is not empty.
    pub problems: Vec<Error>,
}

impl Inventory {
    /// Adds a certificate unless the same DER is already there, in which
    /// case the new origin is recorded on the first copy and as dropped.
    pub fn add_cert(&mut self, cert: Cert) {
        if let Some(first) = self.certs.iter_mut().find(|c| c.id() == cert.id()) {
            let origin = cert.first_origin().clone();
            self.dropped.push(Dropped {
                origin: origin.clone(),
                reason: DropReason::Duplicate {
                    first: first.first_origin().to_string(),
                },
            });
            first.origins.push(origin);
        } else {
            self.certs.push(cert);
        }
    }

    /// Adds a key unless a key with the same public key is already there.
    pub fn add_key(&mut self, key: PrivateKey) {
        if let Some(first) = self
            .keys
            .iter_mut()
            .find(|k| k.spki_der() == key.spki_der())
        {
            let origin = key.first_origin().clone();
            self.dropped.push(Dropped {
                origin: origin.clone(),
                reason: DropReason::DuplicateKey {
                    first: first.first_origin().to_string(),
                },
            });
            first.origins.push(origin);
        } else {
            self.keys.push(key);
        }
    }

    pub fn drop_block(&mut self, origin: Origin, reason: DropReason) {
        self.dropped.push(Dropped { origin, reason });
    }

    /// Moves everything from `other` into `self`, de-duplicating.
    pub fn merge(&mut self, other: Inventory) {
        for c in other.certs {
            self.add_cert(c);
        }
        for k in other.keys {
            self.add_key(k);
        }
        self.dropped.extend(other.dropped);
        self.problems.extend(other.problems);
    }
}

/// Reads one source (a file's bytes, stdin, or a fetched body) into `inv`.
/// `name` is what messages call it; `hint` the lowercase extension if any.
pub fn parse_source(
    bytes: &[u8],
    name: &str,
    hint: Option<&str>,
    passwords: &dyn Passwords,
    inv: &mut Inventory,
) {
    let _ = hint;
    let _ = passwords;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        inv.problems.push(Error::Empty {
            path: name.to_string(),
        });
        return;
    }
    // Keystores (JKS by magic, PKCS#12 by extension), until the parse
    // work sniffs every format: see crate::keystore.
    if crate::keystore::jks::is_jks(bytes)
        || crate::keystore::jks::is_jceks(bytes)
        || crate::keystore::p12::is_pkcs12(bytes)
    {
        read_keystore(bytes, name, passwords, inv);
        return;
    }
    if let Ok(blocks) = pem::parse_many(bytes)
        && !blocks.is_empty()
    {
        for (i, b) in blocks.into_iter().enumerate() {
            let origin = Origin::block(name, i + 1);
            match b.tag() {
                "CERTIFICATE" => match Cert::from_der(b.into_contents(), origin.clone()) {
                    Ok(c) => inv.add_cert(c),
                    Err(detail) => inv.problems.push(Error::Malformed {
                        origin: origin.to_string(),
                        what: "the certificate".into(),
                        detail,
                    }),
                },
                "PRIVATE KEY" => match crate::keystore::key::from_pkcs8(
                    b.contents(),
                    crate::model::KeyFormat::Pkcs8,
                    origin.clone(),
                ) {
                    Ok(k) => inv.add_key(k),
                    Err(detail) => inv.problems.push(Error::Malformed {
                        origin: origin.to_string(),
                        what: "the private key".into(),
                        detail,
                    }),
                },
                "RSA PRIVATE KEY" if b.headers().get("Proc-Type").is_none() => {
                    match crate::keystore::key::from_pkcs1(b.contents(), origin.clone()) {
                        Ok(k) => inv.add_key(k),
                        Err(detail) => inv.problems.push(Error::Malformed {
                            origin: origin.to_string(),
                            what: "the private key".into(),
                            detail,
                        }),
                    }
                }
                "CERTIFICATE REQUEST" => inv.drop_block(origin, DropReason::CertificateRequest),
                other => inv.drop_block(
                    origin,
                    DropReason::UnknownLabel {
                        label: other.to_string(),
                    },
                ),
            }
        }
        return;
    }
    match Cert::from_der(bytes.to_vec(), Origin::file(name)) {
        Ok(c) => inv.add_cert(c),
        Err(detail) => inv.problems.push(Error::NotRecognised {
            path: name.to_string(),
            detail,
        }),
    }
}

/// A JKS or PKCS#12 file: tries each password the source offers; a wrong
/// one is reported once none is left.
fn read_keystore(bytes: &[u8], name: &str, passwords: &dyn Passwords, inv: &mut Inventory) {
    if crate::keystore::jks::is_jceks(bytes) {
        inv.problems.push(Error::Jceks {
            path: name.to_string(),
        });
        return;
    }
    let jks = crate::keystore::jks::is_jks(bytes);
    let mut last = None;
    for attempt in 0.. {
        let pw = match passwords.get(name, attempt) {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(e) => {
                inv.problems.push(e);
                return;
            }
        };
        let got = if jks {
            crate::keystore::jks::read(bytes, name, &pw).map(|(c, k, _)| (c, k))
        } else {
            crate::keystore::p12::read(bytes, name, &pw)
        };
        match got {
            Ok((certs, keys)) => {
                for c in certs {
                    inv.add_cert(c);
                }
                for k in keys {
                    inv.add_key(k);
                }
                return;
            }
            Err(e @ (Error::KeystoreIntegrity { .. } | Error::WrongPassword { .. })) => {
                last = Some(e)
            }
            Err(e) => {
                inv.problems.push(e);
                return;
            }
        }
    }
    inv.problems
        .push(last.unwrap_or_else(|| Error::PasswordNeeded {
            path: name.to_string(),
            env: passwords.env_name().to_string(),
        }));
}
