using Gateway.Api.ControlPlane;
using Gateway.Api.RequestPath.Completion;
using Gateway.Api.RequestPath.Wire;
using Gateway.Api.Routing;

namespace Gateway.Api.RequestPath.Admission;

/// <summary>
/// A request admission let through, on its way upstream: what it asked for (in OpenAI's format) and where it may go.
/// Owns the buffer of the translated body, which lives as long as the request.
/// </summary>
public sealed record AdmittedRequest(
    HttpContext Ctx, RequestTrace Trace, ClientDialect Dialect, RequestHead Head, PooledBuffer Body, ReadOnlyMemory<byte> OpenAiBody,
    CompiledRoute Route, GatewayKey Key, ControlPlaneSnapshot Snapshot, PooledBuffer Translated) : IDisposable
{
    /// <summary>Where it may go: the route it asked for, or a budget's cheaper model when the budget could not cover it.</summary>
    public CompiledRoute Route { get; set; } = Route;

    public void Dispose() => Translated.Dispose();
}
