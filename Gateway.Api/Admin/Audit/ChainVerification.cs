using Gateway.Api.Audit;
using Wolverine.Http;

namespace Gateway.Api.Admin.Audit;

public static class ChainVerificationEndpoint
{
    /// <summary>
    /// Recomputes the tamper-evidence chain over every linked event, as <c>./gateway audit verify</c> does: how many
    /// events hold, the head hash, and the first break if any. One run at a time; see <see cref="ChainVerifier"/>.
    /// </summary>
    [WolverineGet("/admin/audit/chain", OperationId = "verifyChain")]
    [Tags("audit")]
    public static Task<ChainReport> Get(ChainVerifier verifier, CancellationToken ct) => verifier.VerifyAsync(ct);
}
