import Foundation
import ArgumentParser

/// Unbuffered console output for streaming and progress lines.
enum Console {
    static func out(_ s: String) { FileHandle.standardOutput.write(Data(s.utf8)) }
    static func err(_ s: String) { FileHandle.standardError.write(Data(s.utf8)) }
}

/// Runs `body` for the sandbox commands, whose exit status 2 means "the tool itself failed"
/// (as opposed to the program under test): any error but an `ExitCode` is printed to stderr
/// and becomes exit status 2.
func exitTwoOnError<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as ExitCode { throw e } catch {
        Console.err("\(error)\n")
        throw ExitCode(2)
    }
}
