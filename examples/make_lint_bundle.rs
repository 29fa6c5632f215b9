//! Writes a bundle of N certificates in which every certificate has an
//! issuer→subject pair to check: one root, ten intermediates signed by the
//! root, and N-11 clientAuth leaves spread over the intermediates. Also
//! writes the root, the intermediates and each leaf apart, for the peer
//! (`openssl verify`) in benches/lint.sh.
//! Usage: cargo run --release --example make_lint_bundle -- N DIR

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair,
    KeyUsagePurpose,
};

fn params(cn: &str, ca: bool) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).expect("params");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.not_before = rcgen::date_time_ymd(2025, 1, 1);
    p.not_after = rcgen::date_time_ymd(2035, 1, 1);
    p.use_authority_key_identifier_extension = true;
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    } else {
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![ExtendedKeyUsagePurpose::ClientAuth];
    }
    p
}

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(1000);
    let dir = std::path::PathBuf::from(args.next().unwrap_or_else(|| ".".into()));
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let root_key = KeyPair::generate_for(alg).expect("key");
    let root_params = params("Bench Root CA", true);
    let root = root_params.self_signed(&root_key).expect("root");
    let root_issuer = Issuer::from_params(&root_params, &root_key);
    let mut bundle = String::new();
    let mut inters = Vec::new();
    let mut inter_pem = String::new();
    for i in 0..10 {
        let k = KeyPair::generate_for(alg).expect("key");
        let p = params(&format!("Bench Intermediate {i}"), true);
        let c = p.signed_by(&k, &root_issuer).expect("intermediate");
        inter_pem.push_str(&c.pem());
        inters.push((p, k));
    }
    let leaf_key = KeyPair::generate_for(alg).expect("key");
    std::fs::create_dir_all(dir.join("leaves")).expect("dir");
    for i in 0..n.saturating_sub(11) {
        let (ip, ik) = &inters[i % inters.len()];
        let c = params(&format!("bench-client-{i}"), false)
            .signed_by(&leaf_key, &Issuer::from_params(ip, ik))
            .expect("leaf");
        bundle.push_str(&c.pem());
        std::fs::write(dir.join(format!("leaves/{i:05}.pem")), c.pem()).expect("write");
    }
    bundle.push_str(&inter_pem);
    bundle.push_str(&root.pem());
    std::fs::write(dir.join("bundle.pem"), bundle).expect("write");
    std::fs::write(dir.join("root.pem"), root.pem()).expect("write");
    std::fs::write(dir.join("intermediates.pem"), inter_pem).expect("write");
}
