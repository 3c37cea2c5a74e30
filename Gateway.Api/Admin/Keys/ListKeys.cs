using Gateway.Analytics;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Keys;

public sealed record KeyResponse(Guid Id, Guid TeamId, string Name, string Prefix, bool Revoked, string? RevokedReason,
    DateTimeOffset IssuedAt, DateTimeOffset? RevokedAt)
{
    public string? Owner { get; init; }
    public DateTimeOffset? ExpiresAt { get; init; }
    public DateTimeOffset? RotatedAt { get; init; }
    public DateTimeOffset? PreviousSecretValidUntil { get; init; }
    public IReadOnlyList<string>? AllowedModels { get; init; }
    public int? RequestsPerMinute { get; init; }
    public int? TokensPerMinute { get; init; }
    public bool AllowsRequestProviderKey { get; init; }
    /// <summary>How long the key's answers are cached (its own setting; its team's applies when null).</summary>
    public int? CacheTtlSeconds { get; init; }

    public static KeyResponse From(KeyView k) => new(k.Id, k.TeamId, k.Name, k.Prefix, k.Revoked, k.RevokedReason, k.IssuedAt, k.RevokedAt)
    {
        Owner = k.Owner, ExpiresAt = k.ExpiresAt, RotatedAt = k.RotatedAt, PreviousSecretValidUntil = k.PreviousValidUntil,
        AllowedModels = k.AllowedModels, RequestsPerMinute = k.RequestsPerMinute, TokensPerMinute = k.TokensPerMinute,
        AllowsRequestProviderKey = k.AllowsRequestProviderKey, CacheTtlSeconds = k.CacheTtlSeconds,
    };
}

public static class ListKeysEndpoint
{
    [WolverineGet("/admin/keys", OperationId = "listKeys")]
    [Tags("keys")]
    public static async Task<IReadOnlyList<KeyResponse>> Get(Guid? teamId, IQuerySession session, HttpContext ctx, CancellationToken ct)
    {
        // A key manager sees its own team's keys only.
        if (ctx.Principal() is { Role: Gateway.Domain.Keys.AdminRoles.KeyManager } manager) teamId = manager.TeamId;
        var query = session.Query<KeyView>().AsQueryable();
        if (teamId is { } team) query = query.Where(k => k.TeamId == team);
        return (await query.OrderBy(k => k.IssuedAt).ToListAsync(ct)).Select(KeyResponse.From).ToList();
    }

    /// <summary>
    /// Running totals for one key, summed over its requests in the analytics export (about a second behind the
    /// ledger). A node that does not export answers 409: the totals live in the export.
    /// </summary>
    [WolverineGet("/admin/keys/{id}/usage", OperationId = "keyUsage")]
    [Tags("keys")]
    [ProducesResponseType<KeyUsage>(200)]
    public static async Task<IResult> Usage(Guid id, IQuerySession session, GatewayOptions options, HttpContext ctx, CancellationToken ct)
    {
        var (key, refusal) = await ManagedKey.LoadForReadingAsync(id, session, ctx, ct);
        if (refusal is not null) return refusal;
        if (!options.AnalyticsExport)
            return Results.Problem(new ProblemDetails
            {
                Status = 409, Title = "Usage comes from the analytics export",
                Detail = "This node does not export (Gateway:AnalyticsExport is false): ask a node that does.",
            });
        using var db = AnalyticsSchema.Open(options.AnalyticsFile);
        return Results.Ok(KeyUsageQuery.Run(db, id, key!.TeamId));
    }
}
