#![no_main]
// The `image` target of the `fuzzing` crate under libFuzzer.
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::targets::image(data));
