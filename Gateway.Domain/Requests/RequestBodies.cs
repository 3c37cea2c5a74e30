namespace Gateway.Domain.Requests;

/// <summary>
/// The request and response bodies of one request, kept in their own plain table beside the event (not
/// in it), so the event table projections scan stays small and bodies can be erased or expired without
/// touching the ledger. Streamed responses are kept as the SSE text the client received.
/// </summary>
public sealed record RequestBodies(
    Guid RequestId,
    Guid KeyId,
    Guid TeamId,
    string Request,
    bool RequestTruncated,
    string Response,
    bool ResponseTruncated,
    DateTimeOffset StoredAt);
