/// LogHTTP: logsift's HTTP parts, over SwiftNIO's HTTP/1.1 codec (NIOHTTP1): a small server for
/// `/metrics` (`MetricsServer`) and the Alertmanager notifier's client (`AlertmanagerNotifier`).
///
/// Takes in: metric families (LogMetrics) and alerts. Gives out: HTTP. Knows nothing of rules or
/// logs. Plain HTTP only (no TLS).
import NIOCore
import NIOHTTP1
import NIOPosix

/// A request as the server hands it to a route: method, path (query string cut off), body.
public struct HTTPServerRequest: Sendable {
    public var method: HTTPMethod
    public var path: String
    public var query: String?
    public var body: [UInt8]
}

public struct HTTPServerResponse: Sendable {
    public var status: HTTPResponseStatus
    public var contentType: String
    public var body: [UInt8]
    public init(status: HTTPResponseStatus, contentType: String = "text/plain; charset=utf-8", body: [UInt8]) {
        self.status = status
        self.contentType = contentType
        self.body = body
    }
    public init(status: HTTPResponseStatus, text: String) {
        self.init(status: status, body: Array(text.utf8))
    }
}

/// A bound HTTP/1.1 server whose every request is answered by one synchronous route closure
/// (run on the connection's event loop: it must be quick, as rendering a snapshot is).
/// Keep-alive and pipelining are NIO's; a request body over `maxBodyBytes` is answered 413; a
/// malformed request 400 (NIO's error handler); a connection silent for `idleTimeout` is closed.
public final class HTTPServer: Sendable {
    public typealias Route = @Sendable (HTTPServerRequest) -> HTTPServerResponse

    private let channel: Channel
    /// The address the server listens on (with the port the system chose when 0 was asked).
    public let host: String
    public let port: Int

    /// Binds `host:port` (port 0: any free port) and starts answering.
    public static func start(host: String, port: Int, maxBodyBytes: Int = 1 << 20,
                             idleTimeout: TimeAmount = .seconds(60),
                             group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
                             route: @escaping Route) async throws -> HTTPServer {
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 64)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(IdleStateHandler(readTimeout: idleTimeout))
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withErrorHandling: true)
                    try channel.pipeline.syncOperations.addHandler(
                        RouteHandler(route: route, maxBodyBytes: maxBodyBytes))
                }
            }
        let channel = try await bootstrap.bind(host: host, port: port).get()
        let boundPort = channel.localAddress?.port ?? port
        return HTTPServer(channel: channel, host: host, port: boundPort)
    }

    private init(channel: Channel, host: String, port: Int) {
        self.channel = channel
        self.host = host
        self.port = port
    }

    /// Stops listening (connections already open finish their request).
    public func shutdown() async {
        try? await channel.close().get()
    }
}

/// Collects one request (head, body up to the cap, end) and writes the route's answer.
private final class RouteHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let route: HTTPServer.Route
    private let maxBodyBytes: Int
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var tooLarge = false

    init(route: @escaping HTTPServer.Route, maxBodyBytes: Int) {
        self.route = route
        self.maxBodyBytes = maxBodyBytes
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body.removeAll(keepingCapacity: true)
            tooLarge = false
        case .body(var buffer):
            if body.count + buffer.readableBytes > maxBodyBytes {
                tooLarge = true
            } else if let bytes = buffer.readBytes(length: buffer.readableBytes) {
                body += bytes
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            let response: HTTPServerResponse
            if tooLarge {
                response = HTTPServerResponse(status: .payloadTooLarge, text: "request body too large\n")
            } else {
                let uri = requestHead.uri
                let path: String
                let query: String?
                if let mark = uri.firstIndex(of: "?") {
                    path = String(uri[..<mark])
                    query = String(uri[uri.index(after: mark)...])
                } else {
                    path = uri
                    query = nil
                }
                response = route(HTTPServerRequest(method: requestHead.method, path: path, query: query, body: body))
            }
            // After a refused body the rest of the stream is not trusted: close.
            write(response, for: requestHead, close: tooLarge, context: context)
        }
    }

    /// A malformed request (NIO's error handler has answered 400) or a broken connection: close.
    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read {
            context.close(promise: nil)
        } else {
            context.fireUserInboundEventTriggered(event)
        }
    }

    private func write(_ response: HTTPServerResponse, for request: HTTPRequestHead, close: Bool,
                       context: ChannelHandlerContext) {
        let keepAlive = request.isKeepAlive && !close
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: response.contentType)
        headers.add(name: "Content-Length", value: String(response.body.count))
        if !keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: request.version, status: response.status, headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if request.method != .HEAD {
            var buffer = context.channel.allocator.buffer(capacity: response.body.count)
            buffer.writeBytes(response.body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}
