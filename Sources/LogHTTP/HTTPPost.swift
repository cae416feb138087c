import NIOCore
import NIOHTTP1
import NIOPosix

/// An `http://host[:port][/prefix]` endpoint, as `--alertmanager` takes it.
public struct HTTPEndpoint: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int
    /// The path before the API's own (`/alertmanager` when it is served under a prefix), no
    /// trailing slash; empty when there is none.
    public var pathPrefix: String

    public init(host: String, port: Int, pathPrefix: String = "") {
        self.host = host
        self.port = port
        self.pathPrefix = pathPrefix
    }

    public var description: String { "http://\(host.contains(":") ? "[\(host)]" : host):\(port)\(pathPrefix)" }

    public static func parse(_ text: String) -> Result<HTTPEndpoint, HTTPEndpointError> {
        guard text.hasPrefix("http://") else {
            let reason = text.hasPrefix("https://")
                ? "https is not supported; put Alertmanager on http (loopback) or behind a local proxy"
                : "expected http://HOST:PORT, e.g. http://127.0.0.1:9093"
            return .failure(HTTPEndpointError(text: text, reason: reason))
        }
        let rest = text.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" }
        var prefix = String(rest.dropFirst(authority.count))
        while prefix.hasSuffix("/") { prefix.removeLast() }
        var host = String(authority)
        var port = 80
        if host.hasPrefix("[") {
            guard let close = host.firstIndex(of: "]") else {
                return .failure(HTTPEndpointError(text: text, reason: "an IPv6 address needs its closing ']'"))
            }
            let after = host[host.index(after: close)...]
            if after.hasPrefix(":") {
                guard let p = Int(after.dropFirst()), (1...65535).contains(p) else {
                    return .failure(HTTPEndpointError(text: text, reason: "the port must be a number from 1 to 65535"))
                }
                port = p
            } else if !after.isEmpty {
                return .failure(HTTPEndpointError(text: text, reason: "expected ':PORT' after ']'"))
            }
            host = String(host[host.index(after: host.startIndex)..<close])
        } else if let colon = host.lastIndex(of: ":") {
            guard let p = Int(host[host.index(after: colon)...]), (1...65535).contains(p) else {
                return .failure(HTTPEndpointError(text: text, reason: "the port must be a number from 1 to 65535"))
            }
            port = p
            host = String(host[..<colon])
        }
        guard !host.isEmpty else {
            return .failure(HTTPEndpointError(text: text, reason: "the host is missing"))
        }
        return .success(HTTPEndpoint(host: host, port: port, pathPrefix: prefix))
    }
}

public struct HTTPEndpointError: Error, CustomStringConvertible, Sendable {
    public var text: String
    public var reason: String
    public var description: String { "invalid URL '\(text)': \(reason)" }
}

/// Why a POST did not get an answer.
public enum HTTPPostError: Error, Equatable, Sendable {
    case timedOut
    case connectionClosedEarly
}

/// One POST on a new connection, answered with the response's status code. The whole exchange
/// (connect, write, read) is bounded by `timeout`; on expiry the connection is closed and the
/// future fails with `HTTPPostError.timedOut`. The response body is read and discarded.
enum HTTPPost {
    static func post(to endpoint: HTTPEndpoint, path: String, contentType: String, body: [UInt8],
                     timeout: TimeAmount, on eventLoop: EventLoop) -> EventLoopFuture<Int> {
        let result = eventLoop.makePromise(of: Int.self)
        let timeoutTask = eventLoop.scheduleTask(in: timeout) {
            result.fail(HTTPPostError.timedOut)
        }
        let bootstrap = ClientBootstrap(group: eventLoop)
            .connectTimeout(timeout)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(StatusHandler(result: result))
                }
            }
        bootstrap.connect(host: endpoint.host, port: endpoint.port).whenComplete { connected in
            switch connected {
            case .failure(let error):
                result.fail(error)
            case .success(let channel):
                // A timeout (or any end) closes the connection.
                result.futureResult.whenComplete { _ in channel.close(promise: nil) }
                var headers = HTTPHeaders()
                headers.add(name: "Host", value: endpoint.port == 80 ? endpoint.host : "\(endpoint.host):\(endpoint.port)")
                headers.add(name: "Content-Type", value: contentType)
                headers.add(name: "Content-Length", value: String(body.count))
                headers.add(name: "User-Agent", value: "logsift")
                headers.add(name: "Connection", value: "close")
                let head = HTTPRequestHead(version: .http1_1, method: .POST, uri: endpoint.pathPrefix + path, headers: headers)
                var buffer = channel.allocator.buffer(capacity: body.count)
                buffer.writeBytes(body)
                channel.write(HTTPClientRequestPart.head(head), promise: nil)
                channel.write(HTTPClientRequestPart.body(.byteBuffer(buffer)), promise: nil)
                channel.writeAndFlush(HTTPClientRequestPart.end(nil)).whenFailure { result.fail($0) }
            }
        }
        result.futureResult.whenComplete { _ in timeoutTask.cancel() }
        return result.futureResult
    }
}

/// Completes the promise with the status once the response has ended (a promise completed
/// twice keeps its first result, so a timeout racing the answer is harmless).
private final class StatusHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPClientResponsePart
    private let result: EventLoopPromise<Int>
    private var status: Int?

    init(result: EventLoopPromise<Int>) {
        self.result = result
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head): status = Int(head.status.code)
        case .body: break
        case .end:
            if let status { result.succeed(status) } else { result.fail(HTTPPostError.connectionClosedEarly) }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        result.fail(HTTPPostError.connectionClosedEarly)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        result.fail(error)
        context.close(promise: nil)
    }
}
