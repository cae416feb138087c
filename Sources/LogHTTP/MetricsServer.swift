import LogMetrics
import NIOCore
import NIOHTTP1
import NIOPosix

/// `--listen HOST:PORT`: serves `GET /metrics` (the registry's families in the Prometheus text
/// format, version 0.0.4) and `GET /-/healthy` (200 `OK`, for probes). Other paths are 404,
/// other methods 405. Each scrape renders a fresh snapshot; nothing is cached.
public final class MetricsServer: Sendable {
    private let server: HTTPServer
    public var host: String { server.host }
    public var port: Int { server.port }

    public static func start(host: String, port: Int, registry: MetricsRegistry,
                             group: EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> MetricsServer {
        let server = try await HTTPServer.start(host: host, port: port, maxBodyBytes: 4096, group: group) { request in
            MetricsServer.answer(request, registry: registry)
        }
        return MetricsServer(server: server)
    }

    private init(server: HTTPServer) {
        self.server = server
    }

    public func shutdown() async {
        await server.shutdown()
    }

    static func answer(_ request: HTTPServerRequest, registry: MetricsRegistry) -> HTTPServerResponse {
        switch request.path {
        case "/metrics", "/-/healthy":
            guard request.method == .GET || request.method == .HEAD else {
                return HTTPServerResponse(status: .methodNotAllowed, text: "only GET and HEAD\n")
            }
            if request.path == "/-/healthy" { return HTTPServerResponse(status: .ok, text: "OK\n") }
            return HTTPServerResponse(status: .ok, contentType: PrometheusText.contentType,
                                      body: Array(PrometheusText.render(registry.snapshot()).utf8))
        default:
            return HTTPServerResponse(status: .notFound, text: "not found; try /metrics or /-/healthy\n")
        }
    }
}

/// `HOST:PORT` as `--listen` takes it: `127.0.0.1:9145`, `[::1]:9145`, `:9145` (all addresses).
public struct ListenAddress: Sendable, Equatable {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// The address, or what is wrong with the text (for a message that names the option).
    public static func parse(_ text: String) -> Result<ListenAddress, ListenAddressError> {
        guard let colon = text.lastIndex(of: ":") else {
            return .failure(ListenAddressError(text: text, reason: "expected HOST:PORT, e.g. 127.0.0.1:9145"))
        }
        var host = String(text[..<colon])
        let portText = text[text.index(after: colon)...]
        guard let port = Int(portText), (0...65535).contains(port) else {
            return .failure(ListenAddressError(text: text, reason: "the port must be a number from 0 to 65535"))
        }
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        if host.isEmpty { host = "0.0.0.0" }
        return .success(ListenAddress(host: host, port: port))
    }
}

public struct ListenAddressError: Error, CustomStringConvertible, Sendable {
    public var text: String
    public var reason: String
    public var description: String { "invalid listen address '\(text)': \(reason)" }
}
