using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Teams;

/// <summary>One account: where an account's creation points (<c>Location</c>).</summary>
public static class GetAccountEndpoint
{
    [WolverineGet("/admin/accounts/{id}", OperationId = "getAccount")]
    [Tags("accounts")]
    [ProducesResponseType<AccountResponse>(200)]
    public static async Task<IResult> Get(Guid id, IQuerySession session, CancellationToken ct) =>
        await session.LoadAsync<AccountView>(id, ct) is { } account
            ? Results.Ok(new AccountResponse(account.Id, account.Name, account.CreatedAt))
            : Results.Problem(AdminProblems.NotFound($"No account with id {id}."));
}
