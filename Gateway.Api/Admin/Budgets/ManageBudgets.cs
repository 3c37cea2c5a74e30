using Gateway.Api.Budgets;
using Gateway.Api.ControlPlane;
using Gateway.Api.Security;
using Gateway.Domain.Budgets;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Budgets;

/// <summary>Change a budget as a whole (limit, period, policy); spend so far in the period stays.</summary>
public static class ChangeBudgetEndpoint
{
    public static ProblemDetails Validate(SetBudget command, ControlPlaneViews views, GatewayOptions options) =>
        AdminProblems.Check(new SetBudgetValidator(views.Current, options), command);

    [WolverinePut("/admin/budgets/{id}", OperationId = "changeBudget")]
    [Tags("budgets")]
    [ProducesResponseType<BudgetResponse>(200)]
    public static async Task<IResult> Put(Guid id, SetBudget command, IDocumentSession session, BudgetLedger ledger, SecretBox secrets, CancellationToken ct)
    {
        var budget = await session.LoadAsync<BudgetView>(id, ct);
        if (budget is null || budget.Removed) return Results.Problem(AdminProblems.NotFound($"No budget with id {id}."));
        if (budget.Scope != command.Scope || budget.ScopeId != command.ScopeId)
            return Results.Problem(AdminProblems.Invalid("scope", "a budget's scope cannot change; remove it and set a new one."));
        var set = SetBudgetEndpoint.Set(id, command);
        var (secret, secretSet) = BudgetWebhookSecrets.Follow(session, secrets, id, budget.WebhookUrl, budget.WebhookSecretId, set.WebhookUrl);
        if (secretSet is null) session.Events.Append(id, set);
        else session.Events.Append(id, set, secretSet);
        await session.SaveChangesAsync(ct);
        return Results.Ok(BudgetResponse.From((await session.LoadAsync<BudgetView>(id, ct))!, ledger) with { WebhookSecret = secret });
    }
}

public static class RemoveBudgetEndpoint
{
    [WolverineDelete("/admin/budgets/{id}", OperationId = "removeBudget")]
    [Tags("budgets")]
    public static async Task<IResult> Delete(Guid id, IDocumentSession session, CancellationToken ct)
    {
        var budget = await session.LoadAsync<BudgetView>(id, ct);
        if (budget is null || budget.Removed) return Results.Problem(AdminProblems.NotFound($"No budget with id {id}."));
        session.Events.Append(id, new BudgetRemoved(id));
        if (budget.WebhookSecretId is { } secret) session.Delete<WebhookSecret>(secret);
        await session.SaveChangesAsync(ct);
        return Results.NoContent();
    }
}

/// <summary>Budgets with their live balance: spent and reserved this period, remaining, and when the period ends.</summary>
public static class ListBudgetsEndpoint
{
    [WolverineGet("/admin/budgets", OperationId = "listBudgets")]
    [Tags("budgets")]
    public static async Task<IReadOnlyList<BudgetResponse>> Get(IQuerySession session, BudgetLedger ledger, CancellationToken ct) =>
        (await session.Query<BudgetView>().Where(b => !b.Removed).ToListAsync(ct)).Select(b => BudgetResponse.From(b, ledger)).ToList();

    [WolverineGet("/admin/budgets/{id}", OperationId = "getBudget")]
    [Tags("budgets")]
    [ProducesResponseType<BudgetResponse>(200)]
    public static async Task<IResult> GetOne(Guid id, IQuerySession session, BudgetLedger ledger, CancellationToken ct)
    {
        if (await session.LoadAsync<BudgetView>(id, ct) is not { Removed: false } budget)
            return Results.Problem(AdminProblems.NotFound($"No budget with id {id}."));
        var prefix = BudgetPeriodBalance.PrefixOf(id);
        var settled = (await session.Query<BudgetPeriodBalance>().Where(b => b.Id.StartsWith(prefix)).ToListAsync(ct))
            .Select(b => new SettledPeriod(b.PeriodStart, b.Settled, b.Requests)).OrderByDescending(p => p.PeriodStart).ToList();
        return Results.Ok(BudgetResponse.From(budget, ledger) with { Settled = settled });
    }
}
