//! The document security object (Doc 9303 Part 10, 4.6.2): a SHA-256 hash per data group in an
//! `LDSSecurityObject`, signed by the Document Signer.
//!
//! The `LDSSecurityObject` is the real DER structure (version 0, the SHA-256 algorithm
//! identifier, the data group hashes). The signature is simplified: a real EF.SOD is a CMS
//! `SignedData` whose signer signs the signed attributes; here the Document Signer's ECDSA
//! P-256/SHA-256 signature is over the `LDSSecurityObject` DER itself, and the signer's
//! certificate travels beside it, as it does inside a real SOD.

use std::collections::BTreeMap;

use sha2::{Digest, Sha256};

use super::tlv::{expect, tlv};

/// DER of the OID 2.16.840.1.101.3.4.2.1 (id-sha256).
const SHA256_OID: [u8; 9] = [0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01];
const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;
const OID: u8 = 0x06;
const NULL: u8 = 0x05;

/// The hashes of the data groups, by data group number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LdsSecurityObject {
    hashes: BTreeMap<u8, [u8; 32]>,
}

impl LdsSecurityObject {
    /// Hashes each `(number, contents)` data group with SHA-256.
    pub fn hash(data_groups: &[(u8, &[u8])]) -> Self {
        let hashes = data_groups
            .iter()
            .map(|(number, bytes)| (*number, Sha256::digest(bytes).into()))
            .collect();
        Self { hashes }
    }

    /// The stored hash of data group `number`.
    pub fn hash_of(&self, number: u8) -> Option<&[u8; 32]> {
        self.hashes.get(&number)
    }

    /// The data group numbers covered.
    pub fn data_groups(&self) -> impl Iterator<Item = u8> + '_ {
        self.hashes.keys().copied()
    }

    /// `LDSSecurityObject ::= SEQUENCE { version INTEGER (0), hashAlgorithm
    /// AlgorithmIdentifier, dataGroupHashValues SEQUENCE OF DataGroupHash }` (Part 10, 4.6.2.2).
    pub fn to_der(&self) -> Vec<u8> {
        let algorithm = tlv(
            &[SEQUENCE],
            &[tlv(&[OID], &SHA256_OID), tlv(&[NULL], &[])].concat(),
        );
        let hashes: Vec<u8> = self
            .hashes
            .iter()
            .flat_map(|(number, hash)| {
                tlv(
                    &[SEQUENCE],
                    &[tlv(&[INTEGER], &[*number]), tlv(&[OCTET_STRING], hash)].concat(),
                )
            })
            .collect();
        let body = [tlv(&[INTEGER], &[0]), algorithm, tlv(&[SEQUENCE], &hashes)].concat();
        tlv(&[SEQUENCE], &body)
    }

    /// Reads the DER written by [`LdsSecurityObject::to_der`]; `None` if malformed or not SHA-256.
    pub fn from_der(der: &[u8]) -> Option<Self> {
        let outer = expect(der, &[SEQUENCE])?;
        if !outer.rest.is_empty() {
            return None;
        }
        let version = expect(outer.value, &[INTEGER])?;
        if version.value != [0] {
            return None;
        }
        let algorithm = expect(version.rest, &[SEQUENCE])?;
        let oid = expect(algorithm.value, &[OID])?;
        if oid.value != SHA256_OID {
            return None;
        }
        let list = expect(algorithm.rest, &[SEQUENCE])?;
        let mut hashes = BTreeMap::new();
        let mut rest = list.value;
        while !rest.is_empty() {
            let entry = expect(rest, &[SEQUENCE])?;
            let number = expect(entry.value, &[INTEGER])?;
            let hash = expect(number.rest, &[OCTET_STRING])?;
            let [number] = number.value else { return None };
            let hash: [u8; 32] = hash.value.try_into().ok()?;
            if hashes.insert(*number, hash).is_some() {
                return None;
            }
            rest = entry.rest;
        }
        Some(Self { hashes })
    }
}

/// The EF.SOD of the simulation: the security object, the Document Signer's signature over it
/// and the Document Signer's certificate (DER).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityObjectDocument {
    /// The `LDSSecurityObject` DER.
    pub security_object: Vec<u8>,
    /// ECDSA P-256 with SHA-256, ASN.1 DER signature, over `security_object`.
    pub signature: Vec<u8>,
    /// The Document Signer certificate, X.509 DER.
    pub signer_certificate: Vec<u8>,
}
