#![no_main]
libfuzzer_sys::fuzz_target!(|data: &[u8]| chainfix_fuzz::pkcs12(data));
