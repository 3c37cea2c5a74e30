using Gateway.Domain.Requests;
using JasperFx.Events;
using Marten.Events.Projections;

namespace Gateway.Projections;

/// <summary>Running usage of one gateway key, folded from its request events by the async daemon.</summary>
public sealed class KeyUsage
{
    public Guid Id { get; set; }
    public Guid TeamId { get; set; }
    public long Requests { get; set; }
    public long FailedRequests { get; set; }
    public long PromptTokens { get; set; }
    public long CompletionTokens { get; set; }
    public long TotalTokens { get; set; }
    public decimal Cost { get; set; }
    public DateTimeOffset? LastRequestAt { get; set; }
}

public sealed class KeyUsageProjection : MultiStreamProjection<KeyUsage, Guid>
{
    public KeyUsageProjection()
    {
        Identity<RequestCompleted>(e => e.KeyId);
        // Request events come by the thousand: fetch them in large pages (a rebuild of 1 M events, bench/README.md).
        Options.BatchSize = 10_000;
    }

    public void Apply(KeyUsage usage, IEvent<RequestCompleted> e)
    {
        var r = e.Data;
        usage.TeamId = r.TeamId;
        usage.Requests++;
        if (r.Status >= 400) usage.FailedRequests++;
        usage.PromptTokens += r.PromptTokens;
        usage.CompletionTokens += r.CompletionTokens;
        usage.TotalTokens += r.TotalTokens;
        usage.Cost += r.Cost;
        if (usage.LastRequestAt is null || r.CompletedAt > usage.LastRequestAt) usage.LastRequestAt = r.CompletedAt;
    }
}
