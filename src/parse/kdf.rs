//! Key-derivation work, counted before any is done, and the one budget a
//! run spends it from. A password-based key derivation is deliberately
//! slow, and its iteration count is written in the file: 20 keys asking
//! for 10,000,000 PBKDF2 iterations each took 34 s, though each was under
//! the per-key cap. So every decryption attempt (each password tried)
//! is charged to the run's [`Inventory`](super::Inventory), and one that
//! would pass [`RUN_BUDGET`] is refused with a sentence instead.

use super::der;
use crate::error::Error;

/// Iterations one run may spend on key derivation unless
/// `CHAINFIX_KDF_BUDGET` says otherwise: one key at the per-key cap
/// (10,000,000), or a thousand keys as OpenSSL (2,048) and Java (10,000)
/// write them, or 16 at OWASP's 600,000: about 1.7 s of CPU in a release
/// build (from issue 18's 34.5 s for 200,000,000), 5.6 s in a debug one.
pub const RUN_BUDGET: u64 = 10_000_000;

/// The environment variable that sets the run's budget, in iterations.
pub const BUDGET_ENV: &str = "CHAINFIX_KDF_BUDGET";

/// The run's budget: `CHAINFIX_KDF_BUDGET` when it is a whole number, else
/// [`RUN_BUDGET`].
pub fn run_budget() -> u64 {
    static BUDGET: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *BUDGET.get_or_init(|| {
        std::env::var(BUDGET_ENV)
            .ok()
            .and_then(|v| v.trim().replace(['_', ','], "").parse().ok())
            .unwrap_or(RUN_BUDGET)
    })
}

/// Most iterations the PKCS#12 reader (`p12-keystore`) accepts per step.
pub const PKCS12_MAX_ITERATIONS: u64 = 1_000_000;

/// The iteration counts visible in a DER structure (not inside encrypted
/// parts): their sum and the largest.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Work {
    pub total: u64,
    pub max: u64,
}

/// Finds every iteration count in `bytes`: in PBKDF2, PBES1 and PKCS#12
/// PBE parameters and in a PKCS#12 MacData, the count is the INTEGER that
/// follows the salt (an OCTET STRING) in a SEQUENCE; for scrypt it is N.
/// OCTET STRINGs that hold DER (a PKCS#12's authenticated safe) are
/// searched too.
pub fn visible_work(bytes: &[u8]) -> Work {
    let mut w = Work::default();
    walk(bytes, 0, &mut w);
    w
}

fn walk(bytes: &[u8], depth: usize, w: &mut Work) {
    // A PKCS#8 PBKDF2 count in a PKCS#12 sits 16 levels deep.
    if depth > 32 {
        return;
    }
    let Ok(items) = der::children(bytes) else {
        return;
    };
    let mut after_salt = false;
    for t in &items {
        if t.tag == der::INTEGER && after_salt {
            let n = uint(t.content);
            w.total = w.total.saturating_add(n);
            w.max = w.max.max(n);
        }
        after_salt = t.tag == der::OCTET_STRING;
        if t.tag & 0x20 != 0 || t.tag == der::OCTET_STRING {
            walk(t.content, depth + 1, w);
        }
    }
}

fn uint(content: &[u8]) -> u64 {
    if content.first().is_some_and(|b| b & 0x80 != 0) {
        return 0; // negative: the readers refuse it anyway
    }
    let c = der::strip_leading_zeros(content);
    if c.len() > 8 {
        return u64::MAX;
    }
    c.iter().fold(0u64, |n, &b| (n << 8) | u64::from(b))
}

/// Charges one decryption attempt costing `work` iterations to the run
/// that has spent `spent` so far.
pub fn charge(spent: &mut u64, work: u64, origin: &str) -> Result<(), Error> {
    let budget = run_budget();
    let after = spent.saturating_add(work);
    if after > budget {
        return Err(Error::KdfBudget {
            path: origin.to_string(),
            needed: work,
            spent: *spent,
            budget,
        });
    }
    *spent = after;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse::der::{INTEGER, OCTET_STRING, seq, tlv};

    #[test]
    fn counts_the_integer_after_a_salt_at_any_depth_and_inside_octet_strings() {
        let params = |n: &[u8]| seq(&[&tlv(OCTET_STRING, b"saltsalt"), &tlv(INTEGER, n)]);
        let inner = seq(&[&params(&[0x08, 0x00]), &params(&[0x27, 0x10])]);
        let outer = seq(&[
            &tlv(OCTET_STRING, &inner),
            &params(&[0x00, 0x98, 0x96, 0x80]),
        ]);
        assert_eq!(
            visible_work(&outer),
            Work {
                total: 2048 + 10_000 + 10_000_000,
                max: 10_000_000
            }
        );
        // No salt before it: a version number, not a count.
        assert_eq!(visible_work(&seq(&[&tlv(INTEGER, &[3])])).total, 0);
    }

    #[test]
    fn the_budget_is_spent_across_calls() {
        let mut spent = 0;
        charge(&mut spent, run_budget() - 1, "a.pem").unwrap();
        let e = charge(&mut spent, 2, "b.pem").unwrap_err();
        assert!(
            e.to_string()
                .starts_with("b.pem: decrypting it takes 2 more"),
            "{e}"
        );
        assert_eq!(spent, run_budget() - 1);
    }
}
