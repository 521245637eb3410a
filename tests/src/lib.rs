pub mod conformance;
pub mod rp_check;
