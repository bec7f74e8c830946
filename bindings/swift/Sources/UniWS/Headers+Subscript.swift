import Foundation

extension Headers {
    /// The first value of the header field `name`, matched case-insensitively.
    public subscript(_ name: String) -> String? {
        self.get(name: name)
    }
}
