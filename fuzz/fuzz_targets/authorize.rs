#![no_main]
// The `authorize` target of the `fuzzing` crate under libFuzzer.
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::targets::authorize(data));
