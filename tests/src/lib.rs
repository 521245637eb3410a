pub mod conformance;
pub mod cpu;
pub mod rp_check;
