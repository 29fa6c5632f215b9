//! A corpus made at test time with the real `openssl` command, one case per
//! row of the peer profiles: weak digests and keys, non-critical
//! basicConstraints, name encodings, EKU and keyUsage corners, host names via
//! the CN, name constraints on the CN, certificate policies. Every case is
//! valid but for the one thing it exercises, so a peer refusing it refuses
//! that thing.

use std::cell::Cell;
use std::path::{Path, PathBuf};
use std::process::Command;

use chainfix::chain::validate::Role;

use super::{Case, Name};

/// A certificate made for the corpus.
#[derive(Clone)]
struct Made {
    cert: PathBuf,
    key: PathBuf,
    der: Vec<u8>,
}

/// What to put in one certificate.
#[derive(Clone)]
struct Spec {
    /// `openssl -subj` form: "/CN=x/O=y".
    subject: String,
    /// A key under testdata/keys, without ".pem".
    key: &'static str,
    digest: &'static str,
    /// Lines of an openssl extension section.
    ext: String,
    /// UTF8String names (otherwise PrintableString).
    utf8: bool,
    days: u32,
}

const CA_EXT: &str = "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign";

fn server_ext(host: &str) -> String {
    format!(
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:{host}"
    )
}

const CLIENT_EXT: &str = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectAltName=email:client@example.test";

fn spec(subject: &str, key: &'static str, ext: &str) -> Spec {
    Spec {
        subject: subject.into(),
        key,
        digest: "sha256",
        ext: ext.into(),
        utf8: false,
        days: 3650,
    }
}

struct Gen {
    dir: tempfile::TempDir,
    serial: Cell<u32>,
}

impl Gen {
    fn run(&self, args: &[&str]) {
        let out = Command::new("openssl")
            .args(args)
            .current_dir(self.dir.path())
            .output()
            .expect("openssl runs");
        assert!(
            out.status.success(),
            "openssl {}: {}",
            args.join(" "),
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Makes the certificate `spec` describes, signed by `issuer` (self-signed
    /// when None).
    fn make(&self, spec: &Spec, issuer: Option<&Made>) -> Made {
        let n = self.serial.get() + 1;
        self.serial.set(n);
        let key = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("testdata/keys")
            .join(format!("{}.pem", spec.key));
        let cfg = self.dir.path().join(format!("{n}.cnf"));
        std::fs::write(
            &cfg,
            format!(
                "[req]\ndistinguished_name=dn\nstring_mask={}\nutf8=yes\n[dn]\n[v3]\n{}\n",
                if spec.utf8 { "utf8only" } else { "default" },
                spec.ext
            ),
        )
        .unwrap();
        let (cfg, key_s) = (cfg.to_str().unwrap(), key.to_str().unwrap());
        let (out, csr) = (format!("{n}.pem"), format!("{n}.csr"));
        let (serial, days, digest) = (
            n.to_string(),
            spec.days.to_string(),
            format!("-{}", spec.digest),
        );
        match issuer {
            None => self.run(&[
                "req",
                "-new",
                "-x509",
                "-config",
                cfg,
                "-extensions",
                "v3",
                "-key",
                key_s,
                "-subj",
                &spec.subject,
                "-days",
                &days,
                &digest,
                "-set_serial",
                &serial,
                "-out",
                &out,
            ]),
            Some(ca) => {
                self.run(&[
                    "req",
                    "-new",
                    "-config",
                    cfg,
                    "-key",
                    key_s,
                    "-subj",
                    &spec.subject,
                    "-out",
                    &csr,
                ]);
                self.run(&[
                    "x509",
                    "-req",
                    "-in",
                    &csr,
                    "-CA",
                    ca.cert.to_str().unwrap(),
                    "-CAkey",
                    ca.key.to_str().unwrap(),
                    "-extfile",
                    cfg,
                    "-extensions",
                    "v3",
                    "-days",
                    &days,
                    &digest,
                    "-set_serial",
                    &serial,
                    "-out",
                    &out,
                ]);
            }
        }
        let cert = self.dir.path().join(out);
        let der = pem::parse(std::fs::read(&cert).unwrap())
            .unwrap()
            .into_contents();
        Made { cert, key, der }
    }
}

/// Builds a case: root -> intermediates -> leaf, all sent but the root.
fn case(id: &str, role: Role, name: Option<Name>, at: i64, certs: &[&Made]) -> Case {
    let (root, rest) = certs.split_first().unwrap();
    let (leaf, inters) = rest.split_last().unwrap();
    Case {
        id: format!("corpus::{id}"),
        role,
        at,
        name,
        anchors: vec![root.der.clone()],
        chain: inters.iter().rev().map(|m| m.der.clone()).collect(),
        leaf: leaf.der.clone(),
    }
}

fn dns(h: &str) -> Option<Name> {
    Some(Name::Dns(h.into()))
}

/// The corpus, validated one hour after it was made.
pub fn cases() -> Vec<Case> {
    let g = Gen {
        dir: tempfile::tempdir().unwrap(),
        serial: Cell::new(0),
    };
    let at = super::now() + 3600;
    let host = "www.example.test";
    let root_spec = spec("/CN=Corpus Root/O=Corpus", "rsa2048-1", CA_EXT);
    let root = g.make(&root_spec, None);
    let inter_spec = spec("/CN=Corpus Intermediate/O=Corpus", "rsa2048-2", CA_EXT);
    let inter = g.make(&inter_spec, Some(&root));
    let leaf = |ext: &str, issuer: &Made| {
        g.make(
            &spec("/CN=www.example.test", "rsa2048-3", ext),
            Some(issuer),
        )
    };
    let server = |id: &str, certs: &[&Made]| case(id, Role::Server, dns(host), at, certs);
    let client = |id: &str, certs: &[&Made]| case(id, Role::Client, None, at, certs);
    let mut out = Vec::new();

    // Baselines: a sound server and client chain.
    let good = leaf(&server_ext(host), &inter);
    out.push(server("good-server", &[&root, &inter, &good]));
    let good_client = g.make(&spec("/CN=client", "rsa2048-3", CLIENT_EXT), Some(&inter));
    out.push(client("good-client", &[&root, &inter, &good_client]));
    out.push(server(
        "wrong-host",
        &[
            &root,
            &inter,
            &leaf(&server_ext("other.example.test"), &inter),
        ],
    ));
    out.push(server("missing-intermediate", &[&root, &good]));

    // Weak digests and keys.
    for digest in ["sha1", "md5"] {
        let i = g.make(
            &Spec {
                digest,
                ..inter_spec.clone()
            },
            Some(&root),
        );
        out.push(server(
            &format!("{digest}-intermediate"),
            &[&root, &i, &leaf(&server_ext(host), &i)],
        ));
        let l = g.make(
            &Spec {
                digest,
                ..spec("/CN=www.example.test", "rsa2048-3", &server_ext(host))
            },
            Some(&inter),
        );
        out.push(server(&format!("{digest}-leaf"), &[&root, &inter, &l]));
        let c = g.make(
            &Spec {
                digest,
                ..spec("/CN=client", "rsa2048-3", CLIENT_EXT)
            },
            Some(&inter),
        );
        out.push(client(
            &format!("{digest}-client-leaf"),
            &[&root, &inter, &c],
        ));
        let r = g.make(
            &Spec {
                digest,
                subject: "/CN=Corpus Weak Root".into(),
                ..root_spec.clone()
            },
            None,
        );
        let ri = g.make(
            &Spec {
                subject: "/CN=Corpus Weak Root Intermediate".into(),
                ..inter_spec.clone()
            },
            Some(&r),
        );
        out.push(server(
            &format!("{digest}-root-self-signature"),
            &[&r, &ri, &leaf(&server_ext(host), &ri)],
        ));
    }
    let weak_root = g.make(
        &Spec {
            key: "rsa1024-1",
            subject: "/CN=Corpus 1024 Root".into(),
            ..root_spec.clone()
        },
        None,
    );
    let wri = g.make(
        &Spec {
            subject: "/CN=Corpus 1024 Root Intermediate".into(),
            ..inter_spec.clone()
        },
        Some(&weak_root),
    );
    out.push(server(
        "rsa1024-root",
        &[&weak_root, &wri, &leaf(&server_ext(host), &wri)],
    ));
    let weak_inter = g.make(
        &Spec {
            key: "rsa1024-1",
            ..inter_spec.clone()
        },
        Some(&root),
    );
    out.push(server(
        "rsa1024-intermediate",
        &[&root, &weak_inter, &leaf(&server_ext(host), &weak_inter)],
    ));
    let weak_leaf = g.make(
        &spec("/CN=www.example.test", "rsa1024-1", &server_ext(host)),
        Some(&inter),
    );
    out.push(server("rsa1024-leaf", &[&root, &inter, &weak_leaf]));
    let weak_client = g.make(&spec("/CN=client", "rsa1024-1", CLIENT_EXT), Some(&inter));
    out.push(client(
        "rsa1024-client-leaf",
        &[&root, &inter, &weak_client],
    ));

    // basicConstraints not critical.
    let nc_bc = "basicConstraints=CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign";
    let i = g.make(
        &spec("/CN=Corpus Intermediate/O=Corpus", "rsa2048-2", nc_bc),
        Some(&root),
    );
    out.push(server(
        "noncritical-bc-intermediate",
        &[&root, &i, &leaf(&server_ext(host), &i)],
    ));
    let r = g.make(&spec("/CN=Corpus NC-BC Root", "rsa2048-4", nc_bc), None);
    let ri = g.make(
        &spec("/CN=Corpus NC-BC Intermediate", "rsa2048-2", CA_EXT),
        Some(&r),
    );
    out.push(server(
        "noncritical-bc-root",
        &[&r, &ri, &leaf(&server_ext(host), &ri)],
    ));

    // The leaf's issuer field encoded or spelled differently from the
    // intermediate's subject: signed by a twin (same key, other name bytes).
    for (id, subject, utf8) in [
        (
            "issuer-utf8-subject-printable",
            "/CN=Corpus Intermediate/O=Corpus",
            true,
        ),
        (
            "issuer-case-differs",
            "/CN=CORPUS intermediate/O=corpus",
            false,
        ),
        (
            "issuer-spaces-differ",
            "/CN=Corpus  Intermediate /O=Corpus",
            false,
        ),
    ] {
        let twin = g.make(
            &Spec {
                subject: subject.into(),
                utf8,
                ..inter_spec.clone()
            },
            Some(&root),
        );
        out.push(server(
            id,
            &[&root, &inter, &leaf(&server_ext(host), &twin)],
        ));
    }
    let utf8_inter = g.make(
        &Spec {
            utf8: true,
            ..inter_spec.clone()
        },
        Some(&root),
    );
    let printable_twin = g.make(&inter_spec, Some(&root));
    out.push(server(
        "issuer-printable-subject-utf8",
        &[
            &root,
            &utf8_inter,
            &leaf(&server_ext(host), &printable_twin),
        ],
    ));

    // EKU and keyUsage of the leaf.
    let no_eku =
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment";
    out.push(server(
        "leaf-no-eku",
        &[
            &root,
            &inter,
            &leaf(&format!("{no_eku}\nsubjectAltName=DNS:{host}"), &inter),
        ],
    ));
    out.push(client(
        "client-leaf-no-eku",
        &[&root, &inter, &leaf(no_eku, &inter)],
    ));
    let any = format!("{no_eku}\nextendedKeyUsage=anyExtendedKeyUsage\nsubjectAltName=DNS:{host}");
    out.push(server(
        "leaf-anyeku-only",
        &[&root, &inter, &leaf(&any, &inter)],
    ));
    out.push(client(
        "client-leaf-anyeku-only",
        &[&root, &inter, &leaf(&any, &inter)],
    ));
    out.push(server(
        "leaf-client-eku-only",
        &[
            &root,
            &inter,
            &leaf(
                &server_ext(host).replace("serverAuth", "clientAuth"),
                &inter,
            ),
        ],
    ));
    let ca_leaf = format!(
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign,digitalSignature\nsubjectAltName=DNS:{host}"
    );
    out.push(server(
        "ca-as-leaf",
        &[&root, &inter, &leaf(&ca_leaf, &inter)],
    ));
    let ca_leaf_nods = format!(
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectAltName=DNS:{host}"
    );
    out.push(server(
        "ca-as-leaf-no-digitalsignature",
        &[&root, &inter, &leaf(&ca_leaf_nods, &inter)],
    ));
    let decipher = format!(
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment,decipherOnly\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:{host}"
    );
    out.push(server(
        "ku-decipheronly",
        &[&root, &inter, &leaf(&decipher, &inter)],
    ));
    let ka_decipher = decipher.replace("keyEncipherment,", "keyAgreement,");
    out.push(server(
        "ku-keyagreement-decipheronly",
        &[&root, &inter, &leaf(&ka_decipher, &inter)],
    ));
    let ke_only = server_ext(host).replace("digitalSignature,keyEncipherment", "keyEncipherment");
    out.push(server(
        "ku-keyencipherment-only",
        &[&root, &inter, &leaf(&ke_only, &inter)],
    ));

    // EKU on the intermediate.
    for (id, eku, role) in [
        (
            "intermediate-eku-clientauth-server-leaf",
            "clientAuth",
            Role::Server,
        ),
        (
            "intermediate-eku-email-server-leaf",
            "emailProtection",
            Role::Server,
        ),
        (
            "intermediate-eku-serverauth-client-leaf",
            "serverAuth",
            Role::Client,
        ),
        (
            "intermediate-eku-serverauth-server-leaf",
            "serverAuth",
            Role::Server,
        ),
    ] {
        let i = g.make(
            &spec(
                "/CN=Corpus EKU Intermediate",
                "rsa2048-2",
                &format!("{CA_EXT}\nextendedKeyUsage={eku}"),
            ),
            Some(&root),
        );
        let l = match role {
            Role::Server => leaf(&server_ext(host), &i),
            Role::Client => g.make(&spec("/CN=client", "rsa2048-3", CLIENT_EXT), Some(&i)),
        };
        out.push(match role {
            Role::Server => server(id, &[&root, &i, &l]),
            Role::Client => client(id, &[&root, &i, &l]),
        });
    }

    // Host names through the subject CN.
    let cn_only = "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth";
    out.push(server("cn-only", &[&root, &inter, &leaf(cn_only, &inter)]));
    let cn_ip = g.make(&spec("/CN=127.0.0.1", "rsa2048-3", cn_only), Some(&inter));
    out.push(case(
        "cn-only-ip",
        Role::Server,
        Some(Name::Ip("127.0.0.1".into())),
        at,
        &[&root, &inter, &cn_ip],
    ));
    let san_ip = g.make(
        &spec(
            "/CN=127.0.0.1",
            "rsa2048-3",
            &format!("{cn_only}\nsubjectAltName=IP:127.0.0.1"),
        ),
        Some(&inter),
    );
    out.push(case(
        "san-ip",
        Role::Server,
        Some(Name::Ip("127.0.0.1".into())),
        at,
        &[&root, &inter, &san_ip],
    ));
    let other_san = format!("{cn_only}\nsubjectAltName=DNS:other.example.test");
    out.push(server(
        "cn-matches-but-san-does-not",
        &[&root, &inter, &leaf(&other_san, &inter)],
    ));

    // Name constraints and the CN.
    let nc_inter = g.make(
        &spec(
            "/CN=Corpus NC Intermediate",
            "rsa2048-2",
            &format!("{CA_EXT}\nnameConstraints=critical,permitted;DNS:allowed.test"),
        ),
        Some(&root),
    );
    let evil_cn = g.make(
        &spec("/CN=evil.test", "rsa2048-3", cn_only),
        Some(&nc_inter),
    );
    out.push(case(
        "nc-on-cn",
        Role::Server,
        dns("evil.test"),
        at,
        &[&root, &nc_inter, &evil_cn],
    ));
    let evil_cn_no_host = evil_cn.clone();
    out.push(case(
        "nc-on-cn-no-host",
        Role::Server,
        None,
        at,
        &[&root, &nc_inter, &evil_cn_no_host],
    ));
    let ok_san = g.make(
        &spec(
            "/CN=evil.test",
            "rsa2048-3",
            &format!("{cn_only}\nsubjectAltName=DNS:www.allowed.test"),
        ),
        Some(&nc_inter),
    );
    out.push(case(
        "nc-cn-outside-san-inside",
        Role::Server,
        dns("www.allowed.test"),
        at,
        &[&root, &nc_inter, &ok_san],
    ));
    let ok_cn = g.make(
        &spec("/CN=www.allowed.test", "rsa2048-3", cn_only),
        Some(&nc_inter),
    );
    out.push(case(
        "nc-cn-inside",
        Role::Server,
        dns("www.allowed.test"),
        at,
        &[&root, &nc_inter, &ok_cn],
    ));
    let nc_noncrit = g.make(
        &spec(
            "/CN=Corpus NC Intermediate",
            "rsa2048-2",
            &format!("{CA_EXT}\nnameConstraints=permitted;DNS:allowed.test"),
        ),
        Some(&root),
    );
    let in_san = g.make(
        &spec(
            "/CN=www.allowed.test",
            "rsa2048-3",
            &format!("{cn_only}\nsubjectAltName=DNS:www.allowed.test"),
        ),
        Some(&nc_noncrit),
    );
    out.push(case(
        "nc-noncritical",
        Role::Server,
        dns("www.allowed.test"),
        at,
        &[&root, &nc_noncrit, &in_san],
    ));

    // Certificate policies.
    let pol = "certificatePolicies=2.23.140.1.2.1";
    let req_pol = g.make(
        &spec(
            "/CN=Corpus Policy Intermediate",
            "rsa2048-2",
            &format!("{CA_EXT}\npolicyConstraints=critical,requireExplicitPolicy:0\n{pol}"),
        ),
        Some(&root),
    );
    out.push(server(
        "policy-required-leaf-has-none",
        &[&root, &req_pol, &leaf(&server_ext(host), &req_pol)],
    ));
    out.push(server(
        "policy-required-leaf-has-it",
        &[
            &root,
            &req_pol,
            &leaf(&format!("{}\n{pol}", server_ext(host)), &req_pol),
        ],
    ));
    let other_pol = "certificatePolicies=1.2.3.4.5";
    out.push(server(
        "policy-required-leaf-has-other",
        &[
            &root,
            &req_pol,
            &leaf(&format!("{}\n{other_pol}", server_ext(host)), &req_pol),
        ],
    ));
    let pc_noncrit = g.make(
        &spec(
            "/CN=Corpus Policy Intermediate",
            "rsa2048-2",
            &format!("{CA_EXT}\npolicyConstraints=requireExplicitPolicy:0\n{pol}"),
        ),
        Some(&root),
    );
    out.push(server(
        "policy-constraints-noncritical",
        &[
            &root,
            &pc_noncrit,
            &leaf(&format!("{}\n{pol}", server_ext(host)), &pc_noncrit),
        ],
    ));
    let inter_pol = g.make(
        &spec(
            "/CN=Corpus Policy Intermediate",
            "rsa2048-2",
            &format!("{CA_EXT}\n{pol}"),
        ),
        Some(&root),
    );
    out.push(server(
        "policy-intermediate-only",
        &[&root, &inter_pol, &leaf(&server_ext(host), &inter_pol)],
    ));

    // Policy processing refusals (Java's PolicyChecker; OpenSSL only
    // with -policy_check, which libssl does not set).
    let pol_ca = |ext: &str| {
        g.make(
            &spec(
                "/CN=Corpus Policy Intermediate",
                "rsa2048-2",
                &format!("{CA_EXT}\n{ext}"),
            ),
            Some(&root),
        )
    };
    let with_pol = format!("{}\n{pol}", server_ext(host));
    let req_none = pol_ca("policyConstraints=critical,requireExplicitPolicy:0");
    out.push(server(
        "policy-required-none-anywhere",
        &[&root, &req_none, &leaf(&server_ext(host), &req_none)],
    ));
    let map_to_any = pol_ca(&format!(
        "{pol}\npolicyMappings=critical,2.23.140.1.2.1:anyPolicy"
    ));
    out.push(server(
        "policy-mapping-to-any-policy",
        &[&root, &map_to_any, &leaf(&with_pol, &map_to_any)],
    ));
    let map_from_any =
        pol_ca("certificatePolicies=anyPolicy\npolicyMappings=critical,anyPolicy:2.23.140.1.2.1");
    out.push(server(
        "policy-mapping-from-any-policy",
        &[&root, &map_from_any, &leaf(&with_pol, &map_from_any)],
    ));
    // No certificatePolicies above: the tree is NULL before the mapping,
    // which Java then never looks at.
    let map_no_tree = pol_ca("policyMappings=critical,2.23.140.1.2.1:anyPolicy");
    out.push(server(
        "policy-mapping-to-any-policy-no-tree",
        &[&root, &map_no_tree, &leaf(&with_pol, &map_no_tree)],
    ));
    let inhibit = pol_ca(
        "certificatePolicies=anyPolicy\ninhibitAnyPolicy=critical,0\npolicyConstraints=critical,requireExplicitPolicy:0",
    );
    out.push(server(
        "policy-inhibit-any-leaf-any",
        &[
            &root,
            &inhibit,
            &leaf(
                &format!("{}\ncertificatePolicies=anyPolicy", server_ext(host)),
                &inhibit,
            ),
        ],
    ));
    out.push(server(
        "policy-inhibit-any-leaf-explicit",
        &[&root, &inhibit, &leaf(&with_pol, &inhibit)],
    ));
    let qualified = pol_ca(
        "certificatePolicies=critical,@polsect\n[polsect]\npolicyIdentifier=2.23.140.1.2.1\nCPS.1=\"http://cps.example.test/\"",
    );
    out.push(server(
        "policy-critical-qualifiers",
        &[&root, &qualified, &leaf(&with_pol, &qualified)],
    ));

    // Time, path length, unknown critical extensions.
    let short = g.make(
        &Spec {
            days: 1,
            ..spec("/CN=www.example.test", "rsa2048-3", &server_ext(host))
        },
        Some(&inter),
    );
    out.push(case(
        "expired-leaf",
        Role::Server,
        dns(host),
        at + 3 * 86400,
        &[&root, &inter, &short],
    ));
    out.push(case(
        "not-yet-valid",
        Role::Server,
        dns(host),
        at - 7 * 86400,
        &[&root, &inter, &good],
    ));
    let r0 = g.make(
        &spec(
            "/CN=Corpus Pathlen Root",
            "rsa2048-4",
            "basicConstraints=critical,CA:TRUE,pathlen:0\nkeyUsage=critical,keyCertSign,cRLSign",
        ),
        None,
    );
    let r0i = g.make(
        &spec("/CN=Corpus Pathlen Intermediate", "rsa2048-2", CA_EXT),
        Some(&r0),
    );
    out.push(server(
        "pathlen-exceeded",
        &[&r0, &r0i, &leaf(&server_ext(host), &r0i)],
    ));
    let crit = format!(
        "{}\n1.3.6.1.4.1.55738.666.1=critical,ASN1:NULL",
        server_ext(host)
    );
    out.push(server(
        "unknown-critical-extension-leaf",
        &[&root, &inter, &leaf(&crit, &inter)],
    ));
    let eku_crit = server_ext(host).replace(
        "extendedKeyUsage=serverAuth",
        "extendedKeyUsage=critical,serverAuth",
    );
    out.push(server(
        "eku-critical",
        &[&root, &inter, &leaf(&eku_crit, &inter)],
    ));
    out
}
