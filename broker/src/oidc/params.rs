//! Request parameters as a map, from a query string or a form body. Parameters sent without a
//! value count as omitted (RFC 6749 section 3.1); a parameter sent twice is remembered so the
//! endpoint can refuse it.

use std::collections::BTreeMap;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Params {
    values: BTreeMap<String, String>,
    repeated: Vec<String>,
}

impl Params {
    pub fn parse(encoded: &[u8]) -> Params {
        let mut params = Params::default();
        for (k, v) in url::form_urlencoded::parse(encoded) {
            if v.is_empty() {
                continue;
            }
            if params.values.contains_key(k.as_ref()) {
                params.repeated.push(k.into_owned());
            } else {
                params.values.insert(k.into_owned(), v.into_owned());
            }
        }
        params
    }

    pub fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// Whether nothing with a value was sent.
    pub fn is_empty(&self) -> bool {
        self.values.is_empty() && self.repeated.is_empty()
    }

    /// The first parameter sent more than once, if any.
    pub fn first_repeated(&self) -> Option<&str> {
        self.repeated.first().map(String::as_str)
    }

    pub fn is_repeated(&self, name: &str) -> bool {
        self.repeated.iter().any(|r| r == name)
    }

    /// These parameters with `overrides` replacing or adding values and `removed` dropped (a
    /// request object's parameters over the query's, OIDC Core 6.3.3).
    pub fn merged(&self, overrides: Vec<(String, String)>, removed: &[&str]) -> Params {
        let mut merged = self.clone();
        for (k, v) in overrides {
            merged.repeated.retain(|r| r != &k);
            if v.is_empty() {
                merged.values.remove(&k);
            } else {
                merged.values.insert(k, v);
            }
        }
        for name in removed {
            merged.values.remove(*name);
            merged.repeated.retain(|r| r != name);
        }
        merged
    }

    /// The parameters form-urlencoded (a pushed request as stored).
    pub fn encode(&self) -> String {
        url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(&self.values)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_values_are_omitted_and_repeats_remembered() {
        let p = Params::parse(b"a=1&b=&a=2&c=x%20y");
        assert_eq!(p.get("a"), Some("1"));
        assert_eq!(p.get("b"), None);
        assert_eq!(p.get("c"), Some("x y"));
        assert_eq!(p.first_repeated(), Some("a"));
        assert!(p.is_repeated("a"));
        assert!(!p.is_repeated("c"));
    }

    #[test]
    fn merged_overrides_and_removes() {
        let p = Params::parse(b"a=1&b=2&b=3&r=x");
        let m = p.merged(
            vec![("b".into(), "9".into()), ("c".into(), "4".into())],
            &["r"],
        );
        assert_eq!(m.get("a"), Some("1"));
        assert_eq!(m.get("b"), Some("9"));
        assert!(!m.is_repeated("b"), "an override settles a repeat");
        assert_eq!(m.get("c"), Some("4"));
        assert_eq!(m.get("r"), None);
        assert_eq!(Params::parse(m.encode().as_bytes()), m);
    }
}
