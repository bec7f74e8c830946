import Foundation

extension CloseReason {
    /// The well-known close codes (RFC 6455 section 7.4.1), read from the Rust core.
    public enum Codes {
        /// 1000: the purpose of the connection has been fulfilled.
        public static let normal = closeCodeValue(code: .normal)
        /// 1001: the endpoint is going away.
        public static let goingAway = closeCodeValue(code: .goingAway)
        /// 1002: a protocol error.
        public static let protocolError = closeCodeValue(code: .protocolError)
        /// 1003: a data type the endpoint cannot accept.
        public static let cannotAccept = closeCodeValue(code: .cannotAccept)
        /// 1005: reported when a close frame carried no code (never sent).
        public static let noStatus = closeCodeValue(code: .noStatus)
        /// 1006: reported when the connection ended without a close frame (never sent).
        public static let closedAbnormally = closeCodeValue(code: .closedAbnormally)
        /// 1007: data inconsistent with its type, such as invalid UTF-8.
        public static let notConsistent = closeCodeValue(code: .notConsistent)
        /// 1008: a message violated the endpoint's policy.
        public static let violatedPolicy = closeCodeValue(code: .violatedPolicy)
        /// 1009: a frame or message too big.
        public static let tooBig = closeCodeValue(code: .tooBig)
        /// 1010: a required extension was not negotiated.
        public static let noExtension = closeCodeValue(code: .noExtension)
        /// 1011: an unexpected condition (uniws sends it on ping timeout).
        public static let internalError = closeCodeValue(code: .internalError)
        /// 1012: the service is restarting.
        public static let serviceRestart = closeCodeValue(code: .serviceRestart)
        /// 1013: try again later.
        public static let tryAgainLater = closeCodeValue(code: .tryAgainLater)
    }

    /// The well-known code this reason carries, if it is one.
    public var knownCode: CloseCode? { closeCodeFromValue(value: code) }
}
