using Gateway.Api.RequestPath.Relay;
using Gateway.Api.Routing;

namespace Gateway.Api.RequestPath.Attempts;

/// <summary>A streamed attempt that served: its relay has read up to the first token and sends the rest once chosen.</summary>
public sealed class PrimedStream : AttemptResult
{
    public required StreamRelay Relay { get; init; }

    public override void Dispose()
    {
        Relay.Dispose();
        base.Dispose();
    }
}
