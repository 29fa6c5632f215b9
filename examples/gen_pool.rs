//! Writes N unrelated self-issued CA certificates (one ECDSA P-256 key,
//! distinct subjects) as PEM, for the `benches/verify.sh` pool benchmark.
//! Usage: cargo run --example gen_pool -- N OUT.pem

use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let out = args.next().unwrap_or_else(|| "pool.pem".into());
    let key = KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
    let mut pem = String::new();
    for i in 0..n {
        let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
        p.distinguished_name
            .push(DnType::CommonName, format!("Unrelated CA {i}"));
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        pem.push_str(&p.self_signed(&key).unwrap().pem());
    }
    std::fs::write(&out, pem).unwrap();
}
