//! Incremental UTF-8 validation, so invalid text fails as soon as the bad bytes arrive rather
//! than when the message ends (Autobahn 6.4.x).

/// How far a growing byte buffer has been validated.
#[derive(Debug, Default)]
pub(crate) struct Utf8Validator {
    /// `data[..validated]` is valid UTF-8 ending on a character boundary.
    validated: usize,
}

impl Utf8Validator {
    /// Validates the bytes appended to `data` since the last call. An incomplete character at the
    /// end is accepted unless `complete` says no more bytes will follow.
    pub(crate) fn check(&mut self, data: &[u8], complete: bool) -> Result<(), String> {
        match std::str::from_utf8(&data[self.validated..]) {
            Ok(_) => {
                self.validated = data.len();
                Ok(())
            }
            Err(error) => {
                let position = self.validated + error.valid_up_to();
                if error.error_len().is_some() {
                    Err(format!(
                        "invalid UTF-8 at byte {position} of a text message"
                    ))
                } else if complete {
                    Err(format!(
                        "text message ends inside a UTF-8 sequence at byte {position}"
                    ))
                } else {
                    self.validated = position;
                    Ok(())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_characters_are_accepted_until_the_end() {
        let text = "κόσμε".as_bytes();
        let mut validator = Utf8Validator::default();
        let mut data = Vec::new();
        for byte in text {
            data.push(*byte);
            validator.check(&data, false).unwrap();
        }
        validator.check(&data, true).unwrap();
    }

    #[test]
    fn invalid_bytes_fail_before_the_message_ends() {
        let mut validator = Utf8Validator::default();
        assert!(validator.check(&[0xce, 0xba, 0xe1], false).is_ok());
        assert!(validator
            .check(
                &[0xce, 0xba, 0xe1, 0xbd, 0xb9, 0xcf, 0x83, 0xed, 0xa0, 0x80],
                false
            )
            .is_err());
    }

    #[test]
    fn truncated_sequence_fails_when_complete() {
        let mut validator = Utf8Validator::default();
        assert!(validator.check(&[b'a', 0xe1], false).is_ok());
        assert!(validator.check(&[b'a', 0xe1], true).is_err());
    }
}
