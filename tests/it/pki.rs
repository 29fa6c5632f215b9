//! Test PKIs built with rcgen at test time: roots, intermediates and leaves
//! with chosen key types, EKUs, validity and AIA URLs. RSA keys come from
//! `testdata/keys/` (ring cannot generate RSA keys); ECDSA keys are fresh.

#![allow(dead_code)]

use rcgen::{
    BasicConstraints, CertificateParams, CustomExtension, DistinguishedName, DnType,
    ExtendedKeyUsagePurpose, IsCa, Issuer, KeyPair, KeyUsagePurpose, date_time_ymd,
};

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Alg {
    /// RSA 2048 from testdata/keys/rsa2048-N.pem; N picks a distinct key (1..=8).
    Rsa(u8),
    EcdsaP256,
    EcdsaP384,
    Ed25519,
}

pub fn key(alg: Alg) -> KeyPair {
    match alg {
        Alg::Rsa(n) => {
            let path = format!(
                "{}/testdata/keys/rsa2048-{n}.pem",
                env!("CARGO_MANIFEST_DIR")
            );
            let pem = std::fs::read_to_string(&path).expect("fixture RSA key");
            KeyPair::from_pem_and_sign_algo(&pem, &rcgen::PKCS_RSA_SHA256).expect("RSA key")
        }
        Alg::EcdsaP256 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap(),
        Alg::EcdsaP384 => KeyPair::generate_for(&rcgen::PKCS_ECDSA_P384_SHA384).unwrap(),
        Alg::Ed25519 => KeyPair::generate_for(&rcgen::PKCS_ED25519).unwrap(),
    }
}

/// DER of an AuthorityInfoAccess extension value with caIssuers URLs.
pub fn aia_ca_issuers(urls: &[&str]) -> Vec<u8> {
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
    let ca_issuers_oid = [0x06, 0x08, 0x2b, 0x06, 0x01, 0x05, 0x05, 0x07, 0x30, 0x02];
    let mut seq = Vec::new();
    for u in urls {
        let mut ad = ca_issuers_oid.to_vec();
        ad.extend(tlv(0x86, u.as_bytes()));
        seq.extend(tlv(0x30, &ad));
    }
    tlv(0x30, &seq)
}

fn dn(cn: &str) -> DistinguishedName {
    let mut d = DistinguishedName::new();
    d.push(DnType::OrganizationName, "chainfix test");
    d.push(DnType::CommonName, cn);
    d
}

/// A certificate with its key, ready to issue others if it is a CA.
pub struct Node {
    pub params: CertificateParams,
    pub key: KeyPair,
    pub cert: rcgen::Certificate,
}

impl Node {
    pub fn pem(&self) -> String {
        self.cert.pem()
    }
    pub fn der(&self) -> Vec<u8> {
        self.cert.der().to_vec()
    }
    /// The private key as PKCS#8 PEM.
    pub fn key_pem(&self) -> String {
        self.key.serialize_pem()
    }
    pub fn issuer(&self) -> Issuer<'_, &KeyPair> {
        Issuer::from_params(&self.params, &self.key)
    }
    /// Issues a certificate for `params` with a new key of `alg`.
    pub fn issue(&self, params: CertificateParams, alg: Alg) -> Node {
        let key = key(alg);
        let cert = params.signed_by(&key, &self.issuer()).unwrap();
        Node { params, key, cert }
    }
}

/// Options for one certificate.
#[derive(Clone)]
pub struct Spec {
    pub cn: String,
    pub alg: Alg,
    pub ca: bool,
    pub eku: Vec<ExtendedKeyUsagePurpose>,
    pub not_before: (i32, u8, u8),
    pub not_after: (i32, u8, u8),
    /// caIssuers URLs for the AIA extension.
    pub aia: Vec<String>,
    pub sans: Vec<String>,
}

impl Spec {
    pub fn ca(cn: &str, alg: Alg) -> Spec {
        Spec {
            cn: cn.into(),
            alg,
            ca: true,
            eku: vec![],
            not_before: (2025, 1, 1),
            not_after: (2035, 1, 1),
            aia: vec![],
            sans: vec![],
        }
    }
    pub fn client(cn: &str, alg: Alg) -> Spec {
        Spec {
            ca: false,
            eku: vec![ExtendedKeyUsagePurpose::ClientAuth],
            not_after: (2027, 1, 1),
            ..Spec::ca(cn, alg)
        }
    }
    pub fn server(cn: &str, alg: Alg, host: &str) -> Spec {
        Spec {
            eku: vec![ExtendedKeyUsagePurpose::ServerAuth],
            sans: vec![host.into()],
            ..Spec::client(cn, alg)
        }
    }
    pub fn params(&self) -> CertificateParams {
        let mut p = CertificateParams::new(self.sans.clone()).unwrap();
        p.distinguished_name = dn(&self.cn);
        let (y, m, d) = self.not_before;
        p.not_before = date_time_ymd(y, m, d);
        let (y, m, d) = self.not_after;
        p.not_after = date_time_ymd(y, m, d);
        p.use_authority_key_identifier_extension = true;
        if self.ca {
            p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
            p.key_usages = vec![
                KeyUsagePurpose::KeyCertSign,
                KeyUsagePurpose::CrlSign,
                KeyUsagePurpose::DigitalSignature,
            ];
        } else {
            p.is_ca = IsCa::ExplicitNoCa;
            p.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        }
        p.extended_key_usages = self.eku.clone();
        if !self.aia.is_empty() {
            let urls: Vec<&str> = self.aia.iter().map(String::as_str).collect();
            p.custom_extensions.push(CustomExtension::from_oid_content(
                &[1, 3, 6, 1, 5, 5, 7, 1, 1],
                aia_ca_issuers(&urls),
            ));
        }
        p
    }
}

/// A self-signed root.
pub fn root(spec: &Spec) -> Node {
    let mut params = spec.params();
    params.use_authority_key_identifier_extension = false;
    let key = key(spec.alg);
    let cert = params.self_signed(&key).unwrap();
    Node { params, key, cert }
}

/// A root → intermediates → leaf PKI.
pub struct Pki {
    pub root: Node,
    /// Issuing order from the root down: `intermediates[0]` is signed by the root.
    pub intermediates: Vec<Node>,
    pub leaf: Node,
}

impl Pki {
    /// Root, `n` intermediates, and a clientAuth leaf; RSA keys 1.. or
    /// ECDSA P-256 throughout.
    pub fn client(n: usize, rsa: bool) -> Pki {
        let alg = |i: u8| if rsa { Alg::Rsa(i) } else { Alg::EcdsaP256 };
        Pki::build(
            Spec::ca("Test Root CA", alg(1)),
            (0..n)
                .map(|i| Spec::ca(&format!("Test Intermediate CA {}", i + 1), alg(2 + i as u8)))
                .collect(),
            Spec::client("client.example.test", alg(7)),
        )
    }

    pub fn build(root_spec: Spec, inter_specs: Vec<Spec>, leaf_spec: Spec) -> Pki {
        let root = root(&root_spec);
        let mut intermediates: Vec<Node> = Vec::new();
        for s in inter_specs {
            let parent = intermediates.last().unwrap_or(&root);
            let node = parent.issue(s.params(), s.alg);
            intermediates.push(node);
        }
        let parent = intermediates.last().unwrap_or(&root);
        let leaf = parent.issue(leaf_spec.params(), leaf_spec.alg);
        Pki {
            root,
            intermediates,
            leaf,
        }
    }

    /// The chain as curl should send it: leaf, then issuers up to (not
    /// including) the root, as PEM strings.
    pub fn chain_pems(&self) -> Vec<String> {
        let mut v = vec![self.leaf.pem()];
        v.extend(self.intermediates.iter().rev().map(Node::pem));
        v
    }
}
