//! Writes N unrelated self-signed certificates as one PEM file, for the
//! benchmarks in benches/ (a pool of strangers around a real chain), or
//! with `--dir` as a directory of N files, one certificate each.
//! Usage: cargo run --release --example make_pool -- N OUT.pem [--dir]

fn main() {
    let mut args = std::env::args().skip(1);
    let n: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(10_000);
    let out = args.next().unwrap_or_else(|| "pool.pem".into());
    let dir = args.next().as_deref() == Some("--dir");
    if dir {
        std::fs::create_dir_all(&out).expect("create pool directory");
    }
    let mut text = String::with_capacity(if dir { 0 } else { n * 800 });
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).expect("key");
    for i in 0..n {
        let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).expect("params");
        p.distinguished_name
            .push(rcgen::DnType::CommonName, format!("Stranger {i}"));
        p.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        let pem = p.self_signed(&key).expect("cert").pem();
        if dir {
            std::fs::write(format!("{out}/stranger-{i:06}.pem"), pem).expect("write pool file");
        } else {
            text.push_str(&pem);
        }
    }
    if !dir {
        std::fs::write(&out, text).expect("write pool");
    }
}
