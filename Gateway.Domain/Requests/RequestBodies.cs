namespace Gateway.Domain.Requests;

/// <summary>
/// The request and response bodies of one request, kept beside the event (not in it) so that the event
/// table projections scan stays small and bodies can be erased or expired without touching the ledger.
/// Streamed responses are kept as the SSE text the client received.
/// </summary>
public sealed class RequestBodies
{
    public Guid Id { get; set; }
    public string Request { get; set; } = "";
    public bool RequestTruncated { get; set; }
    public string Response { get; set; } = "";
    public bool ResponseTruncated { get; set; }
    public DateTimeOffset StoredAt { get; set; }
}
