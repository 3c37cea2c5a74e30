using System.Security.Cryptography;

namespace Gateway.Domain.Budgets;

/// <summary>How much of a budget a node is given at a time, and where a budget's allotment for a period is kept.</summary>
public static class BudgetLeasePolicy
{
    /// <summary>
    /// What to grant a node that needs <paramref name="need"/> for the requests waiting on it (the first of them alone
    /// needs <paramref name="minimum"/>) and expects to spend <paramref name="prefetch"/> before it asks again. All of
    /// what is waiting when it fits, nothing when not even the first request fits; beyond what is waiting, at most half
    /// of what would be left, so a small budget is not stranded on one node.
    /// </summary>
    public static decimal Grant(decimal available, decimal need, decimal minimum, decimal prefetch)
    {
        if (available <= 0 || available < minimum) return 0;
        if (available <= need) return available;
        return need + Math.Min(Math.Max(0, prefetch), (available - need) / 2);
    }

    /// <summary>
    /// What a draining slice gives back, reckoned from what the allotment says its lease holds (not from the node's
    /// memory, which may have missed the acknowledgement of an earlier return): all it does not keep; it closes once
    /// nothing is in flight on it.
    /// </summary>
    public static BudgetReturn Return(Guid budgetId, BudgetSlice slice, decimal leaseHeld, decimal spent, decimal reserved) =>
        new(budgetId, slice, Math.Max(0, leaseHeld - spent - reserved), reserved == 0);

    /// <summary>The allotment stream of a budget in a period: a name-based id, the same on every node.</summary>
    public static Guid AllotmentId(Guid budgetId, DateTimeOffset periodStart)
    {
        Span<byte> input = stackalloc byte[24];
        budgetId.TryWriteBytes(input);
        BitConverter.TryWriteBytes(input[16..], periodStart.UtcTicks);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(input, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8: a custom, name-based id
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80);
        return new Guid(hash[..16], bigEndian: true);
    }
}
