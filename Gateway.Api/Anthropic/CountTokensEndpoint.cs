using System.Net.Http.Headers;
using System.Text.Json;
using Gateway.Api.ControlPlane;
using Gateway.Api.Providers;
using Gateway.Api.Providers.Anthropic;
using Gateway.Api.RequestPath.Admission;
using Gateway.Api.RequestPath.Attempts;
using Gateway.Api.RequestPath.Completion;
using Gateway.Api.RequestPath.Wire;
using Gateway.Domain.Providers;

namespace Gateway.Api.Anthropic;

/// <summary>
/// <c>POST /v1/messages/count_tokens</c>: how many input tokens a Messages request would use. A model Anthropic serves is
/// asked (the request passed on as it is, its model name swapped); any other is counted by the gateway's tokenizer
/// (o200k) on the request as it would be sent. A count costs nothing and makes no request record.
/// </summary>
public sealed class CountTokensEndpoint(ControlPlaneViews views, UpstreamClient upstream, UsageEstimator estimator, GatewayOptions options, TimeProvider time)
{
    static readonly MediaTypeHeaderValue Json = new("application/json");

    public async Task HandleAsync(HttpContext ctx)
    {
        var snapshot = views.Current;
        if (!GatewayKeyAuth.TryAuthenticate(ctx.Request, snapshot, time.GetUtcNow(), out var key))
        {
            await RequestAdmission.RefuseKeyAsync(ctx, AnthropicDialect.Instance, time);
            return;
        }
        RequestIdHeader.Stamp(ctx, time);
        using var body = new PooledBuffer((int)Math.Clamp(ctx.Request.ContentLength ?? 4096, 256, options.MaxRequestBodyBytes + 1));
        var read = await RequestBody.ReadAsync(ctx, body, options);
        if (read == BodyRead.ClientLeft) return;
        if (read == BodyRead.TooLarge)
        {
            await ErrorAsync(ctx, 413, $"The request body is larger than the limit of {options.MaxRequestBodyBytes} bytes.");
            return;
        }
        if (read != BodyRead.Complete)
        {
            await ErrorAsync(ctx, read == BodyRead.TimedOut ? 408 : 400, "The request body did not arrive whole.");
            return;
        }
        string? modelName;
        try
        {
            using var document = JsonDocument.Parse(body.Memory);
            modelName = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("model", out var m)
                && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        }
        catch (JsonException ex)
        {
            await ErrorAsync(ctx, 400, $"The request body is not valid JSON ({JsonMessages.WithoutPath(ex.Message)}).");
            return;
        }
        if (string.IsNullOrEmpty(modelName))
        {
            await ErrorAsync(ctx, 400, "model: Field required");
            return;
        }
        // A route counts on its first target, the one that would be tried first.
        var target = snapshot.RoutesByName.TryGetValue(modelName, out var route) ? route.Tiers[0][0].Model
            : snapshot.ModelsByPublicId.TryGetValue(modelName, out var model) && model.Enabled ? model : null;
        if (target is null)
        {
            await ErrorAsync(ctx, 404, $"model: The model '{modelName}' does not exist or is not enabled.");
            return;
        }
        if (!key.MayCall(modelName))
        {
            await ErrorAsync(ctx, 403, $"This key may not use the model '{modelName}'.");
            return;
        }
        if (target.Provider.Kind == ProviderKinds.Anthropic) await AskAnthropicAsync(ctx, key, target, snapshot, body);
        else await CountAsync(ctx, body);
    }

    async Task AskAnthropicAsync(HttpContext ctx, GatewayKey key, CatalogModel target, ControlPlaneSnapshot snapshot, PooledBuffer body)
    {
        if (!UpstreamCredentials.TryChoose(ctx.Request, key, target, snapshot, out var apiKey, out _, out _))
        {
            await ErrorAsync(ctx, 403, $"This gateway key may not bring its own provider key ('{UpstreamCredentials.RequestKeyHeader}' header).");
            return;
        }
        using var upstreamBody = new PooledBuffer(body.Length + 64);
        JsonModelSplice.Write(body.Span, 1, target.UpstreamModel, upstreamBody);
        var content = new ByteArrayContent(upstreamBody.Array, 0, upstreamBody.Length);
        content.Headers.ContentType = Json;
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Provider.BaseUrl + "/messages/count_tokens") { Content = content };
        if (apiKey is not null) request.Headers.TryAddWithoutValidation("x-api-key", apiKey);
        request.Headers.TryAddWithoutValidation("anthropic-version", target.Provider.ApiVersion ?? AnthropicAdapter.DefaultApiVersion);
        if (ctx.Request.Headers["anthropic-beta"].ToString() is { Length: > 0 } beta) request.Headers.TryAddWithoutValidation("anthropic-beta", beta);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted);
        timeout.CancelAfter(options.UpstreamTimeout);
        HttpResponseMessage response;
        try
        {
            response = await upstream.SendAsync(request, timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException && !ctx.RequestAborted.IsCancellationRequested)
        {
            await ErrorAsync(ctx, 502, $"Provider '{target.Provider.Name}' could not be reached to count tokens.");
            return;
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            var answer = await response.Content.ReadAsByteArrayAsync(timeout.Token);
            if (status is 200 or 400 or 413 or 429)
            {
                // Anthropic's own answer, or its refusal of the request (already in Anthropic's shape).
                ctx.Response.StatusCode = status;
                ctx.Response.ContentType = "application/json";
                await ctx.Response.Body.WriteAsync(answer, ctx.RequestAborted);
                return;
            }
            await ErrorAsync(ctx, status is 503 or 529 ? 503 : 502, $"Provider '{target.Provider.Name}' could not count the tokens (status {status}).");
        }
    }

    async Task CountAsync(HttpContext ctx, PooledBuffer body)
    {
        using var translated = new PooledBuffer(body.Length + 256);
        try
        {
            // count_tokens takes no max_tokens: the translation needs one, and it does not change the prompt.
            using var withMax = WithMaxTokens(body.Span);
            MessagesRequest.Write(withMax.Span, translated);
        }
        catch (TranslationException ex)
        {
            await ErrorAsync(ctx, 400, ex.Param is null ? ex.Message : $"{ex.Param}: {ex.Message}");
            return;
        }
        var tokens = estimator.CountPrompt(translated.Span, Operation.Chat);
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync($$"""{"input_tokens":{{tokens}}}""");
    }

    static PooledBuffer WithMaxTokens(ReadOnlySpan<byte> body)
    {
        var root = System.Text.Json.Nodes.JsonNode.Parse(body)!.AsObject();
        root["max_tokens"] ??= 1;
        var bytes = JsonSerializer.SerializeToUtf8Bytes(root);
        var buffer = new PooledBuffer(bytes.Length);
        buffer.Write(bytes);
        return buffer;
    }

    static async Task ErrorAsync(HttpContext ctx, int status, string message)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(AnthropicErrors.Serialize(status, message), ctx.RequestAborted);
    }
}
