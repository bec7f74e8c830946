//! Negotiating permessage-deflate (RFC 7692 section 7): the offer built from [`DeflateConfig`] and
//! the strict check of the server's answer.

use crate::config::DeflateConfig;

/// The extension's name.
pub const PERMESSAGE_DEFLATE: &str = "permessage-deflate";

/// The largest LZ77 window, in bits, and the smallest a peer may ask for.
pub(super) const MAX_WINDOW_BITS: u8 = 15;
const MIN_WINDOW_BITS: u8 = 8;

/// The parameters both sides agreed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Parameters {
    /// The server resets its compression context after each message.
    pub server_no_context_takeover: bool,
    /// We reset ours after each message.
    pub client_no_context_takeover: bool,
    /// The window the server compresses with, at most.
    pub server_max_window_bits: u8,
    /// The window we compress with, at most.
    pub client_max_window_bits: u8,
    /// The answer as the server wrote its parameters (for `HttpCall::extensions`).
    answered: Vec<(String, Option<String>)>,
}

impl Parameters {
    /// The extension as negotiated, in the header's syntax.
    pub(super) fn describe(&self) -> String {
        let mut text = PERMESSAGE_DEFLATE.to_owned();
        for (name, value) in &self.answered {
            text.push_str("; ");
            text.push_str(name);
            if let Some(value) = value {
                text.push('=');
                text.push_str(value);
            }
        }
        text
    }
}

/// The offer: always `client_max_window_bits`, so the server may limit our window (with our
/// configured window as its value when that is below 15), then what the configuration asks of
/// the server.
pub(super) fn offer(config: &DeflateConfig) -> String {
    let mut offer = format!("{PERMESSAGE_DEFLATE}; client_max_window_bits");
    let client_bits = clamp_bits(config.client_max_window_bits);
    if client_bits < MAX_WINDOW_BITS {
        offer.push_str(&format!("={client_bits}"));
    }
    if let Some(bits) = config.server_max_window_bits {
        offer.push_str(&format!("; server_max_window_bits={}", clamp_bits(bits)));
    }
    if config.client_no_context_takeover {
        offer.push_str("; client_no_context_takeover");
    }
    if config.server_no_context_takeover {
        offer.push_str("; server_no_context_takeover");
    }
    offer
}

/// A configured window size within what RFC 7692 allows.
fn clamp_bits(bits: u8) -> u8 {
    bits.clamp(MIN_WINDOW_BITS, MAX_WINDOW_BITS)
}

/// Checks the server's answer to [`offer`]: every parameter known, at most once, with a valid
/// value, and allowed by the offer (RFC 7692 sections 7.1.1 and 7.1.2).
pub(super) fn accept(
    answered: &[(String, Option<String>)],
    config: &DeflateConfig,
) -> Result<Parameters, String> {
    let offered_client_bits = clamp_bits(config.client_max_window_bits);
    let offered_server_bits = config.server_max_window_bits.map(clamp_bits);
    let mut agreed = Parameters {
        server_no_context_takeover: false,
        client_no_context_takeover: config.client_no_context_takeover,
        server_max_window_bits: MAX_WINDOW_BITS,
        client_max_window_bits: offered_client_bits,
        answered: answered.to_vec(),
    };
    let mut seen: Vec<&str> = Vec::new();
    for (name, value) in answered {
        if seen.contains(&name.as_str()) {
            return Err(format!("the answer repeats `{name}`"));
        }
        seen.push(name);
        match (name.as_str(), value) {
            ("server_no_context_takeover", None) => agreed.server_no_context_takeover = true,
            ("client_no_context_takeover", None) => agreed.client_no_context_takeover = true,
            ("server_max_window_bits", Some(value)) => {
                let bits = window_bits(name, value)?;
                if offered_server_bits.is_some_and(|offered| bits > offered) {
                    return Err(format!(
                        "`server_max_window_bits={bits}` is above the {} offered",
                        offered_server_bits.unwrap_or(MAX_WINDOW_BITS)
                    ));
                }
                agreed.server_max_window_bits = bits;
            }
            ("client_max_window_bits", Some(value)) => {
                let bits = window_bits(name, value)?;
                if bits > offered_client_bits {
                    return Err(format!(
                        "`client_max_window_bits={bits}` is above the {offered_client_bits} offered"
                    ));
                }
                agreed.client_max_window_bits = bits;
            }
            ("server_no_context_takeover" | "client_no_context_takeover", Some(value)) => {
                return Err(format!("`{name}` takes no value, got `{value}`"))
            }
            ("server_max_window_bits" | "client_max_window_bits", None) => {
                return Err(format!("`{name}` needs a value in the answer"))
            }
            _ => return Err(format!("unknown parameter `{name}`")),
        }
    }
    // A server that cannot honour what the offer required must decline the offer instead.
    if config.server_no_context_takeover && !agreed.server_no_context_takeover {
        return Err("the answer lacks the `server_no_context_takeover` offered".into());
    }
    if offered_server_bits.is_some() && !seen.contains(&"server_max_window_bits") {
        return Err("the answer lacks the `server_max_window_bits` offered".into());
    }
    Ok(agreed)
}

/// A window size parameter's value: a number from 8 to 15 without leading zeros.
fn window_bits(name: &str, value: &str) -> Result<u8, String> {
    value
        .parse::<u8>()
        .ok()
        .filter(|bits| (MIN_WINDOW_BITS..=MAX_WINDOW_BITS).contains(bits))
        .filter(|_| !value.starts_with('0'))
        .ok_or_else(|| format!("`{name}={value}` is not a window size from 8 to 15"))
}

#[cfg(test)]
mod tests {
    use super::super::tests::parameters as answer;
    use super::*;

    #[test]
    fn the_offer_asks_for_what_is_configured() {
        assert_eq!(
            offer(&DeflateConfig::default()),
            "permessage-deflate; client_max_window_bits"
        );
        let small = DeflateConfig {
            client_max_window_bits: 10,
            server_max_window_bits: Some(9),
            client_no_context_takeover: true,
            server_no_context_takeover: true,
            ..DeflateConfig::default()
        };
        assert_eq!(
            offer(&small),
            "permessage-deflate; client_max_window_bits=10; server_max_window_bits=9; \
             client_no_context_takeover; server_no_context_takeover"
        );
    }

    #[test]
    fn a_valid_answer_sets_the_parameters() {
        let agreed = accept(
            &answer(&[
                ("server_no_context_takeover", None),
                ("client_max_window_bits", Some("10")),
                ("server_max_window_bits", Some("12")),
            ]),
            &DeflateConfig::default(),
        )
        .unwrap();
        assert!(agreed.server_no_context_takeover);
        assert!(!agreed.client_no_context_takeover);
        assert_eq!(agreed.client_max_window_bits, 10);
        assert_eq!(agreed.server_max_window_bits, 12);
        assert_eq!(
            agreed.describe(),
            "permessage-deflate; server_no_context_takeover; client_max_window_bits=10; \
             server_max_window_bits=12"
        );
        let plain = accept(&[], &DeflateConfig::default()).unwrap();
        assert_eq!(
            (plain.client_max_window_bits, plain.server_max_window_bits),
            (15, 15)
        );
    }

    #[test]
    fn an_answer_the_offer_did_not_allow_is_refused() {
        let default = DeflateConfig::default();
        let refused = [
            answer(&[("unknown", None)]),
            answer(&[
                ("server_no_context_takeover", None),
                ("server_no_context_takeover", None),
            ]),
            answer(&[("server_max_window_bits", Some("16"))]),
            answer(&[("server_max_window_bits", Some("7"))]),
            answer(&[("server_max_window_bits", Some("010"))]),
            answer(&[("server_max_window_bits", None)]),
            answer(&[("client_max_window_bits", None)]),
            answer(&[("client_no_context_takeover", Some("1"))]),
        ];
        for answer in refused {
            assert!(accept(&answer, &default).is_err(), "{answer:?}");
        }
        let limited = DeflateConfig {
            client_max_window_bits: 10,
            server_max_window_bits: Some(10),
            server_no_context_takeover: true,
            ..default
        };
        let required = [
            ("server_no_context_takeover", None),
            ("server_max_window_bits", Some("10")),
        ];
        assert!(accept(&answer(&required), &limited).is_ok());
        for missing in 0..2 {
            let mut partial = required.to_vec();
            partial.remove(missing);
            assert!(accept(&answer(&partial), &limited).is_err(), "{partial:?}");
        }
        let mut above = required.to_vec();
        above.push(("client_max_window_bits", Some("11")));
        assert!(accept(&answer(&above), &limited).is_err());
        above[1] = ("server_max_window_bits", Some("11"));
        above.pop();
        assert!(accept(&answer(&above), &limited).is_err());
    }
}
