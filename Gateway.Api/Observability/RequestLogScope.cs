using System.Collections;

namespace Gateway.Api.Observability;

/// <summary>The request id on every log line written while a request is handled (JSON logs: a <c>GatewayRequestId</c> field).</summary>
public sealed class RequestLogScope(Guid requestId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 1;
    public KeyValuePair<string, object?> this[int index] =>
        index == 0 ? new("GatewayRequestId", requestId.ToString()) : throw new ArgumentOutOfRangeException(nameof(index));
    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
    }
    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    public override string ToString() => $"GatewayRequestId:{requestId}";
}
