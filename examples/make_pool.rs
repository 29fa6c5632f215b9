//! Writes N unrelated self-signed certificates as one PEM file, for the
//! benchmarks in benches/ (a pool of strangers around a real chain).
//! Usage: cargo run --release --example make_pool -- N OUT.pem

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let out = args.next().unwrap_or_else(|| "pool.pem".into());
    let mut text = String::with_capacity(n * 800);
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    for i in 0..n {
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        p.distinguished_name
            .push(rcgen::DnType::CommonName, format!("Stranger {i}"));
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        text.push_str(&p.self_signed(&key).expect("cert").pem());
    }
    std::fs::write(&out, text).expect("write pool");
}
