#![no_main]
// The `jose` target of the `fuzzing` crate under libFuzzer.
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::targets::jose(data));
