import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A minimal HTTP/1.1 server on 127.0.0.1 with an ephemeral port, for testing the judge client
/// against a real socket: each request is answered by `respond(path, body)` → (status, body).
final class StubHTTPServer: @unchecked Sendable {
    struct Request { var method: String; var path: String; var headers: [String: String]; var body: Data }

    let port: UInt16
    private let listener: Int32
    private let lock = NSLock()
    private var recorded: [Request] = []
    private let respond: @Sendable (Request, Int) -> (Int, String)

    /// `respond` gets the request and its 0-based index among all requests.
    init(respond: @escaping @Sendable (Request, Int) -> (Int, String)) throws {
        self.respond = respond
        #if os(Linux)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw POSIXError(.EIO) }
        listener = fd
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        guard bound, listen(fd, 16) == 0 else { close(fd); throw POSIXError(.EADDRINUSE) }
        port = UInt16(bigEndian: addr.sin_port)
        Thread.detachNewThread { [self] in acceptLoop() }
    }

    var requests: [Request] { lock.lock(); defer { lock.unlock() }; return recorded }
    var baseURL: URL { URL(string: "http://127.0.0.1:\(port)/v1")! }

    private var stopped = false
    private let exited = DispatchSemaphore(value: 0)

    /// Stops accepting and waits for the accept thread to end before closing the socket, so a
    /// later server that reuses the descriptor number never has its connections stolen.
    func stop() {
        lock.lock()
        if stopped { lock.unlock(); return }
        stopped = true
        lock.unlock()
        shutdown(listener, Int32(SHUT_RDWR)) // wakes a blocked accept() on Linux
        exited.wait()
        close(listener)
    }

    private func acceptLoop() {
        defer { exited.signal() }
        while true {
            let c = accept(listener, nil, nil)
            lock.lock()
            let done = stopped
            lock.unlock()
            if c < 0 || done {
                if c >= 0 { close(c) }
                return
            }
            handle(c)
            close(c)
        }
    }

    private func handle(_ c: Int32) {
        var data = Data()
        var buffer = [UInt8](repeating: 0, count: 65536)
        var headerEnd: Range<Data.Index>? = nil
        while headerEnd == nil {
            let n = read(c, &buffer, buffer.count)
            if n <= 0 { return }
            data.append(contentsOf: buffer[0..<n])
            headerEnd = data.range(of: Data("\r\n\r\n".utf8))
        }
        let head = String(decoding: data[..<headerEnd!.lowerBound], as: UTF8.self).components(separatedBy: "\r\n")
        let requestLine = head[0].split(separator: " ")
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        let length = Int(headers["content-length"] ?? "0") ?? 0
        var body = data[headerEnd!.upperBound...]
        while body.count < length {
            let n = read(c, &buffer, buffer.count)
            if n <= 0 { break }
            body.append(contentsOf: buffer[0..<n])
        }
        let request = Request(method: String(requestLine.first ?? ""), path: String(requestLine.count > 1 ? requestLine[1] : ""),
                              headers: headers, body: Data(body))
        lock.lock()
        let index = recorded.count
        recorded.append(request)
        lock.unlock()
        let (status, text) = respond(request, index)
        let payload = Data(text.utf8)
        let response = "HTTP/1.1 \(status) Stub\r\nContent-Type: application/json\r\nContent-Length: \(payload.count)\r\nConnection: close\r\n\r\n"
        var out = Data(response.utf8)
        out.append(payload)
        out.withUnsafeBytes { raw in
            var off = 0
            while off < raw.count {
                let n = write(c, raw.baseAddress! + off, raw.count - off)
                if n <= 0 { break }
                off += n
            }
        }
    }

    /// The user message of a chat-completion request body.
    static func userMessage(_ r: Request) -> String {
        guard let json = try? JSONSerialization.jsonObject(with: r.body) as? [String: Any],
            let messages = json["messages"] as? [[String: Any]] else { return "" }
        return (messages.last?["content"] as? String) ?? ""
    }

    /// A chat-completion body whose message content is `content`.
    static func completion(_ content: String) -> String {
        let obj: [String: Any] = ["id": "stub", "object": "chat.completion",
                                  "choices": [["index": 0, "message": ["role": "assistant", "content": content], "finish_reason": "stop"]]]
        return String(decoding: try! JSONSerialization.data(withJSONObject: obj), as: UTF8.self)
    }
}
