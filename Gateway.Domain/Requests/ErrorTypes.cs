namespace Gateway.Domain.Requests;

/// <summary>
/// The <c>type</c> of an error a client is sent: OpenAI's vocabulary, which every client dialect is handed and
/// renders in its own shape.
/// </summary>
public static class ErrorTypes
{
    public const string InvalidRequest = "invalid_request_error";
    public const string Upstream = "upstream_error";
    public const string RateLimit = "rate_limit_error";
    public const string Server = "server_error";
}
