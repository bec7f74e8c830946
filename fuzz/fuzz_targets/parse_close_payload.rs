#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| uniws::fuzzing::parse_close_payload(input));
