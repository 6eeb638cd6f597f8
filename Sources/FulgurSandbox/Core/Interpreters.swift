import Foundation

/// Host interpreters and compilers the languages use.
public enum Interpreters {
    /// Python 3: FULGUR_PYTHON, else the system one under /usr (visible inside the sandbox
    /// without extra mounts), else the first python3 on PATH.
    public static func python() -> String? {
        if let p = ProcessInfo.processInfo.environment["FULGUR_PYTHON"], access(p, X_OK) == 0 { return p }
        return Executables.find("python3", preferred: ["/usr/bin/python3", "/usr/local/bin/python3"])
    }

    /// swiftc for the optional Swift language: FULGUR_SWIFTC, else PATH.
    public static func swiftc() -> String? {
        if let p = ProcessInfo.processInfo.environment["FULGUR_SWIFTC"], access(p, X_OK) == 0 { return p }
        return Executables.find("swiftc")
    }
}
