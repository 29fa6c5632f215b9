//! Path building, validation and the explainer on rcgen PKIs: for each
//! check a passing and a failing case (library, in-process), the explainer's
//! classes through `chainfix verify` / `diagnose`, and a cross-check of the
//! verdicts against `openssl verify -x509_strict -purpose sslclient|sslserver`.

use chainfix::chain::names::PeerName;
use chainfix::chain::validate::{Policy, Problem, Role};
use chainfix::chain::{Budget, build};
use chainfix::model::{Cert, Origin};
use rcgen::{
    BasicConstraints, CustomExtension, ExtendedKeyUsagePurpose, GeneralSubtree, IsCa,
    KeyUsagePurpose, NameConstraints,
};

use crate::pki::{Alg, Node, Pki, Spec, root};
use crate::util::{chainfix, stdout, tempdir, write};

/// 2026-06-01, inside every default validity period of `pki::Spec`.
const AT: i64 = 1_780_272_000;

fn cert(n: &Node) -> Cert {
    Cert::from_der(n.der(), Origin::file("test")).unwrap()
}

/// Verdict and the most specific problem for leaf + pool against anchors.
fn run(leaf: &Node, pool: &[&Node], anchors: &[&Node], policy: &Policy) -> (bool, Option<Problem>) {
    let leaf = cert(leaf);
    let pool: Vec<Cert> = pool.iter().map(|n| cert(n)).collect();
    let anchors: Vec<Cert> = anchors.iter().map(|n| cert(n)).collect();
    let out = build(&leaf, &pool, &anchors, policy, Budget::default());
    (out.is_valid(), out.main_problem())
}

fn client() -> Policy {
    Policy::new(AT, Role::Client)
}

/// ECDSA P-256 keys are fresh per certificate; the number only documents intent.
fn ec(_i: u8) -> Alg {
    Alg::EcdsaP256
}

#[test]
fn valid_chain_and_expiry() {
    let p = Pki::client(2, false);
    let pool = [&p.intermediates[0], &p.intermediates[1]];
    assert_eq!(run(&p.leaf, &pool, &[&p.root], &client()), (true, None));
    // The leaf (2027-01-01) has expired by 2028.
    let mut late = client();
    late.at = 1_830_000_000;
    let (ok, why) = run(&p.leaf, &pool, &[&p.root], &late);
    assert!(!ok);
    assert!(matches!(why, Some(Problem::Expired { .. })), "{why:?}");
    // Not yet valid in 2024.
    let mut early = client();
    early.at = 1_700_000_000;
    assert!(matches!(
        run(&p.leaf, &pool, &[&p.root], &early).1,
        Some(Problem::NotYetValid { .. })
    ));
}

#[test]
fn missing_intermediate_is_unknown_issuer() {
    let p = Pki::client(2, false);
    let (ok, why) = run(&p.leaf, &[&p.intermediates[1]], &[&p.root], &client());
    assert!(!ok);
    assert_eq!(why, Some(Problem::UnknownIssuer));
}

#[test]
fn intermediate_must_be_a_ca_with_keycertsign() {
    let r = root(&Spec::ca("Root", ec(1)));
    // Not a CA.
    let mut s = Spec::ca("Not a CA", ec(2));
    s.ca = false;
    let not_ca = r.issue(s.params(), s.alg);
    let leaf = not_ca.issue(Spec::client("leaf", ec(3)).params(), ec(3));
    assert_eq!(
        run(&leaf, &[&not_ca], &[&r], &client()).1,
        Some(Problem::NotCa)
    );
    // A CA whose keyUsage lacks keyCertSign.
    let mut params = Spec::ca("No certsign", ec(2)).params();
    params.key_usages = vec![KeyUsagePurpose::CrlSign];
    let no_sign = r.issue(params, ec(2));
    let leaf = no_sign.issue(Spec::client("leaf", ec(3)).params(), ec(3));
    assert_eq!(
        run(&leaf, &[&no_sign], &[&r], &client()).1,
        Some(Problem::NoKeyCertSign)
    );
    // The passing case: a proper CA.
    let ok = r.issue(Spec::ca("Good", ec(2)).params(), ec(2));
    let leaf = ok.issue(Spec::client("leaf", ec(3)).params(), ec(3));
    assert!(run(&leaf, &[&ok], &[&r], &client()).0);
}

#[test]
fn path_len_constraint() {
    let r = root(&Spec::ca("Root", ec(1)));
    for (limit, valid) in [(0u8, false), (1, true)] {
        let mut p1 = Spec::ca("I1", ec(2)).params();
        p1.is_ca = IsCa::Ca(BasicConstraints::Constrained(limit));
        let i1 = r.issue(p1, ec(2));
        let i2 = i1.issue(Spec::ca("I2", ec(3)).params(), ec(3));
        let leaf = i2.issue(Spec::client("leaf", ec(4)).params(), ec(4));
        let (ok, why) = run(&leaf, &[&i1, &i2], &[&r], &client());
        assert_eq!(ok, valid, "pathLen {limit}: {why:?}");
        if !valid {
            assert!(
                matches!(why, Some(Problem::PathLenExceeded { limit: 0, below: 1 })),
                "{why:?}"
            );
        }
    }
}

#[test]
fn unknown_critical_extension() {
    let r = root(&Spec::ca("Root", ec(1)));
    for critical in [true, false] {
        let mut params = Spec::ca("Odd", ec(2)).params();
        let mut ext =
            CustomExtension::from_oid_content(&[1, 3, 6, 1, 4, 1, 99999, 1], vec![0x05, 0x00]);
        ext.set_criticality(critical);
        params.custom_extensions.push(ext);
        let i = r.issue(params, ec(2));
        let leaf = i.issue(Spec::client("leaf", ec(3)).params(), ec(3));
        let (ok, why) = run(&leaf, &[&i], &[&r], &client());
        assert_eq!(ok, !critical, "{why:?}");
        if critical {
            assert!(matches!(
                why,
                Some(Problem::UnknownCriticalExtension { .. })
            ));
        }
    }
}

fn constrained(nc: NameConstraints) -> (Node, Node) {
    let r = root(&Spec::ca("Root", ec(1)));
    let mut params = Spec::ca("Constrained", ec(2)).params();
    params.name_constraints = Some(nc);
    let i = r.issue(params, ec(2));
    (r, i)
}

#[test]
fn name_constraints_dns_ip_email_dirname() {
    let (r, i) = constrained(NameConstraints {
        permitted_subtrees: vec![
            GeneralSubtree::DnsName("example.com".into()),
            GeneralSubtree::IpAddress(rcgen::CidrSubnet::V4([10, 0, 0, 0], [255, 0, 0, 0])),
            GeneralSubtree::Rfc822Name("example.com".into()),
        ],
        excluded_subtrees: vec![GeneralSubtree::DnsName("bad.example.com".into())],
    });
    let server = Policy::new(AT, Role::Server);
    for (san, valid) in [
        ("a.example.com", true),
        ("other.test", false),
        ("x.bad.example.com", false),
        ("10.1.2.3", true),
        ("192.168.0.1", false),
    ] {
        let leaf = i.issue(Spec::server("leaf", ec(3), san).params(), ec(3));
        let (ok, why) = run(&leaf, &[&i], &[&r], &server);
        assert_eq!(ok, valid, "{san}: {why:?}");
        if !valid {
            assert!(
                matches!(why, Some(Problem::NameConstraint { .. })),
                "{san}: {why:?}"
            );
        }
    }
    // Email SANs.
    for (email, valid) in [("me@example.com", true), ("me@evil.test", false)] {
        let mut params = Spec::client("leaf", ec(3)).params();
        params.subject_alt_names = vec![rcgen::SanType::Rfc822Name(email.try_into().unwrap())];
        let leaf = i.issue(params, ec(3));
        assert_eq!(run(&leaf, &[&i], &[&r], &client()).0, valid, "{email}");
    }
    // Directory names: the leaf subject must sit under O=chainfix test.
    let mut dn = rcgen::DistinguishedName::new();
    dn.push(rcgen::DnType::OrganizationName, "chainfix test");
    let (r2, i2) = constrained(NameConstraints {
        permitted_subtrees: vec![GeneralSubtree::DirectoryName(dn)],
        excluded_subtrees: vec![],
    });
    let inside = i2.issue(Spec::client("leaf", ec(3)).params(), ec(3));
    assert!(run(&inside, &[&i2], &[&r2], &client()).0);
    let mut params = Spec::client("leaf", ec(3)).params();
    let mut other = rcgen::DistinguishedName::new();
    other.push(rcgen::DnType::OrganizationName, "someone else");
    other.push(rcgen::DnType::CommonName, "leaf");
    params.distinguished_name = other;
    let outside = i2.issue(params, ec(3));
    assert!(matches!(
        run(&outside, &[&i2], &[&r2], &client()).1,
        Some(Problem::NameConstraint { .. })
    ));
}

#[test]
fn eku_for_role_and_nesting() {
    let p = Pki::client(1, false);
    let pool = [&p.intermediates[0]];
    assert!(run(&p.leaf, &pool, &[&p.root], &client()).0);
    let (ok, why) = run(&p.leaf, &pool, &[&p.root], &Policy::new(AT, Role::Server));
    assert!(!ok);
    assert!(matches!(why, Some(Problem::WrongEku { .. })), "{why:?}");
    // An intermediate limited to serverAuth constrains a clientAuth leaf.
    let r = root(&Spec::ca("Root", ec(1)));
    let mut s = Spec::ca("Server-only CA", ec(2));
    s.eku = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let i = r.issue(s.params(), ec(2));
    let leaf = i.issue(Spec::client("leaf", ec(3)).params(), ec(3));
    let (ok, why) = run(&leaf, &[&i], &[&r], &client());
    assert!(!ok);
    assert!(matches!(why, Some(Problem::WrongEku { .. })), "{why:?}");
}

#[test]
fn host_and_ip_match() {
    let r = root(&Spec::ca("Root", ec(1)));
    let leaf = r.issue(Spec::server("leaf", ec(2), "*.example.com").params(), ec(2));
    let mut pol = Policy::new(AT, Role::Server);
    pol.names = vec![PeerName::Dns("www.example.com".into())];
    assert!(run(&leaf, &[], &[&r], &pol).0);
    pol.names = vec![PeerName::Dns("a.b.example.com".into())];
    assert!(matches!(
        run(&leaf, &[], &[&r], &pol).1,
        Some(Problem::NameMismatch { .. })
    ));
    let leaf = r.issue(Spec::server("leaf", ec(2), "192.0.2.7").params(), ec(2));
    pol.names = vec![PeerName::Ip("192.0.2.7".parse().unwrap())];
    assert!(run(&leaf, &[], &[&r], &pol).0);
    pol.names = vec![PeerName::Ip("192.0.2.8".parse().unwrap())];
    assert!(!run(&leaf, &[], &[&r], &pol).0);
}

#[test]
fn max_depth() {
    let p = Pki::client(3, false);
    let pool: Vec<&Node> = p.intermediates.iter().collect();
    let mut pol = client();
    pol.max_intermediates = 3;
    assert!(run(&p.leaf, &pool, &[&p.root], &pol).0);
    pol.max_intermediates = 2;
    assert!(matches!(
        run(&p.leaf, &pool, &[&p.root], &pol).1,
        Some(Problem::TooDeep { .. })
    ));
}

/// The DST Root CA X3 shape: the intermediate's issuer exists twice, as a
/// cross-sign by an expired root and as a self-signed root in the store.
/// The builder must backtrack from the dead branch and take the live one,
/// and report the expired branch's reason before "unknown issuer".
#[test]
fn backtracks_past_expired_cross_sign() {
    let mut old = Spec::ca("Old Root X3", ec(1));
    old.not_before = (2015, 1, 1);
    old.not_after = (2021, 9, 30);
    let old = root(&old);
    let isrg = root(&Spec::ca("ISRG Root X1", ec(2)));
    // The cross-sign: same subject and key as ISRG Root X1, issued by the old root.
    let mut cross_params = Spec::ca("ISRG Root X1", ec(2)).params();
    cross_params.not_before = rcgen::date_time_ymd(2016, 1, 1);
    cross_params.not_after = rcgen::date_time_ymd(2036, 1, 1);
    let cross = cross_params.signed_by(&isrg.key, &old.issuer()).unwrap();
    let cross = Cert::from_der(cross.der().to_vec(), Origin::file("cross")).unwrap();
    let r3 = isrg.issue(Spec::ca("R3", ec(3)).params(), ec(3));
    let leaf = r3.issue(Spec::client("leaf", ec(4)).params(), ec(4));
    let leaf_c = cert(&leaf);
    let pool = vec![cert(&r3), cross];
    // Only the old root trusted: the expired anchor is the reason.
    let anchors = vec![cert(&old)];
    let out = build(&leaf_c, &pool, &anchors, &client(), Budget::default());
    assert!(!out.is_valid());
    assert!(
        matches!(out.main_problem(), Some(Problem::Expired { .. })),
        "{:?}",
        out.main_problem()
    );
    // Both roots trusted: a valid path through the self-signed ISRG root.
    let anchors = vec![cert(&old), cert(&isrg)];
    let out = build(&leaf_c, &pool, &anchors, &client(), Budget::default());
    assert!(out.is_valid());
    let path = out.path.unwrap();
    assert_eq!(path.last().unwrap().cert.subject(), cert(&isrg).subject());
    assert_eq!(path.len(), 3);
}

#[test]
fn cross_sign_loop_terminates() {
    let a = root(&Spec::ca("Loop A", ec(1)));
    let b = root(&Spec::ca("Loop B", ec(2)));
    let a_by_b = Node {
        cert: Spec::ca("Loop A", ec(1))
            .params()
            .signed_by(&a.key, &b.issuer())
            .unwrap(),
        params: Spec::ca("Loop A", ec(1)).params(),
        key: crate::pki::key(Alg::EcdsaP256),
    };
    let b_by_a = Node {
        cert: Spec::ca("Loop B", ec(2))
            .params()
            .signed_by(&b.key, &a.issuer())
            .unwrap(),
        params: Spec::ca("Loop B", ec(2)).params(),
        key: crate::pki::key(Alg::EcdsaP256),
    };
    let leaf = a.issue(Spec::client("leaf", ec(3)).params(), ec(3));
    let other = root(&Spec::ca("Unrelated", ec(4)));
    let (ok, _) = run(&leaf, &[&a_by_b, &b_by_a], &[&other], &client());
    assert!(!ok);
    // With B trusted the loop is cut at B.
    assert!(run(&leaf, &[&a_by_b, &b_by_a], &[&b], &client()).0);
}

#[test]
fn prefers_path_without_early_expiring_intermediate() {
    // Two versions of the intermediate (same subject and key): one expiring
    // before the leaf, one after. Both valid at AT; the later one wins.
    let r = root(&Spec::ca("Root", ec(1)));
    let key = crate::pki::key(Alg::EcdsaP256);
    let mk = |y: i32| {
        let mut s = Spec::ca("Issuing", ec(2));
        s.not_after = (y, 1, 1);
        let params = s.params();
        let c = params.signed_by(&key, &r.issuer()).unwrap();
        Cert::from_der(c.der().to_vec(), Origin::file(format!("i{y}"))).unwrap()
    };
    let short = mk(2026);
    let long = mk(2030);
    let issuer_params = Spec::ca("Issuing", ec(2)).params();
    let issuer = rcgen::Issuer::from_params(&issuer_params, &key);
    let leaf_params = Spec::client("leaf", ec(3)).params();
    let leaf_key = crate::pki::key(Alg::EcdsaP256);
    let leaf = Cert::from_der(
        leaf_params
            .signed_by(&leaf_key, &issuer)
            .unwrap()
            .der()
            .to_vec(),
        Origin::file("leaf"),
    )
    .unwrap();
    let anchors = vec![cert(&r)];
    for pool in [
        vec![short.clone(), long.clone()],
        vec![long.clone(), short.clone()],
    ] {
        let mut pol = client();
        pol.at = 1_750_000_000; // 2025-06
        let out = build(&leaf, &pool, &anchors, &pol, Budget::default());
        assert!(out.is_valid());
        assert_eq!(out.path.unwrap()[1].cert.id(), long.id());
    }
}

// ---- the explainer, through the binary ----

fn json(out: &std::process::Output) -> serde_json::Value {
    serde_json::from_str(&stdout(out))
        .unwrap_or_else(|e| panic!("{e}: {} {}", stdout(out), crate::util::stderr(out)))
}

fn classes(v: &serde_json::Value) -> Vec<String> {
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["class"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn explains_missing_intermediate_with_aia_and_command() {
    let d = tempdir();
    let r = root(&Spec::ca("Explain Root", ec(1)));
    let i = r.issue(Spec::ca("Explain Issuing CA", ec(2)).params(), ec(2));
    let mut ls = Spec::client("leaf.example.test", ec(3));
    ls.aia = vec!["http://127.0.0.1:9/issuing.cer".into()];
    let leaf = i.issue(ls.params(), ec(3));
    write(d.path(), "leaf.pem", leaf.pem());
    write(d.path(), "root.pem", r.pem());
    let o = chainfix(
        d.path(),
        &[
            "verify",
            "leaf.pem",
            "--trust",
            "root.pem",
            "--at",
            "2026-06-01",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["valid"], false);
    let f = &v["findings"][0];
    assert_eq!(f["class"], "intermediate-missing");
    assert!(
        f["subject"]
            .as_str()
            .unwrap()
            .contains("Explain Issuing CA")
    );
    assert_eq!(f["urls"][0], "http://127.0.0.1:9/issuing.cer");
    assert!(
        f["fix"]
            .as_str()
            .unwrap()
            .contains("chainfix bundle leaf.pem")
    );
    assert!(f["authority_key_id"].as_str().is_some());
    // Adding the intermediate fixes it.
    write(d.path(), "inter.pem", i.pem());
    let o = chainfix(
        d.path(),
        &[
            "verify",
            "leaf.pem",
            "inter.pem",
            "--trust",
            "root.pem",
            "--at",
            "2026-06-01",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    assert!(stdout(&o).contains("VALID"));
    let v = json(&chainfix(
        d.path(),
        &[
            "verify",
            "leaf.pem",
            "inter.pem",
            "--trust",
            "root.pem",
            "--at",
            "2026-06-01",
            "--json",
        ],
    ));
    assert_eq!(v["valid"], true);
    assert_eq!(v["path"].as_array().unwrap().len(), 3);
    assert_eq!(v["path"][2]["place"], "anchor");
    let checks = v["path"][1]["checks"].as_array().unwrap();
    for c in ["signature", "basic-constraints-ca", "name-constraints"] {
        assert!(checks.iter().any(|x| x == c), "{c} in {checks:?}");
    }
}

#[test]
fn explains_root_not_in_store_wrong_order_and_local_only() {
    let d = tempdir();
    let p = Pki::client(1, false);
    let other = root(&Spec::ca("Some Other Root", ec(5)));
    write(d.path(), "other.pem", other.pem());
    write(d.path(), "root.pem", p.root.pem());
    // Root given but not trusted.
    write(
        d.path(),
        "all.pem",
        format!(
            "{}{}{}",
            p.leaf.pem(),
            p.intermediates[0].pem(),
            p.root.pem()
        ),
    );
    let v = json(&chainfix(
        d.path(),
        &[
            "verify",
            "all.pem",
            "--trust",
            "other.pem",
            "--at",
            "2026-06-01",
            "--json",
        ],
    ));
    assert!(
        classes(&v).contains(&"root-not-in-store".to_string()),
        "{v}"
    );
    // Wrong order: intermediate before the leaf; still valid, warned.
    write(
        d.path(),
        "rev.pem",
        format!("{}{}", p.intermediates[0].pem(), p.leaf.pem()),
    );
    let o = chainfix(
        d.path(),
        &[
            "verify",
            "rev.pem",
            "--trust",
            "root.pem",
            "--at",
            "2026-06-01",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(0));
    assert!(classes(&json(&o)).contains(&"wrong-order".to_string()));
    // Intermediate only in a local pool file.
    write(d.path(), "leaf.pem", p.leaf.pem());
    write(d.path(), "local.pem", p.intermediates[0].pem());
    let v = json(&chainfix(
        d.path(),
        &[
            "verify",
            "leaf.pem",
            "--intermediates",
            "local.pem",
            "--trust",
            "root.pem",
            "--at",
            "2026-06-01",
            "--json",
        ],
    ));
    assert!(
        classes(&v).contains(&"intermediate-only-local".to_string()),
        "{v}"
    );
}

#[test]
fn explains_wrong_eku_and_self_signed_leaf() {
    let d = tempdir();
    let r = root(&Spec::ca("EKU Root", ec(1)));
    let leaf = r.issue(
        Spec::server("srv", ec(2), "srv.example.test").params(),
        ec(2),
    );
    write(d.path(), "srv.pem", leaf.pem());
    write(d.path(), "root.pem", r.pem());
    let o = chainfix(
        d.path(),
        &[
            "verify",
            "srv.pem",
            "--role",
            "client",
            "--trust",
            "root.pem",
            "--at",
            "2026-06-01",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert_eq!(classes(&json(&o))[0], "wrong-eku");
    let o = chainfix(
        d.path(),
        &[
            "verify",
            "srv.pem",
            "--role",
            "server",
            "--host",
            "srv.example.test",
            "--trust",
            "root.pem",
            "--at",
            "2026-06-01",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
    // Self-signed leaf.
    let mut s = Spec::client("me", ec(3));
    s.ca = false;
    let selfie = root(&s);
    write(d.path(), "self.pem", selfie.pem());
    let v = json(&chainfix(
        d.path(),
        &[
            "verify",
            "self.pem",
            "--trust",
            "root.pem",
            "--at",
            "2026-06-01",
            "--json",
        ],
    ));
    assert!(classes(&v).contains(&"self-signed-leaf".to_string()), "{v}");
    // diagnose leads with the meaning of the pasted message.
    let o = chainfix(
        d.path(),
        &[
            "diagnose",
            "--error",
            "unable to get local issuer certificate",
            "self.pem",
            "--trust",
            "root.pem",
            "--at",
            "2026-06-01",
        ],
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o)
            .starts_with("The message (line 1): unable to get local issuer certificate\nIt means"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn explains_expired_cross_sign_with_alternate() {
    let d = tempdir();
    let mut old = Spec::ca("Old Root", ec(1));
    old.not_before = (2015, 1, 1);
    old.not_after = (2021, 9, 30);
    let old = root(&old);
    let new = root(&Spec::ca("New Root", ec(2)));
    let mut cp = Spec::ca("New Root", ec(2)).params();
    cp.not_before = rcgen::date_time_ymd(2016, 1, 1);
    cp.not_after = rcgen::date_time_ymd(2021, 9, 30);
    let cross = cp.signed_by(&new.key, &old.issuer()).unwrap();
    let i = new.issue(Spec::ca("Issuing", ec(3)).params(), ec(3));
    let leaf = i.issue(Spec::client("leaf", ec(4)).params(), ec(4));
    write(
        d.path(),
        "chain.pem",
        format!("{}{}{}", leaf.pem(), i.pem(), cross.pem()),
    );
    write(d.path(), "roots.pem", format!("{}{}", new.pem(), old.pem()));
    let o = chainfix(
        d.path(),
        &[
            "verify",
            "chain.pem",
            "--trust",
            "roots.pem",
            "--at",
            "2026-06-01",
            "--json",
        ],
    );
    let v = json(&o);
    assert_eq!(o.status.code(), Some(0), "{v}");
    // The builder took the self-signed New Root; the expired cross-sign is
    // only reported when tried. Trust only the old root to force it.
    write(d.path(), "old.pem", old.pem());
    let v = json(&chainfix(
        d.path(),
        &[
            "verify",
            "chain.pem",
            "--trust",
            "old.pem",
            "--at",
            "2026-06-01",
            "--json",
        ],
    ));
    assert!(
        classes(&v).contains(&"expired-cross-sign".to_string()),
        "{v}"
    );
    assert_eq!(v["rejected"][0]["problems"][0]["problem"], "expired", "{v}");
}

// ---- cross-check with openssl verify -x509_strict ----

#[test]
fn verdicts_agree_with_openssl_verify() {
    if std::process::Command::new("openssl")
        .arg("version")
        .output()
        .is_err()
    {
        panic!("openssl is needed for this cross-check");
    }
    let d = tempdir();
    let r = root(&Spec::ca("XCheck Root", Alg::Rsa(1)));
    let good = r.issue(Spec::ca("XCheck CA", Alg::Rsa(2)).params(), Alg::Rsa(2));
    let mut s = Spec::ca("XCheck not CA", Alg::Rsa(3));
    s.ca = false;
    let not_ca = r.issue(s.params(), s.alg);
    let mut s = Spec::ca("XCheck server-only CA", Alg::Rsa(4));
    s.eku = vec![ExtendedKeyUsagePurpose::ServerAuth];
    let server_only = r.issue(s.params(), s.alg);
    let mut p0 = Spec::ca("XCheck pathlen0", Alg::Rsa(5)).params();
    p0.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
    let pl0 = r.issue(p0, Alg::Rsa(5));
    let below = pl0.issue(
        Spec::ca("XCheck below pathlen0", Alg::Rsa(6)).params(),
        Alg::Rsa(6),
    );
    write(d.path(), "root.pem", r.pem());
    let cases: Vec<(&str, Vec<&Node>, Node, &str)> = vec![
        (
            "client-ok",
            vec![&good],
            good.issue(Spec::client("c", Alg::Rsa(7)).params(), Alg::Rsa(7)),
            "client",
        ),
        (
            "server-ok",
            vec![&good],
            good.issue(
                Spec::server("s", Alg::Rsa(7), "s.example.test").params(),
                Alg::Rsa(7),
            ),
            "server",
        ),
        (
            "client-cert-as-server",
            vec![&good],
            good.issue(Spec::client("c", Alg::Rsa(7)).params(), Alg::Rsa(7)),
            "server",
        ),
        (
            "server-cert-as-client",
            vec![&good],
            good.issue(
                Spec::server("s", Alg::Rsa(7), "s.example.test").params(),
                Alg::Rsa(7),
            ),
            "client",
        ),
        (
            "not-ca",
            vec![&not_ca],
            not_ca.issue(Spec::client("c", Alg::Rsa(7)).params(), Alg::Rsa(7)),
            "client",
        ),
        (
            "eku-nesting",
            vec![&server_only],
            server_only.issue(Spec::client("c", Alg::Rsa(7)).params(), Alg::Rsa(7)),
            "client",
        ),
        (
            "pathlen",
            vec![&below, &pl0],
            below.issue(Spec::client("c", Alg::Rsa(7)).params(), Alg::Rsa(7)),
            "client",
        ),
        (
            "missing-intermediate",
            vec![],
            good.issue(Spec::client("c", Alg::Rsa(7)).params(), Alg::Rsa(7)),
            "client",
        ),
    ];
    let mut disagreements = Vec::new();
    let mut verdicts = std::collections::HashSet::new();
    for (name, inters, leaf, role) in &cases {
        let leaf_file = format!("{name}-leaf.pem");
        let inter_file = format!("{name}-inter.pem");
        write(d.path(), &leaf_file, leaf.pem());
        write(
            d.path(),
            &inter_file,
            inters.iter().map(|n| n.pem()).collect::<String>(),
        );
        let purpose = if *role == "client" {
            "sslclient"
        } else {
            "sslserver"
        };
        let mut cmd = std::process::Command::new("openssl");
        cmd.current_dir(d.path()).args([
            "verify",
            "-x509_strict",
            "-purpose",
            purpose,
            "-attime",
            &AT.to_string(),
            "-CAfile",
            "root.pem",
        ]);
        if !inters.is_empty() {
            cmd.args(["-untrusted", &inter_file]);
        }
        let ossl = cmd.arg(&leaf_file).output().unwrap().status.success();
        let mut args = vec!["verify", leaf_file.as_str()];
        if !inters.is_empty() {
            args.push(&inter_file);
        }
        args.extend(["--trust", "root.pem", "--role", role, "--at", "2026-06-01"]);
        let ours = chainfix(d.path(), &args).status.code() == Some(0);
        verdicts.insert(ours);
        if ours != ossl {
            disagreements.push(format!("{name}: chainfix {ours}, openssl {ossl}"));
        }
    }
    assert!(disagreements.is_empty(), "{disagreements:?}");
    assert_eq!(
        verdicts.len(),
        2,
        "the cases must include valid and invalid chains"
    );
}

#[test]
fn root_not_in_candidate_store_says_candidate_and_cacerts_jsp() {
    use chainfix::chain::explain::{Class, Context, explain};
    let p = Pki::client(1, false);
    let other = root(&Spec::ca("Store Root", ec(9)));
    let leaf = cert(&p.leaf);
    let given = vec![
        Cert::from_der(p.leaf.der(), Origin::block("chain.pem", 1)).unwrap(),
        Cert::from_der(p.intermediates[0].der(), Origin::block("chain.pem", 2)).unwrap(),
        Cert::from_der(p.root.der(), Origin::block("chain.pem", 3)).unwrap(),
    ];
    let pool = given[1..].to_vec();
    let anchors = vec![cert(&other)];
    let out = build(&leaf, &pool, &anchors, &client(), Budget::default());
    let files = vec!["chain.pem".to_string()];
    let cx = Context {
        files: &files,
        store: "Salesforce",
        store_is_candidate: true,
        local_sources: &[],
        has_key: false,
        peer: chainfix::peer::Peer::Salesforce,
    };
    let f = explain(&out, &leaf, &given, &cx);
    let root_finding = f
        .iter()
        .find(|x| x.class == Class::RootNotInStore)
        .expect("root-not-in-store");
    assert!(
        root_finding.message.contains("CANDIDATE"),
        "{}",
        root_finding.message
    );
    assert!(root_finding.message.contains("cacerts.jsp"));
    assert!(root_finding.message.contains("Test Root CA"));
    // With a store that is the peer's own, no candidate caveat.
    let cx = Context {
        store_is_candidate: false,
        ..cx
    };
    let f = explain(&out, &leaf, &given, &cx);
    assert!(!f.iter().any(|x| x.message.contains("CANDIDATE")));
}

#[test]
fn bad_trust_file_and_unknown_store_exit_2() {
    let d = tempdir();
    let p = Pki::client(0, false);
    write(d.path(), "leaf.pem", p.leaf.pem());
    write(d.path(), "empty.pem", "no certificates here\n");
    let o = chainfix(d.path(), &["verify", "leaf.pem", "--trust", "missing.pem"]);
    assert_eq!(o.status.code(), Some(2));
    let o = chainfix(d.path(), &["verify", "leaf.pem", "--trust", "empty.pem"]);
    assert_eq!(o.status.code(), Some(2), "{}", crate::util::stderr(&o));
}

/// A pool of 150 decoys that share the issuer's name but not its key: each
/// costs a signature check, and the budget (100) ends the search as a
/// failure instead of letting a hostile pool run on.
#[test]
fn signature_budget_is_fatal() {
    let r = root(&Spec::ca("Budget Root", ec(1)));
    let real = r.issue(Spec::ca("Budget CA", ec(2)).params(), ec(2));
    let leaf = real.issue(Spec::client("leaf", ec(3)).params(), ec(3));
    let decoys: Vec<Node> = (0..150)
        .map(|_| r.issue(Spec::ca("Budget CA", ec(2)).params(), ec(2)))
        .collect();
    let leaf_c = cert(&leaf);
    let anchors = vec![cert(&r)];
    let mut pool: Vec<Cert> = decoys.iter().map(cert).collect();
    let out = build(&leaf_c, &pool, &anchors, &client(), Budget::default());
    assert!(!out.is_valid());
    assert!(out.exhausted);
    assert_eq!(out.main_problem(), Some(Problem::BudgetExhausted));
    // With the real issuer present and a larger budget the path is found.
    pool.push(cert(&real));
    let big = Budget {
        signatures: 1_000,
        ..Budget::default()
    };
    assert!(build(&leaf_c, &pool, &anchors, &client(), big).is_valid());
}

#[test]
fn default_client_store_is_the_salesforce_candidate_list() {
    let d = tempdir();
    let p = Pki::client(1, false);
    write(
        d.path(),
        "all.pem",
        format!(
            "{}{}{}",
            p.leaf.pem(),
            p.intermediates[0].pem(),
            p.root.pem()
        ),
    );
    let o = chainfix(
        d.path(),
        &["verify", "all.pem", "--at", "2026-06-01", "--json"],
    );
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["trust_is_candidate"], true);
    let f = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["class"] == "root-not-in-store")
        .expect("root-not-in-store");
    let m = f["message"].as_str().unwrap();
    assert!(m.contains("CANDIDATE") && m.contains("cacerts.jsp"), "{m}");
    // Every text verdict that relied on the candidate store says so, once:
    // here the root finding carries it, so no second note.
    for cmd in ["verify", "diagnose"] {
        let o = chainfix(d.path(), &[cmd, "all.pem", "--at", "2026-06-01"]);
        assert_eq!(stdout(&o).matches("CANDIDATE").count(), 1, "{}", stdout(&o));
    }
    // A missing intermediate says nothing of the store in its finding, but
    // the verdict still relied on the candidate list: the note is printed.
    write(d.path(), "leaf.pem", p.leaf.pem());
    for cmd in ["verify", "diagnose"] {
        let o = chainfix(
            d.path(),
            &[cmd, "leaf.pem", "--offline", "--at", "2026-06-01"],
        );
        assert_eq!(o.status.code(), Some(1), "{cmd}");
        let out = stdout(&o);
        assert!(
            out.matches("CANDIDATE").count() == 1 && out.contains("cacerts.jsp"),
            "{cmd}: {out}"
        );
    }
    // The same chain against its own root as the org's list is valid.
    write(d.path(), "root.pem", p.root.pem());
    let o = chainfix(
        d.path(),
        &[
            "verify",
            "all.pem",
            "--trust",
            "root.pem",
            "--at",
            "2026-06-01",
        ],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stdout(&o));
}

#[test]
fn missing_intermediate_url_that_works_makes_bundle_the_fix() {
    let d = tempdir();
    let srv = crate::httpd::Server::start();
    let r = root(&Spec::ca("AIA Root", ec(1)));
    let i = r.issue(Spec::ca("AIA Issuing CA", ec(2)).params(), ec(2));
    let mut ls = Spec::client("leaf.example.test", ec(3));
    ls.aia = vec![srv.url("/issuing.cer")];
    let leaf = i.issue(ls.params(), ec(3));
    srv.set(
        "/issuing.cer",
        crate::httpd::Route::Body("application/pkix-cert", i.der()),
    );
    write(d.path(), "leaf.pem", leaf.pem());
    write(d.path(), "root.pem", r.pem());
    let o = chainfix(
        d.path(),
        &[
            "verify",
            "leaf.pem",
            "--trust",
            "root.pem",
            "--at",
            "2026-06-01",
            "--no-cache",
            "--json",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(1),
        "the peer is not sent the issuer, so still not valid"
    );
    let v = json(&o);
    let f = &v["findings"][0];
    assert_eq!(f["class"], "intermediate-missing");
    assert_eq!(f["url_works"], true, "{v}");
    assert!(f["url_status"].as_str().unwrap().contains("AIA Issuing CA"));
    assert_eq!(
        f["fix"].as_str().unwrap().split(" (").next().unwrap(),
        "chainfix bundle leaf.pem --no-key -o chain.pem"
    );
    // A URL that serves something else is reported as not working.
    srv.set(
        "/issuing.cer",
        crate::httpd::Route::Body("application/pkix-cert", r.der()),
    );
    let v = json(&chainfix(
        d.path(),
        &[
            "verify",
            "leaf.pem",
            "--trust",
            "root.pem",
            "--at",
            "2026-06-01",
            "--no-cache",
            "--json",
        ],
    ));
    assert_eq!(v["findings"][0]["url_works"], false, "{v}");
}

#[test]
fn expired_leaf_is_explained_with_renewal() {
    let d = tempdir();
    let p = Pki::client(0, false);
    write(d.path(), "leaf.pem", p.leaf.pem());
    write(d.path(), "root.pem", p.root.pem());
    let v = json(&chainfix(
        d.path(),
        &[
            "verify",
            "leaf.pem",
            "--trust",
            "root.pem",
            "--at",
            "2028-01-01",
            "--json",
        ],
    ));
    assert_eq!(v["valid"], false);
    assert_eq!(v["leaf_problems"][0]["problem"], "expired");
    let f = &v["findings"][0];
    assert_eq!(f["class"], "invalid");
    assert!(f["message"].as_str().unwrap().contains("expired"), "{f}");
    assert!(f["fix"].as_str().unwrap().contains("renew"), "{f}");
}

/// Two signatures on the same intermediate (same subject and key): one by
/// the root with SHA-1, one with SHA-256, both valid. The builder prefers
/// the SHA-256 path whichever order the pool holds them in. Made with
/// openssl, since rcgen cannot sign with SHA-1.
#[test]
fn prefers_sha256_over_sha1() {
    let d = tempdir();
    let dir = d.path();
    let sh = |args: &[&str]| crate::util::openssl(dir, args);
    let rsa = |n: u8| {
        format!(
            "{}/testdata/keys/rsa2048-{n}.pem",
            env!("CARGO_MANIFEST_DIR")
        )
    };
    std::fs::write(
        dir.join("ca.ext"),
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("leaf.ext"),
        "basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    )
    .unwrap();
    sh(&[
        "req",
        "-x509",
        "-new",
        "-key",
        &rsa(1),
        "-subj",
        "/CN=SHA Root",
        "-days",
        "3650",
        "-sha256",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        "-out",
        "root.pem",
    ]);
    sh(&[
        "req",
        "-new",
        "-key",
        &rsa(2),
        "-subj",
        "/CN=SHA Issuing",
        "-out",
        "ca.csr",
    ]);
    for (alg, out) in [("-sha1", "ca-sha1.pem"), ("-sha256", "ca-sha256.pem")] {
        sh(&[
            "x509",
            "-req",
            "-in",
            "ca.csr",
            "-CA",
            "root.pem",
            "-CAkey",
            &rsa(1),
            "-set_serial",
            "7",
            alg,
            "-days",
            "3000",
            "-extfile",
            "ca.ext",
            "-out",
            out,
        ]);
    }
    sh(&[
        "req",
        "-new",
        "-key",
        &rsa(3),
        "-subj",
        "/CN=sha-leaf",
        "-out",
        "leaf.csr",
    ]);
    sh(&[
        "x509",
        "-req",
        "-in",
        "leaf.csr",
        "-CA",
        "ca-sha256.pem",
        "-CAkey",
        &rsa(2),
        "-set_serial",
        "9",
        "-sha256",
        "-days",
        "700",
        "-extfile",
        "leaf.ext",
        "-out",
        "leaf.pem",
    ]);
    let load = |f: &str| {
        let p = pem::parse(std::fs::read(dir.join(f)).unwrap()).unwrap();
        Cert::from_der(p.contents().to_vec(), Origin::file(f)).unwrap()
    };
    let (leaf, root, sha1, sha256) = (
        load("leaf.pem"),
        load("root.pem"),
        load("ca-sha1.pem"),
        load("ca-sha256.pem"),
    );
    let anchors = vec![root];
    // A peer that accepts SHA-1 (Java; webpki and OpenSSL at level 2 refuse it).
    let mut pol = Policy::for_peer(0, Role::Client, chainfix::peer::Peer::Java);
    pol.at = leaf.not_before() + 3600;
    for pool in [
        vec![sha1.clone(), sha256.clone()],
        vec![sha256.clone(), sha1.clone()],
    ] {
        let out = build(&leaf, &pool, &anchors, &pol, Budget::default());
        assert!(out.is_valid(), "{:?}", out.main_problem());
        assert!(out.valid_paths >= 2, "both paths are valid");
        let path = out.path.unwrap();
        assert_eq!(path[1].cert.id(), sha256.id());
        assert_eq!(path[1].sig, Some(chainfix::chain::SigAlg::RsaPkcs1Sha256));
    }
}

/// A leaf that is itself in the trust store is a path of one: valid when
/// its own checks pass. Each verdict is compared with `openssl verify`
/// (`-partial_chain` for the leaf that is not self-signed, as OpenSSL only
/// trusts a non-self-signed certificate directly with that flag).
#[test]
fn leaf_in_trust_store_is_a_path_of_one() {
    let d = tempdir();
    // A self-signed client certificate, the private-PKI case.
    let mut s = Spec::client("selfie.example.test", ec(1));
    s.ca = false;
    let selfie = root(&s);
    write(d.path(), "self.pem", selfie.pem());
    // The same, but server-only: wrong role for a client certificate.
    let mut s = Spec::server("srv-selfie", ec(2), "srv.example.test");
    s.ca = false;
    let server_selfie = root(&s);
    write(d.path(), "srvself.pem", server_selfie.pem());
    // An issued leaf that the user trusts directly (no root at hand).
    let p = Pki::client(0, false);
    write(d.path(), "issued.pem", p.leaf.pem());
    let cases = [
        (
            "self-signed-trusted",
            "self.pem",
            "self.pem",
            "2026-06-01",
            true,
        ),
        (
            "self-signed-expired",
            "self.pem",
            "self.pem",
            "2028-06-01",
            false,
        ),
        (
            "self-signed-wrong-eku",
            "srvself.pem",
            "srvself.pem",
            "2026-06-01",
            false,
        ),
        (
            "issued-leaf-trusted",
            "issued.pem",
            "issued.pem",
            "2026-06-01",
            true,
        ),
        (
            "self-signed-other-store",
            "self.pem",
            "srvself.pem",
            "2026-06-01",
            false,
        ),
    ];
    for (name, leaf, store, at, want) in cases {
        let o = chainfix(
            d.path(),
            &["verify", leaf, "--trust", store, "--at", at, "--json"],
        );
        let v = json(&o);
        assert_eq!(v["valid"], want, "{name}: {v}");
        assert_eq!(o.status.code(), Some(if want { 0 } else { 1 }), "{name}");
        if want {
            let path = v["path"].as_array().unwrap();
            assert_eq!(path.len(), 1, "{name}: {v}");
            assert_eq!(path[0]["place"], "leaf");
            let checks: Vec<&str> = path[0]["checks"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|c| c.as_str())
                .collect();
            assert!(checks.contains(&"in-trust-store"), "{name}: {checks:?}");
            assert!(!checks.contains(&"signature"), "{name}: {checks:?}");
        }
        let at_secs = if at.starts_with("2028") {
            1_843_430_400i64
        } else {
            AT
        };
        let o = std::process::Command::new("openssl")
            .current_dir(d.path())
            .args([
                "verify",
                "-x509_strict",
                "-partial_chain",
                "-purpose",
                "sslclient",
                "-attime",
                &at_secs.to_string(),
                "-CAfile",
                store,
                leaf,
            ])
            .output()
            .unwrap();
        assert_eq!(
            o.status.success(),
            want,
            "{name}: openssl disagrees: {}",
            String::from_utf8_lossy(&o.stdout)
        );
    }
    // The text verdict says why no issuer is needed.
    let o = chainfix(
        d.path(),
        &[
            "verify",
            "self.pem",
            "--trust",
            "self.pem",
            "--at",
            "2026-06-01",
        ],
    );
    assert!(stdout(&o).contains("is itself in the"), "{}", stdout(&o));
}

/// A root, an intermediate and a leaf made by openssl in `dir`:
/// `root.pem`, `inter.pem`, `leaf.pem` (keys beside them).
fn openssl_three(dir: &std::path::Path) {
    use crate::util::openssl;
    write(
        dir,
        "ca.ext",
        "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\nsubjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n",
    );
    write(
        dir,
        "leaf.ext",
        "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=clientAuth,serverAuth\nsubjectAltName=DNS:localhost\nauthorityKeyIdentifier=keyid\n",
    );
    crate::util::openssl_self_signed(
        dir,
        "root.key",
        "root.pem",
        "/CN=Words Root",
        &[
            "-addext",
            "basicConstraints=critical,CA:TRUE",
            "-addext",
            "keyUsage=critical,keyCertSign,cRLSign",
        ],
    );
    for (name, ca, ext) in [("inter", "root", "ca.ext"), ("leaf", "inter", "leaf.ext")] {
        crate::util::openssl_ec_key(dir, &format!("{name}.key"));
        openssl(
            dir,
            &[
                "req",
                "-new",
                "-key",
                &format!("{name}.key"),
                "-subj",
                &format!("/CN=Words {name}"),
                "-out",
                &format!("{name}.csr"),
            ],
        );
        openssl(
            dir,
            &[
                "x509",
                "-req",
                "-in",
                &format!("{name}.csr"),
                "-CA",
                &format!("{ca}.pem"),
                "-CAkey",
                &format!("{ca}.key"),
                "-set_serial",
                "7",
                "-days",
                "3",
                "-extfile",
                ext,
                "-out",
                &format!("{name}.pem"),
            ],
        );
    }
}

/// What `openssl verify -CAfile store leaf.pem` prints after `lookup:`.
fn openssl_verify_words(dir: &std::path::Path, store: &str) -> String {
    openssl_verify_words_with(dir, store, &[])
}

fn openssl_verify_words_with(dir: &std::path::Path, store: &str, extra: &[&str]) -> String {
    let o = std::process::Command::new("openssl")
        .args(["verify", "-CAfile", store])
        .args(extra)
        .arg("leaf.pem")
        .current_dir(dir)
        .output()
        .expect("openssl is installed");
    let all = format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    all.lines()
        .find(|l| l.starts_with("error ") && l.contains(" lookup: "))
        .and_then(|l| l.split(" lookup: ").nth(1))
        .unwrap_or_else(|| panic!("openssl verify said {all}"))
        .to_string()
}

/// The intermediate-missing finding's message for `--peer peer`.
fn missing_issuer_message(dir: &std::path::Path, store: &str, peer: &str) -> String {
    let o = chainfix(
        dir,
        &[
            "verify",
            "leaf.pem",
            "--trust",
            store,
            "--peer",
            peer,
            "--offline",
            "--json",
        ],
    );
    assert_eq!(o.status.code(), Some(1), "{}", crate::util::stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["class"] == "intermediate-missing")
        .unwrap_or_else(|| panic!("no intermediate-missing finding: {v:#}"))["message"]
        .as_str()
        .unwrap()
        .to_string()
}

/// The missing-issuer finding quotes what the chosen peer prints: OpenSSL's
/// error 20 when the last certificate sent has no issuer anywhere, error 2
/// when the last certificate is one from the trust store (not self-signed,
/// so OpenSSL goes on looking) whose issuer is missing, each compared with
/// the real `openssl verify`; Java's and webpki's own words for the same.
#[test]
fn missing_issuer_finding_quotes_the_peers_own_words() {
    let d = tempdir();
    let dir = d.path();
    openssl_three(dir);
    for store in ["root.pem", "inter.pem"] {
        let words = openssl_verify_words(dir, store);
        let msg = missing_issuer_message(dir, store, "openssl");
        assert!(
            msg.contains(&format!("\"{words}\"")),
            "store {store}: openssl verify says {words:?}; chainfix: {msg}"
        );
    }
    assert_eq!(
        openssl_verify_words(dir, "inter.pem"),
        "unable to get issuer certificate",
        "the two situations differ"
    );
    // The whole chain sent, its root not in the store: OpenSSL's error 19.
    crate::util::openssl_self_signed(dir, "other.key", "other.pem", "/CN=Other", &[]);
    std::fs::write(
        dir.join("sent.pem"),
        std::fs::read_to_string(dir.join("inter.pem")).unwrap()
            + &std::fs::read_to_string(dir.join("root.pem")).unwrap(),
    )
    .unwrap();
    let words = openssl_verify_words_with(dir, "other.pem", &["-untrusted", "sent.pem"]);
    let o = chainfix(
        dir,
        &[
            "verify",
            "leaf.pem",
            "sent.pem",
            "--trust",
            "other.pem",
            "--peer",
            "openssl",
            "--offline",
            "--json",
        ],
    );
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let root = v["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["class"] == "root-not-in-store")
        .unwrap_or_else(|| panic!("no root-not-in-store finding: {v:#}"))["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        root.contains(&format!("\"{words}\"")),
        "openssl: {words:?}; chainfix: {root}"
    );
    let java = missing_issuer_message(dir, "root.pem", "java");
    assert!(
        java.contains("\"PKIX path building failed: unable to find valid certification path to requested target\""),
        "{java}"
    );
    let webpki = missing_issuer_message(dir, "root.pem", "webpki");
    assert!(webpki.contains("\"UnknownIssuer\""), "{webpki}");
}
