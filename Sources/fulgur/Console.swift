import Foundation

/// Unbuffered console output for streaming and progress lines.
enum Console {
    static func out(_ s: String) { FileHandle.standardOutput.write(Data(s.utf8)) }
    static func err(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
}
