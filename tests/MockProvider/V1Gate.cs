namespace MockProvider;

/// <summary>Entry of every /v1 call: read the body, log the request, then check the API key (so rejected calls are logged too).</summary>
internal static class V1Gate
{
    /// <returns>The body, or null when the request was rejected and already answered.</returns>
    public static async ValueTask<byte[]?> AdmitAsync(HttpContext ctx, MockState state, bool readBody)
    {
        var request = ctx.Request;
        byte[] body = readBody ? await RequestBody.ReadAsync(request, ctx.RequestAborted) : [];
        string? authorization = request.Headers.Authorization;
        state.Requests.Add(new LoggedRequest(request.Method, request.Path.Value ?? "", body, authorization));

        if (state.ExpectedAuthorization is { } expected && !string.Equals(authorization, expected, StringComparison.Ordinal))
        {
            await OpenAiErrors.InvalidApiKeyAsync(ctx);
            return null;
        }
        return body;
    }
}
