/// The variables nginx itself defines, to tell a typo (`$request_tme`) from a variable of the
/// user's own (`map`, `set`), which nginx logs like any other. Names come from the reference of
/// nginx's modules (core, log, upstream, proxy, ssl, realip, gzip, geoip, limit_*, userid, …).
enum NginxVariables {
    static let names: Set<String> = [
        "args", "binary_remote_addr", "body_bytes_sent", "bytes_sent", "connection",
        "connection_requests", "connection_time", "connections_active", "connections_reading",
        "connections_waiting", "connections_writing", "content_length", "content_type", "date_gmt",
        "date_local", "document_root", "document_uri", "fastcgi_path_info", "fastcgi_script_name",
        "gzip_ratio", "host", "hostname", "http2", "http3", "https", "invalid_referer", "is_args",
        "limit_rate", "memcached_key", "msec", "nginx_version", "pid", "pipe", "proxy_add_x_forwarded_for",
        "proxy_host", "proxy_port", "query_string", "quic", "realip_remote_addr", "realip_remote_port",
        "realpath_root", "remote_addr", "remote_port", "remote_user", "request", "request_body",
        "request_body_file", "request_completion", "request_filename", "request_id", "request_length",
        "request_method", "request_time", "request_uri", "scheme", "secure_link", "secure_link_expires",
        "server_addr", "server_name", "server_port", "server_protocol", "slice_range", "status",
        "time_iso8601", "time_local", "uid_got", "uid_reset", "uid_set", "uri",
        // Set by ingress-nginx's own nginx.conf template (its default log_format uses them).
        "proxy_upstream_name", "proxy_alternative_upstream_name", "req_id", "namespace", "ingress_name",
        "service_name", "service_port",
    ]

    /// Families of variables named by a prefix (`$http_x_request_id`, `$upstream_status`, …).
    static let prefixes = [
        "arg_", "cookie_", "http_", "sent_http_", "sent_trailer_", "upstream_", "ssl_", "geoip_",
        "geoip2_", "jwt_", "limit_", "proxy_protocol_", "tcpinfo_", "auth_", "otel_", "mp4_",
    ]

    static func isBuiltin(_ name: String) -> Bool {
        names.contains(name) || prefixes.contains { name.hasPrefix($0) && name.count > $0.count }
    }

    /// The built-in name closest to `name` when it is at most two edits away (a likely typo).
    static func suggestion(for name: String) -> String? {
        EditDistance.closest(to: name, among: names)
    }
}

extension NginxFormat {
    /// Warnings for variables nginx does not define: each is still read as a generic field
    /// (it may be the user's own `map`/`set` variable), but a typo should not pass unnoticed.
    public var unknownVariableWarnings: [String] {
        var seen = Set<String>()
        var warnings: [String] = []
        for case .variable(let name) in NginxFormat.tokenize(logFormat)
        where !NginxVariables.isBuiltin(name) && seen.insert(name).inserted {
            var text = "$\(name) is not an nginx variable logsift knows; it is read as a text field"
            if let near = NginxVariables.suggestion(for: name) {
                text += " (did you mean $\(near)?)"
            } else {
                text += " (fine if it comes from your own map or set)"
            }
            warnings.append(text)
        }
        return warnings
    }

    /// The column (from 1) of a quote that has no partner, in the text as the user gave it:
    /// a `'` of a pasted `log_format` directive, or a `"` of the format itself, which nginx
    /// writes literally on both sides of a value. Nil when quotes pair up.
    func unbalancedQuote() -> (quote: Character, column: Int)? {
        let text = Array(logFormat)
        let directive = logFormat.trimmingWhitespace().hasPrefix("log_format")
        var singles: [Int] = []
        var doubles: [Int] = []
        var i = 0
        while i < text.count {
            let c = text[i]
            if c == "\\" { i += 2; continue }
            if c == "'" { singles.append(i) }
            if c == "\"" { doubles.append(i) }
            i += 1
        }
        if directive, singles.count % 2 == 1 { return ("'", singles.last! + 1) }
        if doubles.count % 2 == 1 { return ("\"", doubles.last! + 1) }
        return nil
    }
}
