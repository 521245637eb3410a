//! The fidelity ledger: every known difference between a profile and the real broker it
//! imitates, with its evidence. Served at `/_sim/v1/fidelity`; `docs/fidelity.md` is made
//! from the same entries.
