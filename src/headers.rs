//! HTTP header fields: the ordered, case-insensitive multi-map of the call metadata.

use std::sync::Arc;

/// One HTTP header field as given by the application (order and repetition are kept).
#[derive(Debug, Clone, PartialEq, Eq, uniffi::Record)]
pub struct Header {
    /// The field name; matched case-insensitively.
    pub name: String,
    /// The field value.
    pub value: String,
}

impl Header {
    /// A header field.
    pub fn new(name: impl Into<String>, value: impl Into<String>) -> Self {
        Header {
            name: name.into(),
            value: value.into(),
        }
    }
}

/// Header fields in the order they were sent or received, looked up case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq, uniffi::Object)]
pub struct Headers {
    entries: Vec<Header>,
}

impl Headers {
    /// Headers from fields in wire order.
    pub fn from_entries(entries: Vec<Header>) -> Self {
        Headers { entries }
    }

    /// Iterates over the fields in wire order.
    pub fn iter(&self) -> impl Iterator<Item = &Header> {
        self.entries.iter()
    }

    fn matching<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Header> + 'a {
        self.entries
            .iter()
            .filter(move |header| header.name.eq_ignore_ascii_case(name))
    }

    /// Whether any field named `name` has `token` in its comma-separated value (case-insensitive),
    /// as `Connection: keep-alive, Upgrade` has `upgrade`.
    pub(crate) fn has_token(&self, name: &str, token: &str) -> bool {
        self.matching(name)
            .flat_map(|header| header.value.split(','))
            .any(|item| item.trim().eq_ignore_ascii_case(token))
    }
}

#[uniffi::export]
impl Headers {
    /// Headers from fields in wire order.
    #[uniffi::constructor]
    pub fn new(entries: Vec<Header>) -> Arc<Self> {
        Arc::new(Self::from_entries(entries))
    }

    /// The first value of the field `name` (case-insensitive), or `None`.
    pub fn get(&self, name: &str) -> Option<String> {
        self.matching(name)
            .next()
            .map(|header| header.value.clone())
    }

    /// Every value of the field `name` (case-insensitive), in wire order.
    pub fn get_all(&self, name: &str) -> Vec<String> {
        self.matching(name)
            .map(|header| header.value.clone())
            .collect()
    }

    /// The distinct field names, in order of first appearance, spelled as first seen.
    pub fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        for header in &self.entries {
            if !names
                .iter()
                .any(|name| name.eq_ignore_ascii_case(&header.name))
            {
                names.push(header.name.clone());
            }
        }
        names
    }

    /// Every field in wire order.
    pub fn entries(&self) -> Vec<Header> {
        self.entries.clone()
    }

    /// Whether a field named `name` is present (case-insensitive).
    pub fn contains(&self, name: &str) -> bool {
        self.matching(name).next().is_some()
    }

    /// The number of fields.
    pub fn size(&self) -> u32 {
        u32::try_from(self.entries.len()).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Headers {
        Headers::from_entries(vec![
            Header::new("Upgrade", "websocket"),
            Header::new("Set-Cookie", "a=1"),
            Header::new("connection", "keep-alive, Upgrade"),
            Header::new("set-cookie", "b=2"),
        ])
    }

    #[test]
    fn lookups_ignore_case_and_keep_order() {
        let headers = sample();
        assert_eq!(headers.get("UPGRADE").as_deref(), Some("websocket"));
        assert_eq!(headers.get_all("Set-Cookie"), vec!["a=1", "b=2"]);
        assert_eq!(headers.names(), vec!["Upgrade", "Set-Cookie", "connection"]);
        assert_eq!(headers.get("missing"), None);
        assert_eq!(headers.size(), 4);
    }

    #[test]
    fn tokens_are_found_in_lists() {
        let headers = sample();
        assert!(headers.has_token("Connection", "upgrade"));
        assert!(!headers.has_token("Connection", "close"));
    }
}
