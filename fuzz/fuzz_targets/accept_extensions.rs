#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| uniws::fuzzing::accept_extensions(input));
