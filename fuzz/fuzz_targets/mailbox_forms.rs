#![no_main]
// The `mailbox_forms` target of the `fuzzing` crate under libFuzzer.
libfuzzer_sys::fuzz_target!(|data: &[u8]| fuzzing::targets::mailbox_forms(data));
