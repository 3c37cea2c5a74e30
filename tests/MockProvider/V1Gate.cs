namespace MockProvider;

/// <summary>Entry of every OpenAI /v1 call: read the body, log the request, then check the Bearer key (so rejected calls are logged too).</summary>
internal static class V1Gate
{
    /// <returns>The body, or null when the request was rejected and already answered.</returns>
    public static async ValueTask<byte[]?> AdmitAsync(HttpContext ctx, MockState state, bool readBody)
    {
        var body = await state.ReadAndLogAsync(ctx, readBody, Credentials.Bearer(ctx.Request));
        if (state.ExpectedAuthorization is { } expected && !string.Equals(ctx.Request.Headers.Authorization, expected, StringComparison.Ordinal))
        {
            await OpenAiErrors.InvalidApiKeyAsync(ctx);
            return null;
        }
        return body;
    }
}
