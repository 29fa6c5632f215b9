//! `chainfix lint`: for every finding id, a generated certificate or chain
//! that triggers it and one that does not (run through the library, so the
//! table stays fast); the Salesforce journeys end to end through the
//! binary; the findings catalogue and the JSON schema kept in step.

use std::path::Path;

use chainfix::check::{self, Id, Input, Options, Profile, Report, Severity, Trust};
use chainfix::model::{Cert, DropReason, Dropped, KeyAlgorithm, KeyFormat, Origin, PrivateKey};
use chainfix::parse::Inventory;
use chainfix::trust::TrustStore;
use rcgen::{
    BasicConstraints, CustomExtension, ExtendedKeyUsagePurpose as Eku, IsCa, KeyUsagePurpose,
};

use crate::corpus;
use crate::pki::{self, Alg, Node, Pki, Spec};
use crate::util::openssl;
use crate::util::{chainfix, stderr, stdout, tempdir, write};

/// 2026-06-01T00:00:00Z: inside every default test validity.
const AT: i64 = 1_780_272_000;

fn cert(n: &Node) -> Cert {
    Cert::from_der(n.der(), Origin::file("test")).unwrap()
}

/// The key of `n`, read from `test.pem` (the file the certificates of
/// [`Setup::new`] come from).
fn key_of(n: &Node, format: KeyFormat) -> PrivateKey {
    PrivateKey::new(
        zeroize::Zeroizing::new(n.key.serialize_der()),
        KeyAlgorithm::Ec {
            curve: "P-256".into(),
        },
        rcgen::PublicKeyData::subject_public_key_info(&n.key),
        format,
        Origin::block("test.pem", 9),
    )
}

/// Everything one lint run needs.
struct Setup {
    certs: Vec<Cert>,
    keys: Vec<PrivateKey>,
    dropped: Vec<Dropped>,
    unreadable: Vec<String>,
    opts: Options,
    public: TrustStore,
    private: Option<TrustStore>,
}

impl Setup {
    /// The certificates as blocks of one file, in this order.
    fn new(nodes: &[&Node]) -> Setup {
        Setup::of_certs(
            nodes
                .iter()
                .enumerate()
                .map(|(i, n)| Cert::from_der(n.der(), Origin::block("test.pem", i + 1)).unwrap())
                .collect(),
        )
    }
    fn of_certs(certs: Vec<Cert>) -> Setup {
        Setup {
            certs,
            keys: vec![],
            dropped: vec![],
            unreadable: vec![],
            opts: Options::at(AT),
            public: TrustStore::new("empty", vec![], false),
            private: None,
        }
    }
    fn profile(mut self, p: Profile) -> Setup {
        self.opts.profile = Some(p);
        self
    }
    fn at(mut self, t: i64) -> Setup {
        self.opts.at = t;
        self
    }
    /// The root counts as public: it is in the store in use.
    fn public_root(mut self, root: &Node) -> Setup {
        self.public = TrustStore::new("test-public", vec![cert(root)], false);
        self
    }
    fn private_root(mut self, root: &Node) -> Setup {
        self.private = Some(TrustStore::new("test-private", vec![cert(root)], false));
        self
    }
    fn run(&self) -> Report {
        let input = Input {
            certs: &self.certs,
            keys: &self.keys,
            dropped: &self.dropped,
            unreadable: &self.unreadable,
        };
        let trust = Trust {
            public: &self.public,
            private: self.private.as_ref(),
            explicit: false,
        };
        check::lint(&input, &trust, &self.opts).expect("some certificate")
    }
}

fn ec() -> Alg {
    Alg::EcdsaP256
}

fn client_pki() -> Pki {
    Pki::client(1, false)
}

/// Root → intermediate → leaf with the leaf's spec changed by `f`.
fn pki_with_leaf(f: impl FnOnce(&mut Spec)) -> Pki {
    let mut leaf = Spec::client("client.example.test", ec());
    f(&mut leaf);
    Pki::build(
        Spec::ca("Test Root CA", ec()),
        vec![Spec::ca("Test Intermediate CA", ec())],
        leaf,
    )
}

fn good(p: &Pki) -> Setup {
    Setup::new(&[&p.leaf, &p.intermediates[0], &p.root])
        .private_root(&p.root)
        .profile(Profile::Client)
}

fn day(s: &str) -> i64 {
    check::policy::day(s)
}

// ---- openssl-made certificates for what rcgen cannot make ----

const OSSL_CNF: &str = "\
[req]
distinguished_name = dn
prompt = no
[dn]
CN = OSSL Root
[root_ext]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[root_nc]
basicConstraints = CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = hash
[root_noski]
basicConstraints = critical,CA:TRUE
keyUsage = critical,keyCertSign,cRLSign
subjectKeyIdentifier = none
[leaf_ext]
basicConstraints = CA:FALSE
keyUsage = critical,digitalSignature
extendedKeyUsage = clientAuth
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid,issuer
";

/// An openssl root (extensions section `root_ext`, key `root_key` as
/// `-newkey` argument) and a clientAuth leaf (key `leaf_key`) signed with
/// `digest`. Returns (root, leaf) and a time inside both validities.
fn ossl_chain(root_ext: &str, root_key: &str, leaf_key: &str, digest: &str) -> (Cert, Cert, i64) {
    let d = tempdir();
    let dir = d.path();
    write(dir, "cnf", OSSL_CNF);
    let mut req = vec![
        "req",
        "-x509",
        "-config",
        "cnf",
        "-extensions",
        root_ext,
        "-newkey",
    ];
    req.extend(root_key.split_whitespace());
    req.extend([
        "-noenc",
        "-keyout",
        "r.key",
        "-out",
        "r.pem",
        "-days",
        "3650",
        "-set_serial",
        "1",
    ]);
    openssl(dir, &req);
    let keyarg = if leaf_key.starts_with('/') {
        vec!["-key", leaf_key]
    } else {
        vec!["-newkey", leaf_key, "-noenc", "-keyout", "l.key"]
    };
    let mut req = vec![
        "req",
        "-new",
        "-config",
        "cnf",
        "-subj",
        "/CN=OSSL Leaf",
        "-out",
        "l.csr",
    ];
    req.extend(keyarg);
    openssl(dir, &req);
    openssl(
        dir,
        &[
            "x509",
            "-req",
            "-in",
            "l.csr",
            "-CA",
            "r.pem",
            "-CAkey",
            "r.key",
            "-extfile",
            "cnf",
            "-extensions",
            "leaf_ext",
            "-days",
            "365",
            digest,
            "-set_serial",
            "2",
            "-out",
            "l.pem",
        ],
    );
    let read = |f: &str| {
        let p = pem::parse(std::fs::read(dir.join(f)).unwrap()).unwrap();
        Cert::from_der(p.contents().to_vec(), Origin::file(f)).unwrap()
    };
    let (root, leaf) = (read("r.pem"), read("l.pem"));
    let at = leaf.not_before() + 86_400;
    (root, leaf, at)
}

fn ossl(root_ext: &str, root_key: &str, leaf_key: &str, digest: &str) -> Setup {
    let (root, leaf, at) = ossl_chain(root_ext, root_key, leaf_key, digest);
    let mut s = Setup::of_certs(vec![leaf, root.clone()])
        .profile(Profile::Client)
        .at(at);
    s.private = Some(TrustStore::new("p", vec![root], false));
    s
}

fn rsa1024() -> String {
    format!("{}/testdata/keys/rsa1024-1.pem", env!("CARGO_MANIFEST_DIR"))
}

/// One case per id: (id, a setup that triggers it, one that does not).
fn cases() -> Vec<(Id, Setup, Setup)> {
    let mut v: Vec<(Id, Setup, Setup)> = Vec::new();
    let p = client_pki();
    let clean = || good(&client_pki());

    let expired = pki_with_leaf(|s| s.not_after = (2026, 1, 1));
    v.push((Id::Expired, good(&expired), clean()));
    let future = pki_with_leaf(|s| s.not_before = (2026, 9, 1));
    v.push((Id::NotYetValid, good(&future), clean()));
    let soon = pki_with_leaf(|s| s.not_after = (2026, 6, 20));
    v.push((Id::ExpiresSoon, good(&soon), clean()));
    v.push((
        Id::ExpiryDate,
        clean(),
        Setup::new(&[&soon.leaf]).profile(Profile::Client),
    ));
    let short_inter = Pki::build(
        Spec::ca("Root", ec()),
        vec![Spec {
            not_after: (2026, 12, 1),
            ..Spec::ca("Inter", ec())
        }],
        Spec::client("leaf", ec()),
    );
    v.push((
        Id::IntermediateExpiresBeforeLeaf,
        good(&short_inter),
        clean(),
    ));
    v.push((
        Id::Sha1Signature,
        ossl("root_ext", "rsa:2048", "rsa:2048", "-sha1"),
        ossl("root_ext", "rsa:2048", "rsa:2048", "-sha256"),
    ));
    v.push((
        Id::WeakKey,
        ossl("root_ext", "rsa:2048", &rsa1024(), "-sha256"),
        ossl("root_ext", "rsa:2048", "rsa:2048", "-sha256"),
    ));
    let ed = pki_with_leaf(|s| s.alg = Alg::Ed25519);
    v.push((
        Id::UnusualKey,
        good(&ed).profile(Profile::SalesforceMtls),
        clean().profile(Profile::SalesforceMtls),
    ));
    // Same name as the real intermediate, another key: the leaf's signature fails.
    let decoy = p
        .root
        .issue(Spec::ca("Test Intermediate CA 1", ec()).params(), ec());
    v.push((
        Id::SignatureInvalid,
        Setup::new(&[&p.leaf, &decoy, &p.root]).profile(Profile::Client),
        clean(),
    ));
    v.push((Id::SignatureUnsupported, ossl_ed448(), clean()));
    // The same root key re-issued with another key id: the leaf's AKI no longer matches.
    let mut rekeyed = p.root.params.clone();
    rekeyed.key_identifier_method = rcgen::KeyIdMethod::PreSpecified(vec![7; 20]);
    let root_b = Node {
        cert: rekeyed.self_signed(&p.root.key).unwrap(),
        params: rekeyed,
        key: pki::key(ec()),
    };
    let inter = &p.intermediates[0];
    v.push((
        Id::AkiSkiMismatch,
        Setup::new(&[inter, &root_b]).profile(Profile::Client),
        Setup::new(&[inter, &p.root]).profile(Profile::Client),
    ));
    v.push((
        Id::CaMissingSki,
        ossl("root_noski", "rsa:2048", "rsa:2048", "-sha256"),
        ossl("root_ext", "rsa:2048", "rsa:2048", "-sha256"),
    ));
    let no_aki = pki_with_leaf(|_| {});
    let mut leaf_params = Spec::client("no-aki", ec()).params();
    leaf_params.use_authority_key_identifier_extension = false;
    let leaf_no_aki = no_aki.intermediates[0].issue(leaf_params, ec());
    v.push((
        Id::MissingAki,
        Setup::new(&[&leaf_no_aki, &no_aki.intermediates[0], &no_aki.root])
            .profile(Profile::Client),
        clean(),
    ));
    let mut not_ca = Spec::ca("Not A CA", ec()).params();
    not_ca.is_ca = IsCa::ExplicitNoCa;
    let not_ca = p.root.issue(not_ca, ec());
    let under_not_ca = not_ca.issue(Spec::client("x", ec()).params(), ec());
    v.push((
        Id::IssuerNotCa,
        Setup::new(&[&under_not_ca, &not_ca, &p.root]).profile(Profile::Client),
        clean(),
    ));
    v.push((
        Id::BasicConstraintsNotCritical,
        ossl("root_nc", "rsa:2048", "rsa:2048", "-sha256"),
        ossl("root_ext", "rsa:2048", "rsa:2048", "-sha256"),
    ));
    let mut no_certsign = Spec::ca("No CertSign CA", ec()).params();
    no_certsign.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    let no_certsign = p.root.issue(no_certsign, ec());
    let under = no_certsign.issue(Spec::client("y", ec()).params(), ec());
    v.push((
        Id::IssuerKeyUsage,
        Setup::new(&[&under, &no_certsign, &p.root]).profile(Profile::Client),
        clean(),
    ));
    let mut ku = Spec::client("ku", ec()).params();
    ku.key_usages = vec![KeyUsagePurpose::KeyEncipherment];
    let ku_leaf = p.intermediates[0].issue(ku, ec());
    v.push((
        Id::LeafKeyUsage,
        Setup::new(&[&ku_leaf, inter, &p.root]).profile(Profile::Client),
        clean(),
    ));
    let mut ca_leaf = Spec::client("ca-leaf", ec()).params();
    ca_leaf.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    let ca_leaf = p.intermediates[0].issue(ca_leaf, ec());
    // A CA certificate is the leaf only when the key given is its key.
    let mut ca_as_leaf = Setup::new(&[&ca_leaf, inter, &p.root]).profile(Profile::Client);
    ca_as_leaf.keys = vec![key_of(&ca_leaf, KeyFormat::Pkcs8)];
    v.push((
        Id::LeafIsCa,
        ca_as_leaf,
        Setup::new(&[&ca_leaf, inter, &p.root]).profile(Profile::Client),
    ));
    let path_len = |n: u8| {
        let mut r = Spec::ca("PL Root", ec()).params();
        r.is_ca = IsCa::Ca(BasicConstraints::Constrained(n));
        let key = pki::key(ec());
        let root = Node {
            cert: r.self_signed(&key).unwrap(),
            params: r,
            key,
        };
        let i = root.issue(Spec::ca("PL Inter", ec()).params(), ec());
        let l = i.issue(Spec::client("pl", ec()).params(), ec());
        Setup::new(&[&l, &i, &root])
            .private_root(&root)
            .profile(Profile::Client)
    };
    v.push((Id::PathLengthExceeded, path_len(0), path_len(1)));
    let mut crit = Spec::client("crit", ec()).params();
    let mut ext =
        CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 55555, 1], vec![0x05, 0x00]);
    ext.set_criticality(true);
    crit.custom_extensions.push(ext);
    let crit = inter.issue(crit, ec());
    v.push((
        Id::UnknownCriticalExtension,
        Setup::new(&[&crit, inter, &p.root]).profile(Profile::Client),
        clean(),
    ));
    let constrained = |host: &str| {
        let mut ca = Spec::ca("Constrained CA", ec()).params();
        ca.name_constraints = Some(rcgen::NameConstraints {
            permitted_subtrees: vec![rcgen::GeneralSubtree::DnsName("example.com".into())],
            excluded_subtrees: vec![],
        });
        let ca = p.root.issue(ca, ec());
        let l = ca.issue(Spec::server("srv", ec(), host).params(), ec());
        Setup::new(&[&l, &ca, &p.root])
            .private_root(&p.root)
            .profile(Profile::Server)
    };
    v.push((
        Id::NameConstraints,
        constrained("api.evil.test"),
        constrained("api.example.com"),
    ));
    let mut zero = Spec::client("zero-serial", ec()).params();
    zero.serial_number = Some(rcgen::SerialNumber::from(vec![0u8]));
    let zero = inter.issue(zero, ec());
    v.push((
        Id::Rfc5280Profile,
        Setup::new(&[&zero, inter, &p.root])
            .private_root(&p.root)
            .profile(Profile::Client),
        clean(),
    ));
    let server_only = pki_with_leaf(|s| s.eku = vec![Eku::ServerAuth]);
    v.push((
        Id::EkuMissing,
        good(&server_only).profile(Profile::SalesforceMtls),
        clean().profile(Profile::SalesforceMtls),
    ));
    let tls_inter = Pki::build(
        Spec::ca("Root", ec()),
        vec![Spec {
            eku: vec![Eku::ServerAuth],
            ..Spec::ca("TLS Inter", ec())
        }],
        Spec::client("leaf", ec()),
    );
    v.push((Id::IntermediateEku, good(&tls_inter), clean()));
    let dual = dual_eku_pki();
    v.push((
        Id::DualEkuPublic,
        Setup::new(&[&dual.leaf, &dual.intermediates[0]])
            .public_root(&dual.root)
            .profile(Profile::SalesforceMtls),
        Setup::new(&[&dual.leaf, &dual.intermediates[0]])
            .private_root(&dual.root)
            .profile(Profile::SalesforceMtls),
    ));
    let new_inter = Pki::build(
        Spec::ca("Root", ec()),
        vec![Spec {
            not_before: (2026, 7, 1),
            ..Spec::ca("New Inter", ec())
        }],
        Spec {
            not_before: (2026, 7, 2),
            ..Spec::client("leaf", ec())
        },
    );
    v.push((
        Id::PublicIntermediateEku,
        Setup::new(&[&new_inter.leaf, &new_inter.intermediates[0]])
            .public_root(&new_inter.root)
            .profile(Profile::Client)
            .at(day("2026-08-01")),
        Setup::new(&[&p.leaf, inter])
            .public_root(&p.root)
            .profile(Profile::Client),
    ));
    let long = |after: (i32, u8, u8)| {
        let s = Pki::build(
            Spec::ca("Root", ec()),
            vec![Spec::ca("Inter", ec())],
            Spec {
                not_before: (2026, 4, 1),
                not_after: after,
                ..Spec::server("srv", ec(), "srv.example.test")
            },
        );
        Setup::new(&[&s.leaf, &s.intermediates[0]])
            .public_root(&s.root)
            .profile(Profile::Server)
    };
    v.push((Id::ValidityTooLong, long((2027, 4, 1)), long((2026, 9, 1))));
    let no_san = Pki::build(
        Spec::ca("Root", ec()),
        vec![],
        Spec {
            eku: vec![Eku::ServerAuth],
            ..Spec::client("srv", ec())
        },
    );
    let with_san = Pki::build(
        Spec::ca("Root", ec()),
        vec![],
        Spec::server("srv", ec(), "h.test"),
    );
    v.push((
        Id::SanMissing,
        good_flat(&no_san).profile(Profile::Server),
        good_flat(&with_san).profile(Profile::Server),
    ));
    v.push((
        Id::RootIncluded,
        clean(),
        Setup::new(&[&p.leaf, inter])
            .private_root(&p.root)
            .profile(Profile::Client),
    ));
    v.push((
        Id::LeafNotFirst,
        Setup::new(&[inter, &p.leaf])
            .private_root(&p.root)
            .profile(Profile::Client),
        Setup::new(&[&p.leaf, inter])
            .private_root(&p.root)
            .profile(Profile::Client),
    ));
    let deep = Pki::client(2, false);
    v.push((
        Id::WrongOrder,
        Setup::new(&[&deep.leaf, &deep.intermediates[0], &deep.intermediates[1]])
            .private_root(&deep.root)
            .profile(Profile::Client),
        Setup::new(&[&deep.leaf, &deep.intermediates[1], &deep.intermediates[0]])
            .private_root(&deep.root)
            .profile(Profile::Client),
    ));
    let mut inv = Inventory::default();
    for n in [&p.leaf, inter, inter] {
        inv.add_cert(
            Cert::from_der(
                n.der(),
                Origin::block("pile.pem", inv.certs.len() + inv.dropped.len() + 1),
            )
            .unwrap(),
        );
    }
    let mut dup = Setup::of_certs(inv.certs)
        .private_root(&p.root)
        .profile(Profile::Client);
    dup.dropped = inv.dropped;
    v.push((Id::DuplicateCertificate, dup, clean()));
    let stranger = pki::root(&Spec::ca("Stranger CA", ec()));
    v.push((
        Id::UnrelatedCertificate,
        Setup::new(&[&p.leaf, inter, &p.root, &stranger]).profile(Profile::Client),
        clean(),
    ));
    let second = inter.issue(Spec::client("second", ec()).params(), ec());
    v.push((
        Id::MultipleLeaves,
        Setup::new(&[&p.leaf, &second, inter, &p.root]).profile(Profile::Client),
        clean(),
    ));
    v.push((
        Id::IssuerMissing,
        Setup::new(&[&p.leaf]).profile(Profile::Client),
        Setup::new(&[&p.leaf])
            .public_root(inter)
            .profile(Profile::Client),
    ));
    v.push((
        Id::RootNotTrusted,
        Setup::new(&[&p.leaf, inter, &p.root]).profile(Profile::Client),
        clean(),
    ));
    v.push((
        Id::TrustAnchor,
        clean(),
        Setup::new(&[&p.leaf, inter, &p.root]).profile(Profile::Client),
    ));
    let selfsigned = pki::root(&Spec::client("self", ec()));
    v.push((
        Id::SelfSignedLeaf,
        Setup::new(&[&selfsigned]).profile(Profile::SalesforceMtls),
        clean().profile(Profile::SalesforceMtls),
    ));
    let p2 = client_pki();
    let mut with_key = good(&p2).profile(Profile::SalesforceMtls);
    with_key.keys = vec![key_of(&p2.leaf, KeyFormat::Pkcs8)];
    let mut without = good(&p2).profile(Profile::Client);
    without.keys = vec![key_of(&p2.leaf, KeyFormat::Pkcs8)];
    v.push((Id::PrivateKeyInUpload, with_key, without));
    let mut mismatch = clean();
    mismatch.keys = vec![key_of(&p.root, KeyFormat::Pkcs8)];
    mismatch.certs.pop();
    let mut matched = good(&p2);
    matched.keys = vec![key_of(&p2.leaf, KeyFormat::Pkcs8)];
    v.push((Id::KeyMismatch, mismatch, matched));
    let mut pkcs1 = good(&p2);
    pkcs1.keys = vec![key_of(&p2.leaf, KeyFormat::Pkcs1)];
    let mut pkcs8 = good(&p2);
    pkcs8.keys = vec![key_of(&p2.leaf, KeyFormat::Pkcs8)];
    v.push((Id::KeyNotPkcs8, pkcs1, pkcs8));
    // The per-certificate rules, each on its corpus certificate (tests/it/corpus.rs)
    // against a clean one of the same kind, alone and under --profile server.
    for (id, bad, fine) in [
        (Id::DuplicateExtension, "leaf-duplicate-san", "leaf-good"),
        (Id::NegativeSerial, "leaf-negative-serial", "leaf-good"),
        (Id::ValidityField, "leaf-generalized-time", "leaf-good"),
        (Id::MalformedSan, "leaf-san-not-ia5", "leaf-good"),
        (
            Id::SignatureAlgorithmMismatch,
            "leaf-sigalg-mismatch",
            "leaf-good",
        ),
        (Id::AlgorithmParameters, "leaf-rsa-no-null", "leaf-good"),
        (Id::KeyUsageEncoding, "leaf-ku-trailing-zero", "leaf-good"),
        (
            Id::KeyUsageForKey,
            "leaf-ec-key-encipherment",
            "leaf-ec-good",
        ),
        (Id::CaKeyUsage, "inter-nc-no-keycertsign", "inter-good"),
        (Id::RootEku, "root-with-eku", "root-good"),
        (Id::CertificatePolicies, "leaf-no-policy", "leaf-good"),
        (Id::AiaMissing, "leaf-no-aia", "leaf-good"),
        (Id::CrlMissing, "leaf-no-crl-no-ocsp", "leaf-good"),
        (Id::CnNotInSan, "leaf-cn-not-in-san", "leaf-good"),
    ] {
        let one = |name: &str| {
            let mut s = Setup::of_certs(vec![corpus::cert(name)]).profile(Profile::Server);
            s.opts.certificate_only = true;
            s
        };
        v.push((id, one(bad), one(fine)));
    }
    let mut bad_name = clean();
    bad_name.opts.name = Some("2026 client cert".into());
    let mut good_name = clean();
    good_name.opts.name = Some("Api_Client_2026".into());
    v.push((Id::InvalidName, bad_name, good_name));
    let mut crl = clean();
    crl.dropped = vec![Dropped {
        origin: Origin::block("pile.pem", 4),
        reason: DropReason::UnknownLabel {
            label: "X509 CRL".into(),
        },
    }];
    v.push((Id::IgnoredBlock, crl, clean()));
    let mut unreadable = clean();
    unreadable.unreadable = vec!["pile.pem:3: the certificate is malformed".into()];
    v.push((Id::UnreadableInput, unreadable, clean()));
    v
}

fn good_flat(p: &Pki) -> Setup {
    Setup::new(&[&p.leaf]).private_root(&p.root)
}

/// A dual-EKU leaf under a "DigiCert"-named intermediate.
fn dual_eku_pki() -> Pki {
    Pki::build(
        Spec::ca("DigiCert Test Root G2", ec()),
        vec![Spec::ca("DigiCert Test TLS CA", ec())],
        Spec {
            eku: vec![Eku::ServerAuth, Eku::ClientAuth],
            not_before: (2025, 11, 1),
            ..Spec::client("api.example.test", ec())
        },
    )
}

/// An Ed448 root: a signature chainfix cannot check (P-521 now can be).
fn ossl_ed448() -> Setup {
    ossl("root_ext", "ed448", "rsa:2048", "-sha512")
}

#[test]
fn every_finding_id_has_a_trigger_and_a_clean_case() {
    let cases = cases();
    let covered: Vec<Id> = cases.iter().map(|c| c.0).collect();
    for id in Id::ALL {
        assert!(covered.contains(id), "no test case for {id}");
    }
    for (id, trigger, clean) in &cases {
        let r = trigger.run();
        assert!(
            r.ids().contains(id),
            "{id} not triggered: {:#?}",
            r.findings
        );
        let r = clean.run();
        assert!(
            !r.ids().contains(id),
            "{id} found in the clean case: {:#?}",
            r.findings
        );
    }
}

#[test]
fn the_findings_catalogue_documents_exactly_the_ids_in_the_code() {
    let doc =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/findings.md")).unwrap();
    let documented: Vec<&str> = doc
        .lines()
        .filter_map(|l| l.strip_prefix("## `"))
        .map(|l| l.trim_end_matches('`'))
        .collect();
    for id in Id::ALL {
        assert!(
            documented.contains(&id.as_str()),
            "{id} is not in docs/findings.md"
        );
    }
    for d in &documented {
        assert!(
            d.parse::<Id>().is_ok(),
            "docs/findings.md documents {d}, which the code does not have"
        );
    }
    assert_eq!(documented.len(), Id::ALL.len(), "an id is documented twice");
    // Each per-certificate rule's section quotes the rule's source.
    for rule in check::certificate::RULES {
        let start = doc.find(&format!("## `{}`", rule.id)).expect("documented");
        let section = doc[start + 4..].split("\n## ").next().unwrap();
        assert!(
            section.contains(&format!("Source: {}", rule.source)),
            "docs/findings.md: the section of {} does not say \"Source: {}\"",
            rule.id,
            rule.source
        );
    }
}

// ---- JSON Schema (validator in tests/it/schema.rs) ----

fn schema() -> serde_json::Value {
    serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/docs/lint-schema.json"
        ))
        .unwrap(),
    )
    .unwrap()
}

fn schema_errors(doc: &serde_json::Value) -> Vec<String> {
    crate::schema::errors(&schema(), doc)
}

#[test]
fn lint_json_matches_the_schema_for_every_case() {
    let s = schema();
    let mut ids: Vec<&str> = s["$defs"]["id"]["enum"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let mut code: Vec<&str> = Id::ALL.iter().map(|i| i.as_str()).collect();
    ids.sort_unstable();
    code.sort_unstable();
    assert_eq!(
        ids, code,
        "the schema's id enum and the code's ids differ (regenerate the enum in docs/lint-schema.json)"
    );
    // A rich run through the binary: key in the file, root pasted in, stranger, dual EKU, bad name.
    let d = tempdir();
    let dual = dual_eku_pki();
    let stranger = pki::root(&Spec::ca("Stranger", ec()));
    let pile = format!(
        "{}{}{}{}{}",
        dual.leaf.pem(),
        dual.root.pem(),
        dual.intermediates[0].pem(),
        stranger.pem(),
        dual.leaf.key_pem()
    );
    write(d.path(), "pile.pem", pile);
    write(d.path(), "root.pem", dual.root.pem());
    let o = chainfix(
        d.path(),
        &[
            "lint",
            "pile.pem",
            "--json",
            "--at",
            "2026-06-01",
            "--trust",
            "root.pem",
            "--name",
            "my cert",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    let doc: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(schema_errors(&doc), Vec::<String>::new());
    assert!(doc["findings"].as_array().unwrap().len() >= 5);
    // And the library's report for every case table entry, rendered as the CLI does.
    for (id, trig, _) in cases() {
        let r = trig.run();
        let doc = serde_json::json!({
            "version": 1, "at": "2026-06-01T00:00:00Z", "profile": r.profile,
            "profile_reason": r.profile_reason,
            "trust_store": {"name": r.trust_store, "candidate": r.trust_candidate},
            "chain": r.chain,
            "summary": {"error": r.count(Severity::Error), "warning": r.count(Severity::Warning), "info": r.count(Severity::Info)},
            "findings": r.findings,
        });
        assert_eq!(schema_errors(&doc), Vec::<String>::new(), "case {id}");
    }
}

#[test]
fn the_schema_validator_rejects_bad_documents() {
    let good = serde_json::json!({
        "version": 1, "at": "x", "profile": "client", "profile_reason": "r",
        "trust_store": {"name": "n", "candidate": false}, "chain": [1],
        "summary": {"error": 0, "warning": 0, "info": 0}, "findings": []
    });
    assert!(schema_errors(&good).is_empty());
    let mut bad = good.clone();
    bad["profile"] = "web".into();
    assert_eq!(schema_errors(&bad).len(), 1);
    let mut bad = good.clone();
    bad["findings"] = serde_json::json!([{"id": "no-such-id", "severity": "fatal", "message": "m", "fix": "f", "extra": 1}]);
    assert_eq!(schema_errors(&bad).len(), 3);
    let mut bad = good.clone();
    bad.as_object_mut().unwrap().remove("chain");
    bad["chain_"] = serde_json::json!(0);
    assert_eq!(schema_errors(&bad).len(), 2);
}

// ---- Salesforce journeys, through the binary ----

fn lint_json(dir: &Path, args: &[&str]) -> (i32, serde_json::Value, String) {
    let mut a = vec!["lint", "--json", "--at", "2026-06-01"];
    a.extend_from_slice(args);
    let o = chainfix(dir, &a);
    let code = o.status.code().unwrap();
    let v = serde_json::from_str(&stdout(&o)).unwrap_or(serde_json::Value::Null);
    (code, v, stderr(&o))
}

fn finding<'a>(doc: &'a serde_json::Value, id: &str) -> Option<&'a serde_json::Value> {
    doc["findings"].as_array()?.iter().find(|f| f["id"] == id)
}

fn errors(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn journey1_a_good_client_chain_passes_salesforce_mtls_with_no_error() {
    let d = tempdir();
    let p = Pki::client(2, true);
    write(d.path(), "chain.pem", p.chain_pems().concat());
    write(d.path(), "root.pem", p.root.pem());
    let (code, doc, err) = lint_json(d.path(), &["chain.pem", "--roots", "root.pem"]);
    assert_eq!(code, 0, "{err}\n{doc:#}");
    assert_eq!(errors(&doc), Vec::<String>::new());
    assert_eq!(doc["profile"], "salesforce-mtls");
    assert!(
        doc["profile_reason"]
            .as_str()
            .unwrap()
            .contains("clientAuth")
    );
    assert_eq!(doc["chain"], serde_json::json!([1, 2, 3]));
    assert!(finding(&doc, "trust-anchor").is_some());
    // The table form says which profile and that the store is a candidate list.
    let o = chainfix(
        d.path(),
        &[
            "lint",
            "chain.pem",
            "--roots",
            "root.pem",
            "--at",
            "2026-06-01",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(
        stderr(&o).contains("profile salesforce-mtls (chosen because"),
        "{}",
        stderr(&o)
    );
    assert!(stderr(&o).contains("CANDIDATE"));
}

#[test]
fn journey1_a_dual_eku_leaf_from_a_public_root_warns_with_the_dates_that_apply() {
    let d = tempdir();
    let p = dual_eku_pki();
    write(d.path(), "chain.pem", p.chain_pems().concat());
    // The org's list (saved as PEM) holds the root: a public root for this run.
    write(d.path(), "cacerts.pem", p.root.pem());
    let (code, doc, err) = lint_json(
        d.path(),
        &[
            "chain.pem",
            "--trust",
            "cacerts.pem",
            "--profile",
            "salesforce-mtls",
        ],
    );
    assert_eq!(code, 0, "{err}\n{doc:#}");
    let f = finding(&doc, "dual-eku-public").expect("dual-eku-public");
    assert_eq!(f["severity"], "warning");
    let m = f["message"].as_str().unwrap();
    assert!(m.contains("2027-03-15"), "Chrome's leaf date: {m}");
    assert!(m.contains("2026-06-15"), "the earlier text: {m}");
    assert!(m.contains("2027-03-01"), "DigiCert's hard stop: {m}");
    assert!(m.contains("issued 2025-11-01"), "{m}");
    assert!(f["fix"].as_str().unwrap().contains("dedicated client-auth"));
}

#[test]
fn journey1_a_server_auth_only_leaf_fails_salesforce_mtls() {
    let d = tempdir();
    let p = Pki::build(
        Spec::ca("DigiCert Test Root", ec()),
        vec![Spec::ca("DigiCert Test TLS CA", ec())],
        Spec::server("api.example.test", ec(), "api.example.test"),
    );
    write(d.path(), "chain.pem", p.chain_pems().concat());
    write(d.path(), "root.pem", p.root.pem());
    let (code, doc, _) = lint_json(
        d.path(),
        &[
            "chain.pem",
            "--roots",
            "root.pem",
            "--profile",
            "salesforce-mtls",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(errors(&doc), vec!["eku-missing"]);
    let m = finding(&doc, "eku-missing").unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        m.contains("serverAuth-only renewal") && m.contains("2027-03-01"),
        "{m}"
    );
    // Without --profile the EKU picks salesforce-callout, and says so.
    let (code, doc, _) = lint_json(d.path(), &["chain.pem", "--roots", "root.pem"]);
    assert_eq!(
        (code, doc["profile"].as_str()),
        (0, Some("salesforce-callout"))
    );
}

#[test]
fn journey1_a_self_signed_client_certificate_fails() {
    let d = tempdir();
    let c = pki::root(&Spec::client("self.example.test", ec()));
    write(d.path(), "self.pem", c.pem());
    let (code, doc, _) = lint_json(d.path(), &["self.pem"]);
    assert_eq!(code, 1);
    assert!(
        errors(&doc).contains(&"self-signed-leaf".to_string()),
        "{doc:#}"
    );
    let (code, doc, _) = lint_json(d.path(), &["self.pem", "--profile", "client"]);
    assert_eq!(code, 0, "a generic client may pin it: a warning");
    assert_eq!(
        finding(&doc, "self-signed-leaf").unwrap()["severity"],
        "warning"
    );
}

#[test]
fn journey1_the_root_pasted_in_and_a_root_outside_the_candidate_store() {
    let d = tempdir();
    let p = Pki::client(1, false);
    let mut pems = p.chain_pems();
    pems.push(p.root.pem());
    write(d.path(), "upload.pem", pems.concat());
    let (code, doc, _) = lint_json(d.path(), &["upload.pem", "--profile", "salesforce-mtls"]);
    assert_eq!(code, 0, "{doc:#}");
    let root = finding(&doc, "root-included").expect("root-included");
    assert_eq!(root["severity"], "info");
    assert_eq!(root["cert"]["chain_position"], 3);
    let f = finding(&doc, "root-not-trusted").expect("root-not-trusted");
    assert_eq!(f["severity"], "warning");
    assert!(f["message"].as_str().unwrap().contains("CANDIDATE"));
    assert!(f["fix"].as_str().unwrap().contains("cacerts.jsp"));
    assert!(f["fix"].as_str().unwrap().contains("--trust"));
    // With the org's own list (explicit), outside it is an error.
    write(d.path(), "org.txt", "digicertglobalrootg2\n");
    let (code, doc, _) = lint_json(d.path(), &["upload.pem", "--trust", "org.txt"]);
    assert_eq!(code, 1);
    assert_eq!(
        finding(&doc, "root-not-trusted").unwrap()["severity"],
        "error"
    );
}

#[test]
fn journey1_missing_intermediate_names_it_with_its_aia_url() {
    let d = tempdir();
    let p = Pki::build(
        Spec::ca("Root", ec()),
        vec![Spec::ca("Issuing CA", ec())],
        Spec {
            aia: vec!["http://127.0.0.1:9/issuing.crt".into()],
            ..Spec::client("leaf", ec())
        },
    );
    write(d.path(), "leaf.pem", p.leaf.pem());
    let (code, doc, _) = lint_json(d.path(), &["leaf.pem"]);
    assert_eq!(code, 1);
    let f = finding(&doc, "issuer-missing").unwrap();
    assert!(f["message"].as_str().unwrap().contains("Issuing CA"));
    assert!(
        f["fix"]
            .as_str()
            .unwrap()
            .contains("curl -o issuer.crt http://127.0.0.1:9/issuing.crt")
    );
    assert!(f["fix"].as_str().unwrap().contains("chainfix bundle"));
}

#[test]
fn a_private_key_in_an_upload_file_is_an_error_of_its_own() {
    let d = tempdir();
    let p = Pki::client(1, false);
    write(
        d.path(),
        "upload.pem",
        format!(
            "{}{}{}",
            p.leaf.pem(),
            p.leaf.key_pem(),
            p.intermediates[0].pem()
        ),
    );
    write(d.path(), "root.pem", p.root.pem());
    let (code, doc, _) = lint_json(
        d.path(),
        &[
            "upload.pem",
            "--roots",
            "root.pem",
            "--profile",
            "salesforce-mtls",
        ],
    );
    assert_eq!(code, 1);
    assert_eq!(errors(&doc), vec!["private-key-in-upload"]);
    assert!(
        !stdout(&chainfix(
            d.path(),
            &["lint", "upload.pem", "--json", "--at", "2026-06-01"]
        ))
        .contains("BEGIN PRIVATE KEY"),
        "key material never printed"
    );
    let (code, _, _) = lint_json(
        d.path(),
        &["upload.pem", "--roots", "root.pem", "--profile", "client"],
    );
    assert_eq!(code, 0, "fullcert.pem for curl holds the key by design");
}

#[test]
fn deny_allow_min_severity_and_name_tune_the_run() {
    let d = tempdir();
    let p = Pki::client(1, false);
    let mut pems = p.chain_pems();
    pems.push(p.root.pem());
    write(d.path(), "upload.pem", pems.concat());
    let (code, _, _) = lint_json(d.path(), &["upload.pem", "--deny", "root-included"]);
    assert_eq!(code, 1, "--deny raises to error");
    let (_, doc, _) = lint_json(
        d.path(),
        &["upload.pem", "--allow", "root-included,expiry-date"],
    );
    assert!(finding(&doc, "root-included").is_none() && finding(&doc, "expiry-date").is_none());
    let (_, doc, _) = lint_json(d.path(), &["upload.pem", "--min-severity", "warning"]);
    assert!(
        doc["findings"]
            .as_array()
            .unwrap()
            .iter()
            .all(|f| f["severity"] != "info")
    );
    let (code, doc, _) = lint_json(d.path(), &["upload.pem", "--name", "Prod-Cert_"]);
    assert_eq!(code, 1);
    let f = finding(&doc, "invalid-name").unwrap();
    assert!(f["fix"].as_str().unwrap().contains("\"Prod_Cert\""), "{f}");
    let (code, _, _) = lint_json(d.path(), &["upload.pem", "--name", "Prod_Cert"]);
    assert_eq!(code, 0);
    // --warn-days: the leaf expires 2027-01-01, 214 days after --at.
    let (_, doc, _) = lint_json(d.path(), &["upload.pem", "--warn-days", "250"]);
    assert!(finding(&doc, "expires-soon").is_some());
}

#[test]
fn lint_exits_2_when_it_cannot_run() {
    let d = tempdir();
    for args in [
        vec!["lint", "missing.pem"],
        vec!["lint", "x.pem", "--deny", "no-such-id"],
        vec!["lint", "x.pem", "--profile", "web"],
        vec!["lint", "x.pem", "--at", "yesterday"],
    ] {
        write(d.path(), "x.pem", Pki::client(0, false).leaf.pem());
        let o = chainfix(d.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
        assert!(!stderr(&o).is_empty());
    }
}

#[test]
fn a_dual_eku_leaf_issued_after_chromes_leaf_date_is_out_of_policy() {
    let p = Pki::build(
        Spec::ca("Sectigo Test Root", ec()),
        vec![Spec::ca("Sectigo Test TLS CA", ec())],
        Spec {
            eku: vec![Eku::ServerAuth, Eku::ClientAuth],
            not_before: (2027, 4, 1),
            not_after: (2027, 6, 1),
            ..Spec::client("late.example.test", ec())
        },
    );
    let r = Setup::new(&[&p.leaf, &p.intermediates[0]])
        .public_root(&p.root)
        .profile(Profile::SalesforceMtls)
        .at(day("2027-04-02"))
        .run();
    let f = r
        .findings
        .iter()
        .find(|f| f.id == Id::DualEkuPublic)
        .expect("dual-eku-public");
    assert!(f.message.contains("breaks that rule"), "{}", f.message);
    assert!(
        f.message.contains("after Sectigo's last date 2026-05-15"),
        "{}",
        f.message
    );
}

/// The expires-soon fix names Salesforce only under a Salesforce profile.
#[test]
fn expires_soon_fix_names_salesforce_only_for_salesforce_profiles() {
    let p = client_pki();
    let fix = |profile: Profile| {
        let r = good(&p).profile(profile).at(day("2026-12-15")).run();
        r.findings
            .iter()
            .find(|f| f.id == Id::ExpiresSoon)
            .expect("expires-soon (the leaf ends 2027-01-01)")
            .fix
            .clone()
    };
    assert!(fix(Profile::SalesforceMtls).contains("Salesforce"));
    let f = fix(Profile::Client);
    assert!(!f.contains("Salesforce") && f.contains("every peer"), "{f}");
}

/// A self-signed leaf the user trusts directly (--roots) is information
/// under the client profile (verify accepts it as a path of one), still a
/// warning when not trusted, and still an error for Salesforce, which
/// refuses self-signed certificates.
#[test]
fn a_self_signed_leaf_in_roots_is_information_outside_salesforce() {
    let mut s = Spec::client("selfie", ec());
    s.ca = false;
    let me = pki::root(&s);
    let severity = |setup: Setup| {
        setup
            .run()
            .findings
            .iter()
            .find(|f| f.id == Id::SelfSignedLeaf)
            .map(|f| f.severity)
    };
    let base = || Setup::new(&[&me]);
    assert_eq!(
        severity(base().profile(Profile::Client).private_root(&me)),
        Some(Severity::Info)
    );
    assert_eq!(
        severity(base().profile(Profile::Client)),
        Some(Severity::Warning)
    );
    assert_eq!(
        severity(base().profile(Profile::SalesforceMtls).private_root(&me)),
        Some(Severity::Error)
    );
}

// ---- one certificate on its own (issue #15), through the binary ----

/// `chainfix lint --json --at <a day after it was made> ARGS…` in the
/// corpus directory (corpus certificates are made at test time).
fn lint_corpus(args: &[&str]) -> (i32, serde_json::Value) {
    let first = &corpus::shared()[0];
    let dir = first.path.parent().unwrap();
    let at =
        ::time::OffsetDateTime::from_unix_timestamp(corpus::cert(first.name).not_before() + 86_400)
            .unwrap()
            .date()
            .to_string();
    let mut a = vec!["lint", "--json", "--at", &at];
    a.extend_from_slice(args);
    let o = chainfix(dir, &a);
    let v = serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(&o), stderr(&o)));
    (o.status.code().unwrap(), v)
}

fn ids(doc: &serde_json::Value) -> Vec<String> {
    doc["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["id"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn certificate_only_judges_one_certificate_without_issuer_missing() {
    // Alone, a good leaf has no issuer: a chain error by default …
    let (code, doc) = lint_corpus(&["leaf-good.pem", "--profile", "server"]);
    assert_eq!(code, 1, "{doc:#}");
    assert!(ids(&doc).contains(&"issuer-missing".to_string()));
    // … and nothing wrong with the certificate itself.
    let (code, doc) = lint_corpus(&["leaf-good.pem", "--profile", "server", "--certificate-only"]);
    assert_eq!(code, 0, "{doc:#}");
    assert!(!ids(&doc).contains(&"issuer-missing".to_string()));
    assert_eq!(doc["chain"], serde_json::json!([]));
    // Alone, no certificate has a chain position, and each has its date.
    let found = doc["findings"].as_array().unwrap();
    assert!(
        found
            .iter()
            .all(|f| f["cert"].get("chain_position").is_none()),
        "{doc:#}"
    );
    assert!(ids(&doc).contains(&"expiry-date".to_string()), "{doc:#}");
    // Alone, each end-entity certificate is held to a server's job.
    let (code, doc) = lint_corpus(&[
        "leaf-no-san.pem",
        "--profile",
        "server",
        "--certificate-only",
    ]);
    assert_eq!(code, 1, "{doc:#}");
    assert!(errors(&doc).contains(&"san-missing".to_string()));
    // A critical nsComment: verify and OpenSSL refuse it, so lint fails.
    let (code, doc) = lint_corpus(&["leaf-critical-nscomment.pem", "--certificate-only"]);
    assert_eq!(code, 1, "{doc:#}");
    assert!(errors(&doc).contains(&"unknown-critical-extension".to_string()));
    // A self-signed SHA-1 end-entity certificate is not a root: no exemption.
    let (code, doc) = lint_corpus(&["selfsigned-sha1-leaf.pem", "--profile", "server"]);
    assert_eq!(code, 1, "{doc:#}");
    assert!(errors(&doc).contains(&"sha1-signature".to_string()));
}

#[test]
fn a_ca_certificate_alone_is_judged_as_a_ca_not_as_a_leaf() {
    let (_, doc) = lint_corpus(&["inter-good.pem", "--profile", "server"]);
    let found = ids(&doc);
    for noise in [
        "leaf-is-ca",
        "leaf-key-usage",
        "san-missing",
        "eku-missing",
        "self-signed-leaf",
    ] {
        assert!(!found.contains(&noise.to_string()), "{noise}: {doc:#}");
    }
    // Its own faults are still found: a constrained CA without keyCertSign,
    // and no "nameConstraints in an end-entity certificate".
    let (_, doc) = lint_corpus(&["inter-nc-no-keycertsign.pem", "--profile", "server"]);
    assert!(ids(&doc).contains(&"ca-key-usage".to_string()), "{doc:#}");
    assert!(
        !doc.to_string().contains("nameConstraints in an end-entity"),
        "{doc:#}"
    );
    // A root with EKU, even when it is also the trust anchor given.
    let (_, doc) = lint_corpus(&["root-with-eku.pem", "--roots", "root-with-eku.pem"]);
    assert!(ids(&doc).contains(&"root-eku".to_string()), "{doc:#}");
    assert!(
        !ids(&doc).contains(&"self-signed-leaf".to_string()),
        "{doc:#}"
    );
}
