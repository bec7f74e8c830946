#![no_main]

libfuzzer_sys::fuzz_target!(|input: &[u8]| uniws::fuzzing::deflate_round_trip(input));
