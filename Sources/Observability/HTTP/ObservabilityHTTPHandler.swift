import NIOCore
import NIOHTTP1

/// Serves `/metrics`, `/healthz` and `/readyz` on one HTTP/1.1 connection.
final class ObservabilityHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let render: @Sendable () -> [UInt8]
    private let readiness: any ReadinessProbe
    private var request: HTTPRequestHead?

    init(render: @escaping @Sendable () -> [UInt8], readiness: any ReadinessProbe) {
        self.render = render
        self.readiness = readiness
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            request = head
        case .body:
            break  // request bodies are ignored
        case .end:
            guard let head = request else { return }
            request = nil
            respond(to: head, context: context)
        }
    }

    private func respond(to head: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
        guard head.method == .GET || head.method == .HEAD else {
            return write(.methodNotAllowed, "text/plain; charset=utf-8", Array("method not allowed\n".utf8),
                         head: head, context: context)
        }
        switch path {
        case "/metrics":
            write(.ok, MetricsBootstrap.contentType, render(), head: head, context: context)
        case "/healthz":
            write(.ok, "text/plain; charset=utf-8", Array("ok".utf8), head: head, context: context)
        case "/readyz":
            let status = readiness.readiness()
            if status.isReady {
                write(.ok, "application/json", Array(#"{"ready":true}"#.utf8), head: head, context: context)
            } else {
                let reason = JSONText.quote(status.reason ?? "not ready")
                write(.serviceUnavailable, "application/json",
                      Array(#"{"ready":false,"reason":\#(reason)}"#.utf8), head: head, context: context)
            }
        default:
            write(.notFound, "text/plain; charset=utf-8", Array("not found\n".utf8), head: head, context: context)
        }
    }

    private func write(
        _ status: HTTPResponseStatus, _ contentType: String, _ body: [UInt8],
        head: HTTPRequestHead, context: ChannelHandlerContext
    ) {
        let keepAlive = head.isKeepAlive
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        let response = HTTPResponseHead(version: head.version, status: status, headers: headers)
        context.write(wrapOutboundOut(.head(response)), promise: nil)
        if head.method != .HEAD {
            let buffer = context.channel.allocator.buffer(bytes: body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        }
        let done = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            let channel = context.channel
            done.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
