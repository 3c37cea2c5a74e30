using FluentValidation;
using Gateway.Domain.Accounts;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Teams;

/// <summary>Create an account: the top of the tenancy tree (account → teams → keys); budgets can be set on it.</summary>
public sealed record CreateAccount(string Name);

public sealed class CreateAccountValidator : AbstractValidator<CreateAccount>
{
    public static readonly CreateAccountValidator Instance = new();

    CreateAccountValidator() => RuleFor(x => x.Name).NotEmpty().MaximumLength(AdminLimits.Name);
}

public sealed record AccountResponse(Guid Id, string Name, DateTimeOffset CreatedAt) : CreationResponse($"/admin/accounts/{Id}");

public static class AccountsEndpoint
{
    public static ProblemDetails Validate(CreateAccount command) => AdminProblems.Check(CreateAccountValidator.Instance, command);

    [WolverinePost("/admin/accounts", OperationId = "createAccount")]
    [Tags("accounts")]
    public static AccountResponse Post(CreateAccount command, IDocumentSession session, TimeProvider time)
    {
        var created = new AccountCreated(Guid.CreateVersion7(), command.Name.Trim());
        session.Events.StartStream<AccountView>(created.AccountId, created);
        return new AccountResponse(created.AccountId, created.Name, time.GetUtcNow());
    }
}

public static class ListAccountsEndpoint
{
    [WolverineGet("/admin/accounts", OperationId = "listAccounts")]
    [Tags("accounts")]
    public static async Task<IReadOnlyList<AccountResponse>> Get(IQuerySession session, CancellationToken ct) =>
        (await session.Query<AccountView>().OrderBy(a => a.Name).ToListAsync(ct)).Select(a => new AccountResponse(a.Id, a.Name, a.CreatedAt)).ToList();
}
