//! Decoding incoming frames into messages, checking every rule a server must follow.

use std::io::Cursor;

use bytes::BytesMut;
use tokio_tungstenite::tungstenite::protocol::frame::coding::{Control, Data, OpCode};
use tokio_tungstenite::tungstenite::protocol::frame::FrameHeader;

use super::encoder::MAX_CONTROL_PAYLOAD;
use super::utf8::Utf8Validator;
use crate::buffer_pool::BufferPool;
use crate::error::WebSocketError;
use crate::extensions::ReceiveTransform;
use crate::frame::{CloseReason, Frame};

/// What a completed frame means to the session.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Event {
    /// A complete text or binary message.
    Message(Frame),
    /// A ping to answer.
    Ping(Vec<u8>),
    /// A pong.
    Pong(Vec<u8>),
    /// The peer's close frame; `None` when it carried no code.
    Close(Option<CloseReason>),
}

/// A rule the peer broke; the session fails with the matching close code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Violation {
    /// A framing or protocol rule (close 1002).
    Protocol(String),
    /// Invalid UTF-8 in a text message or close reason (close 1007).
    InvalidUtf8(String),
    /// A frame or message above the configured limits (close 1009).
    TooBig(String),
}

impl Violation {
    /// The error for the application and the close frame to send.
    pub(crate) fn into_error_and_reason(self) -> (WebSocketError, CloseReason) {
        match self {
            Violation::Protocol(detail) => (
                WebSocketError::ProtocolViolation { detail },
                CloseReason::new(CloseReason::PROTOCOL_ERROR, "Protocol error"),
            ),
            Violation::InvalidUtf8(detail) => (
                WebSocketError::ProtocolViolation { detail },
                CloseReason::new(CloseReason::NOT_CONSISTENT, "Invalid UTF-8"),
            ),
            Violation::TooBig(detail) => (
                WebSocketError::FrameTooBig { detail },
                CloseReason::new(CloseReason::TOO_BIG, "Frame too big"),
            ),
        }
    }
}

/// Where the decoder is inside the byte stream.
enum State {
    /// Expecting a frame header.
    Header,
    /// Inside a frame's payload, `remaining` bytes to go.
    Payload { header: FrameHeader, remaining: u64 },
}

/// A data message being assembled from fragments.
struct PartialMessage {
    text: bool,
    /// It arrived with RSV1 set: its payload is the extension's until [`ReceiveTransform`] turns
    /// it back, so text is checked only then.
    transformed: bool,
    /// More than one frame carried it.
    fragmented: bool,
    data: BytesMut,
    utf8: Utf8Validator,
}

/// The most bytes reserved up front for a message, whatever its header announces.
const INITIAL_RESERVE_LIMIT: usize = 1 << 20;

/// Incremental frame decoder. Feed it bytes as they arrive; it never needs a whole frame buffered.
pub(crate) struct Decoder {
    state: State,
    message: Option<PartialMessage>,
    control: Vec<u8>,
    /// Where large binary messages are assembled: in the memory of earlier ones the application
    /// has dropped, when it has.
    pool: BufferPool,
    /// The negotiated extension's transform, for messages that arrive with RSV1 set.
    transform: Option<Box<dyn ReceiveTransform>>,
    /// The limits of the latest [`decode`](Self::decode) call.
    max_frame_size: u64,
    max_message_size: u64,
}

impl Decoder {
    /// A decoder at the start of a stream, with no extension.
    #[cfg(any(test, feature = "fuzzing"))]
    pub(crate) fn new() -> Self {
        Decoder::with_transform(None)
    }

    /// A decoder at the start of a stream, undoing `transform` on messages that arrive with RSV1
    /// set (without one, RSV1 is a violation).
    pub(crate) fn with_transform(transform: Option<Box<dyn ReceiveTransform>>) -> Self {
        Decoder {
            state: State::Header,
            message: None,
            control: Vec::new(),
            pool: BufferPool::default(),
            transform,
            max_frame_size: u64::MAX,
            max_message_size: u64::MAX,
        }
    }

    /// Consumes bytes from `input` until an event completes or the input runs out. Returns how many
    /// bytes were consumed and the event, if one completed.
    pub(crate) fn decode(
        &mut self,
        input: &[u8],
        max_frame_size: u64,
        max_message_size: u64,
    ) -> Result<(usize, Option<Event>), Violation> {
        self.max_frame_size = max_frame_size;
        self.max_message_size = max_message_size;
        let mut used = 0;
        loop {
            match &mut self.state {
                State::Header => {
                    let mut cursor = Cursor::new(&input[used..]);
                    let parsed = FrameHeader::parse(&mut cursor)
                        .map_err(|error| Violation::Protocol(error.to_string()))?;
                    let Some((header, length)) = parsed else {
                        return Ok((used, None));
                    };
                    used += cursor.position() as usize;
                    self.start_frame(&header, length, max_frame_size, max_message_size)?;
                    self.state = State::Payload {
                        header,
                        remaining: length,
                    };
                }
                State::Payload { header, remaining } => {
                    let available = input.len() - used;
                    let take = usize::try_from(*remaining).map_or(available, |r| r.min(available));
                    let chunk = &input[used..used + take];
                    used += take;
                    if matches!(header.opcode, OpCode::Control(_)) {
                        self.control.extend_from_slice(chunk);
                    } else if let Some(message) = &mut self.message {
                        message.data.extend_from_slice(chunk);
                    }
                    if let Some(event) = self.payload_appended(take)? {
                        return Ok((used, Some(event)));
                    }
                    if matches!(self.state, State::Payload { .. }) {
                        return Ok((used, None));
                    }
                }
            }
        }
    }

    /// While inside a data frame's payload, the message buffer its next bytes belong in and how
    /// many are still to come, so the reader can fill it straight from the socket (no copy through
    /// the read buffer). Report what was added with [`payload_appended`](Self::payload_appended).
    pub(crate) fn payload_destination(&mut self) -> Option<(&mut BytesMut, u64)> {
        match (&self.state, &mut self.message) {
            (State::Payload { header, remaining }, Some(message))
                if *remaining > 0 && matches!(header.opcode, OpCode::Data(_)) =>
            {
                Some((&mut message.data, *remaining))
            }
            _ => None,
        }
    }

    /// Accounts for `count` payload bytes just appended to the current frame's destination:
    /// validates text as it arrives and, when the frame is complete, returns its event.
    pub(crate) fn payload_appended(&mut self, count: usize) -> Result<Option<Event>, Violation> {
        let State::Payload { header, remaining } = &mut self.state else {
            return Ok(None);
        };
        *remaining -= count as u64;
        let complete = *remaining == 0;
        if let (OpCode::Data(_), Some(message)) = (header.opcode, &mut self.message) {
            if message.text && !message.transformed {
                let last = complete && header.is_final;
                message
                    .utf8
                    .check(&message.data, last)
                    .map_err(Violation::InvalidUtf8)?;
            }
        }
        if !complete {
            return Ok(None);
        }
        let State::Payload { header, .. } = std::mem::replace(&mut self.state, State::Header)
        else {
            unreachable!("the state was Payload above");
        };
        self.finish_frame(&header)
    }

    /// Checks a header against the rules and limits before any of its payload is read.
    fn start_frame(
        &mut self,
        header: &FrameHeader,
        length: u64,
        max_frame_size: u64,
        max_message_size: u64,
    ) -> Result<(), Violation> {
        if header.mask.is_some() {
            return Err(Violation::Protocol("the server sent a masked frame".into()));
        }
        if header.rsv2 || header.rsv3 {
            return Err(Violation::Protocol(
                "RSV2 or RSV3 is set, which no negotiated extension uses".into(),
            ));
        }
        let starts_message = matches!(header.opcode, OpCode::Data(Data::Text | Data::Binary));
        if header.rsv1 && !(starts_message && self.transform.is_some()) {
            return Err(Violation::Protocol(
                if self.transform.is_none() {
                    "RSV1 is set but no extension was negotiated"
                } else {
                    "RSV1 is set on a frame that does not start a data message"
                }
                .into(),
            ));
        }
        match header.opcode {
            OpCode::Control(_) => {
                if !header.is_final {
                    return Err(Violation::Protocol("a control frame is fragmented".into()));
                }
                if length > MAX_CONTROL_PAYLOAD as u64 {
                    return Err(Violation::Protocol(format!(
                        "a control frame carries {length} bytes (at most {MAX_CONTROL_PAYLOAD})"
                    )));
                }
                self.control.clear();
            }
            OpCode::Data(data) => {
                if length > max_frame_size {
                    return Err(Violation::TooBig(format!(
                        "a frame of {length} bytes exceeds maxFrameSize ({max_frame_size})"
                    )));
                }
                match (data, &self.message) {
                    (Data::Continue, None) => {
                        return Err(Violation::Protocol(
                            "a continuation frame has no message to continue".into(),
                        ))
                    }
                    (Data::Continue, Some(message)) => {
                        let total = message.data.len() as u64 + length;
                        if total > transformed_limit(max_message_size, message.transformed) {
                            return Err(Violation::TooBig(format!(
                                "a message of at least {total} bytes exceeds maxMessageSize ({max_message_size})"
                            )));
                        }
                    }
                    (Data::Text | Data::Binary, Some(_)) => {
                        return Err(Violation::Protocol(
                            "a new message started before the fragmented one ended".into(),
                        ))
                    }
                    (Data::Text | Data::Binary, None) => {
                        if length > transformed_limit(max_message_size, header.rsv1) {
                            return Err(Violation::TooBig(format!(
                                "a message of {length} bytes exceeds maxMessageSize ({max_message_size})"
                            )));
                        }
                        let reserve = usize::try_from(length)
                            .map_or(INITIAL_RESERVE_LIMIT, |l| l.min(INITIAL_RESERVE_LIMIT));
                        let text = data == Data::Text;
                        let buffer = if text {
                            BytesMut::with_capacity(reserve)
                        } else {
                            self.pool.take(reserve)
                        };
                        self.message = Some(PartialMessage {
                            text,
                            transformed: header.rsv1,
                            fragmented: !header.is_final,
                            data: buffer,
                            utf8: Utf8Validator::default(),
                        });
                    }
                    (Data::Reserved(code), _) => {
                        return Err(Violation::Protocol(format!("reserved opcode {code}")))
                    }
                }
            }
        }
        Ok(())
    }

    /// Turns a completed frame into an event; `None` for a non-final fragment.
    fn finish_frame(&mut self, header: &FrameHeader) -> Result<Option<Event>, Violation> {
        match header.opcode {
            OpCode::Control(Control::Ping) => {
                Ok(Some(Event::Ping(std::mem::take(&mut self.control))))
            }
            OpCode::Control(Control::Pong) => {
                Ok(Some(Event::Pong(std::mem::take(&mut self.control))))
            }
            OpCode::Control(Control::Close) => {
                parse_close(&self.control).map(|reason| Some(Event::Close(reason)))
            }
            OpCode::Control(Control::Reserved(code)) => {
                Err(Violation::Protocol(format!("reserved opcode {code}")))
            }
            OpCode::Data(_) if !header.is_final => Ok(None),
            OpCode::Data(_) => {
                let message = self.message.take().expect("start_frame opened the message");
                if message.transformed {
                    return self
                        .untransform(message)
                        .map(|frame| Some(Event::Message(frame)));
                }
                let frame = if message.text {
                    // The validator has accepted every byte, ending on a character boundary.
                    // (A text message's buffer is its own, so this takes it without a copy.)
                    let text = String::from_utf8(Vec::from(message.data))
                        .map_err(|error| Violation::InvalidUtf8(error.to_string()))?;
                    Frame::Text { text }
                } else {
                    Frame::Binary {
                        data: self.pool.freeze(message.data),
                    }
                };
                Ok(Some(Event::Message(frame)))
            }
        }
    }
}

/// Parses a close frame payload: empty, or a valid code and a UTF-8 reason.
impl Decoder {
    /// A message that arrived transformed, turned back by the extension, within the message
    /// size limit; text is checked as UTF-8 now.
    fn untransform(&mut self, message: PartialMessage) -> Result<Frame, Violation> {
        let transform = self
            .transform
            .as_mut()
            .expect("only a negotiated extension lets a message arrive transformed");
        // A message of one frame is bounded by the frame limit as well, inflated: an application
        // that sets only maxFrameSize (as Ktor offers) keeps its bound with compression.
        let (limit, name) = if message.fragmented || self.max_message_size <= self.max_frame_size {
            (self.max_message_size, "maxMessageSize")
        } else {
            (self.max_frame_size, "maxFrameSize")
        };
        let payload =
            transform
                .decode(&message.data, limit)
                .map_err(|violation| match violation {
                    Violation::TooBig(_) => Violation::TooBig(format!(
                        "a compressed message inflates to more than {name} ({limit} bytes)"
                    )),
                    other => other,
                })?;
        if !message.text {
            return Ok(Frame::Binary { data: payload });
        }
        let text = String::from_utf8(Vec::from(payload))
            .map_err(|error| Violation::InvalidUtf8(error.to_string()))?;
        Ok(Frame::Text { text })
    }
}

/// The most transformed bytes a message within `limit` may take on the wire: a little more
/// than the limit, as compressing incompressible data adds a few bytes per block.
fn transformed_limit(limit: u64, transformed: bool) -> u64 {
    if transformed {
        limit.saturating_add(limit / 1024 + 64)
    } else {
        limit
    }
}

pub(crate) fn parse_close(payload: &[u8]) -> Result<Option<CloseReason>, Violation> {
    match payload {
        [] => Ok(None),
        [_] => Err(Violation::Protocol(
            "a close frame carries a 1-byte payload".into(),
        )),
        [high, low, reason @ ..] => {
            let code = u16::from_be_bytes([*high, *low]);
            if !CloseReason::is_sendable_code(code) {
                return Err(Violation::Protocol(format!("invalid close code {code}")));
            }
            let message = std::str::from_utf8(reason).map_err(|_| {
                Violation::InvalidUtf8("the close reason is not valid UTF-8".into())
            })?;
            Ok(Some(CloseReason::new(code, message)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: u64 = 1 << 20;

    fn frame(first: u8, payload: &[u8]) -> Vec<u8> {
        let mut bytes = vec![first];
        if payload.len() < 126 {
            bytes.push(payload.len() as u8);
        } else {
            bytes.push(126);
            bytes.extend_from_slice(&(payload.len() as u16).to_be_bytes());
        }
        bytes.extend_from_slice(payload);
        bytes
    }

    fn decode_all(input: &[u8]) -> Result<Vec<Event>, Violation> {
        decode_with(&mut Decoder::new(), input)
    }

    #[test]
    fn fragments_are_reassembled_around_a_ping() {
        let mut input = frame(0x01, b"Hel");
        input.extend(frame(0x89, b"p"));
        input.extend(frame(0x80, b"lo"));
        let events = decode_all(&input).unwrap();
        assert_eq!(
            events,
            vec![
                Event::Ping(b"p".to_vec()),
                Event::Message(Frame::text("Hello"))
            ]
        );
    }

    #[test]
    fn byte_by_byte_input_gives_the_same_message() {
        // The reader keeps unconsumed bytes (a partial header) and offers them again with more.
        let input = frame(0x82, &[1, 2, 3, 4, 5]);
        let mut decoder = Decoder::new();
        let mut events = Vec::new();
        let mut offset = 0;
        for end in 1..=input.len() {
            let (used, event) = decoder.decode(&input[offset..end], LIMIT, LIMIT).unwrap();
            offset += used;
            events.extend(event);
        }
        assert_eq!(offset, input.len());
        assert_eq!(
            events,
            vec![Event::Message(Frame::binary(vec![1, 2, 3, 4, 5]))]
        );
    }

    #[test]
    fn payload_can_be_read_straight_into_the_message() {
        let mut decoder = Decoder::new();
        let header = [0x81, 10];
        assert_eq!(decoder.decode(&header, LIMIT, LIMIT).unwrap(), (2, None));
        let (destination, remaining) = decoder.payload_destination().expect("inside a payload");
        assert_eq!(remaining, 10);
        destination.extend_from_slice(b"hello");
        assert_eq!(decoder.payload_appended(5).unwrap(), None);
        let (destination, remaining) = decoder.payload_destination().unwrap();
        assert_eq!(remaining, 5);
        destination.extend_from_slice(b"world");
        assert_eq!(
            decoder.payload_appended(5).unwrap(),
            Some(Event::Message(Frame::text("helloworld")))
        );
        assert!(decoder.payload_destination().is_none());

        // Text read this way is still validated as it arrives.
        let mut decoder = Decoder::new();
        decoder.decode(&[0x81, 10], LIMIT, LIMIT).unwrap();
        decoder
            .payload_destination()
            .unwrap()
            .0
            .extend_from_slice(&[b'o', 0xff]);
        assert!(matches!(
            decoder.payload_appended(2),
            Err(Violation::InvalidUtf8(_))
        ));
    }

    #[test]
    fn violations_are_classified() {
        assert!(matches!(
            decode_all(&[0x81, 0x81, 0, 0, 0, 0, b'a']),
            Err(Violation::Protocol(_))
        ));
        assert!(matches!(
            decode_all(&frame(0xC1, b"a")),
            Err(Violation::Protocol(_))
        ));
        assert!(matches!(
            decode_all(&frame(0x09, b"")),
            Err(Violation::Protocol(_))
        ));
        assert!(matches!(
            decode_all(&frame(0x83, b"")),
            Err(Violation::Protocol(_))
        ));
        assert!(matches!(
            decode_all(&frame(0x80, b"")),
            Err(Violation::Protocol(_))
        ));
        assert!(matches!(
            decode_all(&frame(0x88, &[0x03, 0xe7])),
            Err(Violation::Protocol(_))
        ));
        assert!(matches!(
            decode_all(&frame(0x88, &[0x03])),
            Err(Violation::Protocol(_))
        ));
        assert!(matches!(
            decode_all(&frame(0x81, &[0xff])),
            Err(Violation::InvalidUtf8(_))
        ));
        assert!(matches!(
            decode_all(&frame(0x88, &[0x03, 0xe8, 0xff])),
            Err(Violation::InvalidUtf8(_))
        ));
        let mut huge = vec![0x82, 127];
        huge.extend_from_slice(&(1u64 << 40).to_be_bytes());
        assert!(matches!(decode_all(&huge), Err(Violation::TooBig(_))));
    }

    #[test]
    fn close_frames_parse() {
        assert_eq!(
            decode_all(&frame(0x88, b"")).unwrap(),
            vec![Event::Close(None)]
        );
        let mut payload = 1000u16.to_be_bytes().to_vec();
        payload.extend_from_slice(b"bye");
        assert_eq!(
            decode_all(&frame(0x88, &payload)).unwrap(),
            vec![Event::Close(Some(CloseReason::new(1000, "bye")))]
        );
    }

    /// Decodes one complete binary message from `input` and returns its payload.
    fn binary(decoder: &mut Decoder, input: &[u8]) -> bytes::Bytes {
        match decoder.decode(input, LIMIT, LIMIT).unwrap() {
            (used, Some(Event::Message(Frame::Binary { data }))) if used == input.len() => data,
            other => panic!("expected one binary message, got {other:?}"),
        }
    }

    #[test]
    fn a_large_message_reuses_the_memory_of_one_the_application_dropped() {
        let mut decoder = Decoder::new();
        let first = binary(&mut decoder, &frame(0x82, &[1; 8 << 10]));
        let first_address = first.as_ptr();
        // Still held: the next message gets memory of its own, and the first stays intact.
        let second = binary(&mut decoder, &frame(0x82, &[2; 8 << 10]));
        assert_ne!(second.as_ptr(), first_address);
        assert!(first.iter().all(|&byte| byte == 1));
        drop(first);
        let third = binary(&mut decoder, &frame(0x82, &[3; 8 << 10]));
        assert_eq!(third.as_ptr(), first_address);
        assert!(third.iter().all(|&byte| byte == 3) && second.iter().all(|&byte| byte == 2));
        // A small message takes no pooled memory: the dropped third's is still there for the next.
        drop(third);
        let small = binary(&mut decoder, &frame(0x82, &[4; 100]));
        assert_eq!(&small[..], &[4; 100][..]);
        let fourth = binary(&mut decoder, &frame(0x82, &[5; 8 << 10]));
        assert_eq!(fourth.as_ptr(), first_address);
    }

    /// A decoder that undoes permessage-deflate with its default parameters.
    fn deflate_decoder() -> Decoder {
        let answers = ["permessage-deflate"];
        let negotiated =
            crate::extensions::accept(&answers, &crate::config::DeflateConfig::default()).unwrap();
        Decoder::with_transform(negotiated.receive)
    }

    /// "Hello" compressed, from RFC 7692 section 7.2.3.1.
    const HELLO: [u8; 7] = [0xf2, 0x48, 0xcd, 0xc9, 0xc9, 0x07, 0x00];

    fn decode_with(decoder: &mut Decoder, input: &[u8]) -> Result<Vec<Event>, Violation> {
        let mut events = Vec::new();
        let mut offset = 0;
        loop {
            let (used, event) = decoder.decode(&input[offset..], LIMIT, LIMIT)?;
            offset += used;
            match event {
                Some(event) => events.push(event),
                None => return Ok(events),
            }
        }
    }

    #[test]
    fn compressed_messages_are_inflated_whole_or_fragmented() {
        let mut decoder = deflate_decoder();
        let mut input = frame(0xc1, &HELLO);
        // The same message in two fragments, RSV1 on the first only, a ping between them.
        input.extend(frame(0x42, &HELLO[..3]));
        input.extend(frame(0x89, b""));
        input.extend(frame(0x80, &HELLO[3..]));
        // An uncompressed message between compressed ones is left as it is.
        input.extend(frame(0x81, b"plain"));
        assert_eq!(
            decode_with(&mut decoder, &input).unwrap(),
            [
                Event::Message(Frame::text("Hello")),
                Event::Ping(Vec::new()),
                Event::Message(Frame::binary(b"Hello".to_vec())),
                Event::Message(Frame::text("plain")),
            ]
        );
    }

    #[test]
    fn rsv1_is_allowed_only_on_the_first_frame_of_a_message_with_the_extension() {
        let misuses = [
            (Decoder::new(), frame(0xc1, &HELLO), "no extension"),
            (deflate_decoder(), frame(0xc9, b""), "does not start"),
            (
                deflate_decoder(),
                [frame(0x01, b"He"), frame(0xc0, b"llo")].concat(),
                "does not start",
            ),
            (deflate_decoder(), frame(0xa1, b"x"), "RSV2"),
        ];
        for (mut decoder, input, expected) in misuses {
            match decode_with(&mut decoder, &input) {
                Err(Violation::Protocol(detail)) => assert!(detail.contains(expected), "{detail}"),
                other => panic!("{expected}: {other:?}"),
            }
        }
    }

    #[test]
    fn inflated_text_is_checked_and_inflated_size_is_limited() {
        // 0xff alone, stored uncompressed in a deflate block: not UTF-8 once inflated.
        let invalid = [0x00, 0x01, 0x00, 0xfe, 0xff, 0xff];
        let mut decoder = deflate_decoder();
        assert!(matches!(
            decode_with(&mut decoder, &frame(0xc1, &invalid)),
            Err(Violation::InvalidUtf8(_))
        ));
        // 2 MiB of zeros compress to about 2 KiB, under LIMIT on the wire but not inflated.
        let mut compress = flate2::Compress::new(flate2::Compression::default(), false);
        let mut zeros = Vec::with_capacity(64 << 10);
        compress
            .compress_vec(&vec![0; 2 << 20], &mut zeros, flate2::FlushCompress::Sync)
            .unwrap();
        let mut decoder = deflate_decoder();
        let mut bomb = vec![0xc2, 126];
        bomb.extend_from_slice(&(zeros.len() as u16 - 4).to_be_bytes());
        bomb.extend_from_slice(&zeros[..zeros.len() - 4]);
        assert!(matches!(
            decode_with(&mut decoder, &bomb),
            Err(Violation::TooBig(_))
        ));
    }

    /// A compressed message of one frame is held to maxFrameSize once inflated (the limit an
    /// application that sets only that one relies on); a fragmented one to maxMessageSize.
    #[test]
    fn a_single_compressed_frame_is_held_to_the_frame_limit_inflated() {
        let mut compress = flate2::Compress::new(flate2::Compression::default(), false);
        let mut zeros = Vec::with_capacity(1 << 10);
        compress
            .compress_vec(&[0; 2048], &mut zeros, flate2::FlushCompress::Sync)
            .unwrap();
        let payload = &zeros[..zeros.len() - 4];
        let mut decoder = deflate_decoder();
        match decoder.decode(&frame(0xc2, payload), 1024, LIMIT) {
            Err(Violation::TooBig(detail)) => assert!(detail.contains("maxFrameSize"), "{detail}"),
            other => panic!("{other:?}"),
        }
        let mut decoder = deflate_decoder();
        let (middle, end) = payload.split_at(payload.len() / 2);
        let fragmented = [frame(0x42, middle), frame(0x80, end)].concat();
        let mut offset = 0;
        let mut events = Vec::new();
        while offset < fragmented.len() {
            let (used, event) = decoder.decode(&fragmented[offset..], 1024, LIMIT).unwrap();
            offset += used;
            events.extend(event);
        }
        assert_eq!(events, [Event::Message(Frame::binary(vec![0; 2048]))]);
    }
}
