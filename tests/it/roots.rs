//! `chainfix roots` and the trust stores: listing, lookups by certificate,
//! an org's list given as aliases/fingerprints, and `--roots` for a private CA.

use crate::pki::{Pki, Spec};
use crate::util::{chainfix, stderr, stdout, tempdir, write};

#[test]
fn the_bundled_store_lists_158_roots_and_says_it_is_a_candidate() {
    let d = tempdir();
    let o = chainfix(d.path(), &["roots", "--json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["store"]["anchors"], 158);
    assert_eq!(v["store"]["candidate"], true);
    assert!(
        v["store"]["caveat"]
            .as_str()
            .unwrap()
            .contains("cacerts.jsp")
    );
    assert!(
        stdout(&o).contains("DigiCert Global Root G2"),
        "Salesforce's own servers chain to DigiCert Global Root G2"
    );
    let o = chainfix(d.path(), &["roots"]);
    assert!(stderr(&o).contains("CANDIDATE"), "{}", stderr(&o));
    assert!(stdout(&o).contains("DigiCert"));
}

#[test]
fn a_private_root_is_found_only_with_roots_and_its_leaf_by_signature() {
    let d = tempdir();
    let pki = Pki::build(
        Spec::ca("Private Root", crate::pki::Alg::EcdsaP256),
        vec![],
        Spec::client("c", crate::pki::Alg::EcdsaP256),
    );
    let root = write(d.path(), "root.pem", pki.root.pem());
    let leaf = write(d.path(), "leaf.pem", pki.leaf.pem());
    let (root, leaf) = (root.to_str().unwrap(), leaf.to_str().unwrap());
    // A lookup answered "no" is an answer, not a failed check (a leaf
    // issued by an intermediate is "no" even when its chain reaches the
    // store): exit 0 and no error: line, in text and JSON alike; the check
    // that fails is verify's, which exits 1 on this leaf.
    let o = chainfix(d.path(), &["roots", "--json", leaf]);
    assert_eq!(o.status.code(), Some(0), "not found is an answer");
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["lookups"][0]["result"], "not-found");
    let o = chainfix(d.path(), &["verify", leaf, "--offline"]);
    assert_eq!(o.status.code(), Some(1), "verify is the check that fails");
    // The text says what "no" means and what to do, and that the bundled
    // store is only a candidate list.
    let o = chainfix(d.path(), &["roots", leaf]);
    assert_eq!(o.status.code(), Some(0));
    assert!(
        !stderr(&o).lines().any(|l| l.starts_with("error:")),
        "{}",
        stderr(&o)
    );
    assert!(
        stdout(&o).contains("neither it nor its issuer"),
        "{}",
        stdout(&o)
    );
    let e = stderr(&o);
    assert!(
        e.contains(&format!("chainfix verify {leaf}"))
            && e.contains("--roots FILE")
            && e.contains("CANDIDATE")
            && e.contains("cacerts.jsp"),
        "{e}"
    );
    let o = chainfix(d.path(), &["roots", "--json", "--roots", root, leaf, root]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    let results: Vec<&str> = v["lookups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["result"].as_str().unwrap())
        .collect();
    assert_eq!(results, ["issued-by-anchor", "anchor"]);
}

#[test]
fn an_org_list_of_aliases_and_fingerprints_becomes_the_store() {
    let d = tempdir();
    let list = write(
        d.path(),
        "cacerts.html",
        "<a href='#digicertglobalrootg2'>DigiCert Global Root G2</a>\n\
         <a href='#addtrustexternalca'>AddTrust</a>\n\
         55:92:60:84:EC:96:3A:64:B9:6E:2A:BE:01:CE:0B:A8:6A:64:FB:FE:BC:C7:AA:B5:AF:C1:55:B3:7F:D7:60:66\n",
    );
    let o = chainfix(
        d.path(),
        &["roots", "--json", "--trust", list.to_str().unwrap()],
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).unwrap();
    assert_eq!(v["store"]["candidate"], false);
    assert!(v["store"].get("caveat").is_none());
    assert_eq!(v["store"]["resolved"]["alias"], 2);
    assert_eq!(v["store"]["resolved"]["sha256"], 1);
    let anchors = v["anchors"].as_array().unwrap();
    assert_eq!(anchors.len(), 3);
    assert!(anchors.iter().any(|a| a["certificate"] == false));
}

#[test]
fn an_unreadable_trust_file_exits_2_naming_it() {
    let d = tempdir();
    let o = chainfix(d.path(), &["roots", "--trust", "nope.txt"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("nope.txt"));
    // A --roots file with no certificate: the message is about roots, not
    // about "your certificate and its issuers".
    write(d.path(), "junk.txt", "hello\n");
    write(d.path(), "leaf.pem", Pki::client(0, false).leaf.pem());
    for cmd in ["roots", "verify", "lint"] {
        let args = [cmd, "--roots", "junk.txt", "leaf.pem"];
        let o = chainfix(d.path(), &args);
        assert_eq!(o.status.code(), Some(2), "{cmd}");
        let e = stderr(&o);
        assert!(
            e.contains("junk.txt names no root") && e.contains("give the roots as PEM"),
            "{cmd}: {e}"
        );
    }
}
