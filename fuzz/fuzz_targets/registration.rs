#![no_main]
// The `registration` target of the `fuzzing` crate under libFuzzer.
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::targets::registration(data));
