//! Replays the fuzz corpus (fuzz/corpus/TARGET/) and every past crash or
//! slow input (fuzz/regressions/TARGET/) through the fuzz targets' own
//! bodies, on stable, so a regression fails `cargo test` without nightly.
//! The targets are compiled from fuzz/src/lib.rs, the file the cargo-fuzz
//! targets use.

use std::path::Path;
use std::time::{Duration, Instant};

#[allow(dead_code)]
#[path = "../../fuzz/src/lib.rs"]
mod targets;

fn inputs(dir: &Path) -> Vec<std::path::PathBuf> {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut v: Vec<_> = rd
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    v.sort();
    v
}

#[test]
fn the_fuzz_corpus_and_past_crashes_replay_cleanly() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz");
    let mut count = 0;
    for (name, run) in targets::TARGETS {
        let corpus = inputs(&root.join("corpus").join(name));
        assert!(!corpus.is_empty(), "fuzz/corpus/{name} has no seed");
        for input in corpus
            .iter()
            .chain(&inputs(&root.join("regressions").join(name)))
        {
            let bytes = std::fs::read(input).unwrap();
            let start = Instant::now();
            // A panic fails the test and names the input.
            let result = std::panic::catch_unwind(|| run(&bytes));
            assert!(result.is_ok(), "{name} panicked on {}", input.display());
            // Not a speed test: a bound far above any healthy input, to
            // catch a slow input that came back (the twenty-keys file took
            // 34 s before the key-derivation budget).
            let took = start.elapsed();
            assert!(
                took < Duration::from_secs(20),
                "{name} took {took:?} on {}",
                input.display()
            );
            count += 1;
        }
    }
    assert!(count >= 30, "only {count} inputs replayed");
}
