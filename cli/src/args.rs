//! Command-line parsing (hand-written: five options do not justify a parser dependency).

use std::time::Duration;

/// What the command line asks for.
#[derive(Debug, Default, PartialEq)]
pub struct Options {
    /// The URL to connect to; `None` starts the embedded echo server.
    pub url: Option<String>,
    /// `-H "Name: value"` headers, in order.
    pub headers: Vec<(String, String)>,
    /// `--subprotocol` values, in order.
    pub subprotocols: Vec<String>,
    /// `-v`: print the call metadata and close reason to stderr.
    pub verbose: bool,
    /// `--ping-interval SECONDS`.
    pub ping_interval: Option<Duration>,
    /// `--no-compress`: do not offer permessage-deflate.
    pub no_compress: bool,
}

/// What to do.
#[derive(Debug, PartialEq)]
pub enum Command {
    /// Talk to a server (or the embedded echo server).
    Connect(Options),
    /// Print usage.
    Help,
    /// Print the version.
    Version,
}

/// The usage text.
pub const USAGE: &str = "\
uniws — a WebSocket client (stdin lines are sent as text, incoming messages are printed)

USAGE:
    uniws [connect] [URL] [OPTIONS]

With no URL, uniws starts an embedded echo server on 127.0.0.1 and talks to it.

OPTIONS:
    -H, --header 'Name: value'   add a request header (repeatable)
    -p, --subprotocol NAME       offer a subprotocol (repeatable)
        --ping-interval SECONDS  send pings at this interval
        --no-compress            do not offer permessage-deflate (offered by default)
    -v, --verbose                print the call metadata and close reason to stderr
    -h, --help                   print this help
    -V, --version                print the version
";

/// Parses the arguments after the program name.
pub fn parse(arguments: impl IntoIterator<Item = String>) -> Result<Command, String> {
    let mut options = Options::default();
    let mut arguments = arguments.into_iter().peekable();
    if arguments.peek().map(String::as_str) == Some("connect") {
        arguments.next();
    }
    while let Some(argument) = arguments.next() {
        let mut value = |name: &str| {
            arguments
                .next()
                .ok_or_else(|| format!("{name} needs a value"))
        };
        match argument.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "-V" | "--version" => return Ok(Command::Version),
            "-v" | "--verbose" => options.verbose = true,
            "--no-compress" => options.no_compress = true,
            "-H" | "--header" => {
                let header = value(&argument)?;
                let (name, field) = header
                    .split_once(':')
                    .ok_or_else(|| format!("header `{header}` is not `Name: value`"))?;
                options
                    .headers
                    .push((name.trim().to_owned(), field.trim().to_owned()));
            }
            "-p" | "--subprotocol" => options.subprotocols.push(value(&argument)?),
            "--ping-interval" => {
                let seconds: f64 = value(&argument)?
                    .parse()
                    .map_err(|_| "--ping-interval takes seconds, such as 30 or 0.5".to_owned())?;
                options.ping_interval = Some(
                    Duration::try_from_secs_f64(seconds)
                        .map_err(|_| "--ping-interval must be positive".to_owned())?,
                );
            }
            flag if flag.starts_with('-') => return Err(format!("unknown option `{flag}`")),
            url if options.url.is_none() => options.url = Some(url.to_owned()),
            extra => return Err(format!("unexpected argument `{extra}`")),
        }
    }
    Ok(Command::Connect(options))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_words(words: &str) -> Result<Command, String> {
        parse(words.split_whitespace().map(str::to_owned))
    }

    #[test]
    fn connect_with_headers_and_subprotocols() {
        let Command::Connect(options) =
            parse_words("connect ws://h/ -H X-A:1 --subprotocol chat -v").unwrap()
        else {
            panic!("expected connect");
        };
        assert_eq!(options.url.as_deref(), Some("ws://h/"));
        assert_eq!(options.headers, vec![("X-A".to_owned(), "1".to_owned())]);
        assert_eq!(options.subprotocols, vec!["chat"]);
        assert!(options.verbose);
        assert!(!options.no_compress);
        let Command::Connect(plain) = parse_words("ws://h/ --no-compress").unwrap() else {
            panic!("a connect command")
        };
        assert!(plain.no_compress);
    }

    #[test]
    fn no_url_means_the_embedded_server() {
        assert_eq!(
            parse_words("").unwrap(),
            Command::Connect(Options::default())
        );
        assert_eq!(
            parse_words("connect").unwrap(),
            Command::Connect(Options::default())
        );
    }

    #[test]
    fn mistakes_are_reported() {
        assert!(parse_words("-H").is_err());
        assert!(parse_words("-H novalue").is_err());
        assert!(parse_words("--bogus").is_err());
        assert!(parse_words("ws://a ws://b").is_err());
        assert!(parse_words("--ping-interval -1").is_err());
    }
}
