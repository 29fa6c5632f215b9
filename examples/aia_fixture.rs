//! Benchmark fixture for benches/aia.sh: a root → 2 intermediates → leaf
//! PKI (ECDSA P-256) whose AIA caIssuers URLs point at
//! http://127.0.0.1:PORT/. Writes into DIR: leaf.pem, key.pem, root.pem
//! and www/ (the files the local HTTP server serves: DER intermediates and
//! the root).
//! Usage: aia_fixture PORT DIR

use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};

fn tlv(tag: u8, body: &[u8]) -> Vec<u8> {
    let mut out = vec![tag];
    let n = body.len();
    if n < 0x80 {
        out.push(n as u8);
    } else if n < 0x100 {
        out.extend([0x81, n as u8]);
    } else {
        out.extend([0x82, (n >> 8) as u8, n as u8]);
    }
    out.extend_from_slice(body);
    out
}

fn aia(url: &str) -> CustomExtension {
    let mut ad = vec![0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02];
    ad.extend(tlv(0x86, url.as_bytes()));
    CustomExtension::from_oid_content(&[1, 3, 6, 1, 5, 5, 7, 1, 1], tlv(0x30, &tlv(0x30, &ad)))
}

fn params(cn: &str, ca: bool, aia_url: Option<&str>) -> CertificateParams {
    let mut p = CertificateParams::new(if ca { vec![] } else { vec!["localhost".into()] }).unwrap();
    let mut d = DistinguishedName::new();
    d.push(DnType::OrganizationName, "chainfix bench");
    d.push(DnType::CommonName, cn);
    p.distinguished_name = d;
    p.not_before = rcgen::date_time_ymd(2025, 1, 1);
    p.not_after = rcgen::date_time_ymd(2035, 1, 1);
    p.use_authority_key_identifier_extension = aia_url.is_some();
    if ca {
        p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        p.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
    } else {
        p.is_ca = IsCa::ExplicitNoCa;
        p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        p.extended_key_usages = vec![
            ExtendedKeyUsagePurpose::ServerAuth,
            ExtendedKeyUsagePurpose::ClientAuth,
        ];
    }
    if let Some(u) = aia_url {
        p.custom_extensions.push(aia(u));
    }
    p
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let (port, dir) = (&args[1], std::path::PathBuf::from(&args[2]));
    let www = dir.join("www");
    std::fs::create_dir_all(&www).unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let alg = &rcgen::PKCS_ECDSA_P256_SHA256;
    let root_key = KeyPair::generate_for(alg).unwrap();
    let root_p = params("Bench Root CA", true, None);
    let root = root_p.self_signed(&root_key).unwrap();
    let i1_key = KeyPair::generate_for(alg).unwrap();
    let i1_p = params("Bench Policy CA", true, Some(&format!("{base}/root.crt")));
    let i1 = i1_p
        .signed_by(&i1_key, &Issuer::from_params(&root_p, &root_key))
        .unwrap();
    let i2_key = KeyPair::generate_for(alg).unwrap();
    let i2_p = params(
        "Bench Issuing CA",
        true,
        Some(&format!("{base}/policy.crt")),
    );
    let i2 = i2_p
        .signed_by(&i2_key, &Issuer::from_params(&i1_p, &i1_key))
        .unwrap();
    let leaf_key = KeyPair::generate_for(alg).unwrap();
    let leaf_p = params("bench-client", false, Some(&format!("{base}/issuing.crt")));
    let leaf = leaf_p
        .signed_by(&leaf_key, &Issuer::from_params(&i2_p, &i2_key))
        .unwrap();
    std::fs::write(www.join("root.crt"), root.der()).unwrap();
    std::fs::write(www.join("policy.crt"), i1.der()).unwrap();
    std::fs::write(www.join("issuing.crt"), i2.der()).unwrap();
    std::fs::write(dir.join("root.pem"), root.pem()).unwrap();
    std::fs::write(dir.join("leaf.pem"), leaf.pem()).unwrap();
    std::fs::write(dir.join("key.pem"), leaf_key.serialize_pem()).unwrap();
}
