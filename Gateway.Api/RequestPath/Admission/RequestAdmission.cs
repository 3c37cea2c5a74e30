using System.Globalization;
using System.Text.Json;
using Gateway.Api.Budgets;
using Gateway.Api.ControlPlane;
using Gateway.Api.Limits;
using Gateway.Api.RequestPath.Completion;
using Gateway.Api.RequestPath.Wire;
using Gateway.Api.Routing;
using Gateway.Domain.Budgets;
using Gateway.Domain.Requests;

namespace Gateway.Api.RequestPath.Admission;

/// <summary>
/// The first step: whether a request goes upstream at all. The key was authenticated; here the body is checked
/// (size, time, framing, text), translated to OpenAI's format, parsed and validated; its model resolved to a route;
/// the key's scope consulted, synchronously and in memory; then the fleet's rate limits and budgets
/// (<see cref="LimitAndReserveAsync"/>). A refusal is returned as a value for the caller to record and answer.
/// </summary>
public sealed class RequestAdmission(BudgetGate budgets, RateLimits limits, GatewayOptions options, TimeProvider time)
{
    /// <summary>A request without a valid gateway key: no record (there is no key to charge it to), only a request id.</summary>
    public static async Task RefuseKeyAsync(HttpContext ctx, ClientDialect dialect, TimeProvider time)
    {
        RequestIdHeader.Stamp(ctx, time);
        ctx.Response.StatusCode = 401;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.Body.WriteAsync(dialect.Error(401, dialect.InvalidKeyMessage, ErrorTypes.InvalidRequest, "invalid_api_key"), ctx.RequestAborted);
    }

    /// <returns>The admitted request, or null with <paramref name="refusal"/> to record and answer.</returns>
    public AdmittedRequest? Admit(HttpContext ctx, BodyRead read, ClientDialect dialect, ControlPlaneSnapshot snapshot, GatewayKey key,
        RequestTrace trace, PooledBuffer body, out ClientError refusal)
    {
        if (BodyRefusal(ctx, read, body) is { } badBody)
        {
            refusal = badBody;
            return null;
        }
        var translated = new PooledBuffer(dialect.SpeaksOpenAi ? 1 : body.Length + 256);
        try
        {
            if (Check(dialect, snapshot, key, trace, body, translated, out var head, out var openAiBody, out var route) is { } refused)
            {
                translated.Dispose();
                refusal = refused;
                return null;
            }
            refusal = default;
            return new AdmittedRequest(ctx, trace, dialect, head, body, openAiBody, route, key, snapshot, translated);
        }
        catch
        {
            translated.Dispose();
            throw;
        }
    }

    /// <summary>What a body that could not be read whole, or whose text no provider accepts, is told; null when it is fine.</summary>
    ClientError? BodyRefusal(HttpContext ctx, BodyRead read, PooledBuffer body)
    {
        switch (read)
        {
            case BodyRead.TooLarge:
                return new(413, $"The request body is larger than the limit of {options.MaxRequestBodyBytes} bytes.",
                    ErrorTypes.InvalidRequest, "request_too_large");
            case BodyRead.TimedOut:
                // A body that stalls or never ends: the client is still there, so it gets an answer in its format.
                ctx.Response.Headers.Connection = "close";
                return new(408, $"The request body did not arrive in time (all of it within {options.RequestBodyTimeout.TotalSeconds:0} s, at a steady minimum rate).",
                    ErrorTypes.InvalidRequest, "request_timeout");
            case BodyRead.Malformed:
                ctx.Response.Headers.Connection = "close";
                return new(400, "The request body's HTTP framing is malformed (chunk sizes or lengths do not add up).",
                    ErrorTypes.InvalidRequest, "invalid_request");
        }
        return BodyText.Problem(body.Span) is { } problem ? new(400, problem, ErrorTypes.InvalidRequest, "invalid_json") : null;
    }

    /// <summary>The request's shape, its model and the key's scope, in that order; null when all pass.</summary>
    ClientError? Check(ClientDialect dialect, ControlPlaneSnapshot snapshot, GatewayKey key, RequestTrace trace, PooledBuffer body,
        PooledBuffer translated, out RequestHead head, out ReadOnlyMemory<byte> openAiBody, out CompiledRoute route)
    {
        route = null!;
        if (Parse(dialect, trace, body, translated, out head, out openAiBody) is { } malformed) return malformed;
        if (Resolve(snapshot, head, trace, out route) is { } unknown) return unknown;
        if (!key.MayCall(head.Model!))
            return new(403, $"This key may not use the model '{head.Model}'.", ErrorTypes.InvalidRequest, "model_not_allowed", "model");
        return null;
    }

    /// <summary>Translates the body to OpenAI's format, reads its head and validates it.</summary>
    static ClientError? Parse(ClientDialect dialect, RequestTrace trace, PooledBuffer body, PooledBuffer translated,
        out RequestHead head, out ReadOnlyMemory<byte> openAiBody)
    {
        head = null!;
        openAiBody = default;
        try
        {
            try
            {
                openAiBody = dialect.TranslateRequest(body.Span, translated) ? translated.Memory : body.Memory;
            }
            catch (TranslationException ex) when (dialect.HasNativeTargets)
            {
                // Only a target of the client's own format can take it as it is; the others are refused with this.
                translated.Clear();
                bool partly;
                try
                {
                    partly = dialect.TranslatePartly(body.Span, translated);
                }
                catch (Exception unreadable) when (unreadable is JsonException or TranslationException or InvalidOperationException or KeyNotFoundException)
                {
                    partly = false; // not even a part of it reads (a JSON null, a string…): the translation's own error says why
                }
                if (!partly) throw;
                trace.Untranslatable = ex;
                openAiBody = translated.Memory;
            }
            head = RequestHead.Parse(openAiBody.Span, trace.Operation);
        }
        catch (JsonException ex)
        {
            return new(400, $"The request body is not valid JSON ({JsonMessages.WithoutPath(ex.Message)}).", ErrorTypes.InvalidRequest, "invalid_json");
        }
        catch (TranslationException ex)
        {
            return new(400, ex.Message, ErrorTypes.InvalidRequest, "invalid_value", ex.Param);
        }
        if (head.TypeError is not null) return new(400, head.TypeError, ErrorTypes.InvalidRequest, "invalid_type", head.TypeErrorParam);
        var validation = RequestHeadValidator.Instance.Validate(head);
        if (validation.IsValid) return null;
        // What could be translated is not a request on its own (say, only an item reference was sent): the translation's error says why.
        if (trace.Untranslatable is { } untranslatable) return new(400, untranslatable.Message, ErrorTypes.InvalidRequest, "invalid_value", untranslatable.Param);
        var first = validation.Errors[0];
        return new(400, first.ErrorMessage, ErrorTypes.InvalidRequest, "invalid_value", first.PropertyName);
    }

    /// <summary>The model asked for: a route by that name, else an enabled catalog model on its own.</summary>
    static ClientError? Resolve(ControlPlaneSnapshot snapshot, RequestHead head, RequestTrace trace, out CompiledRoute route)
    {
        var model = head.Model!;
        var streamed = head.Stream && trace.Operation == Operation.Chat;
        if (snapshot.RoutesByName.TryGetValue(model, out var named))
        {
            trace.Asked(model, streamed, named.Name);
            route = named;
            return null;
        }
        trace.Asked(model, streamed, null);
        if (snapshot.ModelsByPublicId.TryGetValue(model, out var catalog) && catalog.Enabled)
        {
            route = CompiledRoute.Single(catalog);
            return null;
        }
        route = null!;
        return new(404, $"The model '{head.Model}' does not exist or is not enabled.", ErrorTypes.InvalidRequest, "model_not_found", "model");
    }

    /// <summary>
    /// The last steps of admission, against quotas the whole fleet shares: the key's and its team's requests and tokens
    /// per minute, then the worst-case cost reserved at every budget (a budget that refuses may send the request to its
    /// cheaper model). Completes at once unless this node's slice of a limit or a budget has run out.
    /// </summary>
    /// <returns>Null when the request may go on (its reservation on the trace), else the refusal.</returns>
    public async ValueTask<ClientError?> LimitAndReserveAsync(AdmittedRequest admitted)
    {
        var (key, head, trace, ct) = (admitted.Key, admitted.Head, admitted.Trace, admitted.Ctx.RequestAborted);
        if (key.HasRateLimits && await limits.AcquireAsync(key, () => budgets.MostTokens(head, trace, admitted.OpenAiBody.Span), ct) is { } limited)
            return new(429, limited.Message, limited.Tokens ? "tokens" : "requests", "rate_limit_exceeded",
                RetryAfterSeconds: Math.Max(1, (long)Math.Ceiling(limited.RetryAfter.TotalSeconds)));
        BudgetReservation? reservation;
        BudgetRule? refusedBy;
        try
        {
            (reservation, refusedBy) = await budgets.ReserveAsync(key, admitted.Route, head, trace, admitted.OpenAiBody.Span, ct);
        }
        catch (BudgetsUnavailableException)
        {
            return new(503, "This gateway node cannot reach its database to account for this key's budgets; try again (another node may serve it).",
                ErrorTypes.Server, "budget_unavailable", RetryAfterSeconds: 1);
        }
        if (refusedBy is null)
        {
            trace.Reserved(reservation);
            return null;
        }
        CatalogModel? cheaper = null;
        if (refusedBy.DowngradeModel is { } cheaperId) admitted.Snapshot.ModelsByPublicId.TryGetValue(cheaperId, out cheaper);
        if (BudgetDowngrade.Applies(refusedBy.OnExhausted, refusedBy.DowngradeModel, cheaper is { Enabled: true }))
        {
            var downgraded = CompiledRoute.Single(cheaper!);
            (reservation, var stillRefused) = await budgets.ReserveAsync(key, downgraded, head, trace, admitted.OpenAiBody.Span, ct);
            if (stillRefused is null)
            {
                admitted.Route = downgraded;
                trace.Downgraded(refusedBy.Id);
                trace.Reserved(reservation);
                return null;
            }
        }
        return Exhausted(refusedBy);
    }

    /// <summary>The refusal names the budget that refused first, what it has spent and reserved, and when it resets.</summary>
    ClientError Exhausted(BudgetRule refusedBy)
    {
        var balance = refusedBy.Account.Balance(time.GetUtcNow());
        long? retryAfter = balance.PeriodEnd is { } end ? Math.Max(1, (long)Math.Ceiling((end - time.GetUtcNow()).TotalSeconds)) : null;
        return new(429,
            $"The {refusedBy.Scope} budget {refusedBy.Id} cannot cover this request: {balance.Spent:0.######} of {balance.Limit:0.######} USD spent" +
            $" and {balance.Reserved:0.######} reserved this {refusedBy.Account.Period} period{(balance.PeriodEnd is { } e ? $"; it resets at {e:O}" : "")}.",
            "insufficient_quota", "insufficient_quota", RetryAfterSeconds: retryAfter);
    }
}
