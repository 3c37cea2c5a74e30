using FluentValidation;
using Gateway.Api.Budgets;
using Gateway.Api.ControlPlane;
using Gateway.Api.Security;
using Gateway.Domain.Budgets;
using Gateway.Projections;
using Marten;
using Microsoft.AspNetCore.Mvc;
using Wolverine.Http;

namespace Gateway.Api.Admin.Budgets;

/// <summary>
/// Set a budget on the whole gateway (<c>account</c>), a team or a key: a USD limit per period (daily, weekly,
/// monthly — reset on calendar boundaries in <c>timeZone</c> — or lifetime), alert thresholds in percent, and what
/// happens when a request would pass the limit: <c>block</c> (429 insufficient_quota) or <c>downgrade</c> to a cheaper model.
/// </summary>
public sealed record SetBudget(
    string Scope, Guid? ScopeId, decimal LimitUsd, string Period = BudgetPeriods.Monthly, string TimeZone = "UTC",
    IReadOnlyList<int>? Thresholds = null, string OnExhausted = BudgetPolicies.Block, string? DowngradeModel = null, string? WebhookUrl = null);

public sealed class SetBudgetValidator : AbstractValidator<SetBudget>
{
    public SetBudgetValidator(ControlPlaneSnapshot catalog, GatewayOptions options)
    {
        RuleFor(x => x.Scope).Must(BudgetScopes.IsKnown).WithMessage("must be account, team or key.");
        RuleFor(x => x.ScopeId).NotEmpty().When(x => x.Scope is BudgetScopes.Team or BudgetScopes.Key).WithMessage("is required for a team or key budget.");
        RuleFor(x => x.LimitUsd).GreaterThan(0).PrecisionScale(18, 6, ignoreTrailingZeros: true);
        RuleFor(x => x.Period).Must(BudgetPeriods.IsKnown).WithMessage("must be daily, weekly, monthly or lifetime.");
        RuleFor(x => x.TimeZone).Cascade(CascadeMode.Stop).MaximumLength(AdminLimits.TimeZone)
            .Must(z => TimeZoneInfo.TryFindSystemTimeZoneById(z ?? "", out _)).WithMessage("must be a time zone id such as UTC or Europe/Paris.");
        RuleFor(x => x.Thresholds).Cascade(CascadeMode.Stop).AtMost(AdminLimits.Thresholds)
            .Must(t => t is null || t.Distinct().Count() == t.Count).WithMessage("must not repeat a threshold.");
        RuleForEach(x => x.Thresholds).InclusiveBetween(1, 100).When(x => AdminLimitRules.AtMost(x.Thresholds, AdminLimits.Thresholds));
        RuleFor(x => x.OnExhausted).Must(BudgetPolicies.IsKnown).WithMessage("must be block or downgrade.");
        RuleFor(x => x.DowngradeModel).NotEmpty().When(x => x.OnExhausted == BudgetPolicies.Downgrade).WithMessage("is required to downgrade.");
        RuleFor(x => x.DowngradeModel).Cascade(CascadeMode.Stop).MaximumLength(AdminLimits.ModelName)
            .Must(m => catalog.ModelsByPublicId.ContainsKey(m!)).When(x => !string.IsNullOrEmpty(x.DowngradeModel))
            .WithMessage((_, m) => $"no catalog model '{m}'.");
        RuleFor(x => x.WebhookUrl).Cascade(CascadeMode.Stop).MaximumLength(AdminLimits.Url)
            .Must(u => Uri.TryCreate(u, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https").WithMessage("must be an absolute http(s) URL.")
            .Must(u => options.AllowPrivateWebhooks || WebhookTarget.RefusalOf(new Uri(u!)) is null)
            .WithMessage((_, u) => $"{WebhookTarget.RefusalOf(new Uri(u!))?.TrimEnd('.')} (the setting Gateway:AllowPrivateWebhooks allows it).")
            .When(x => !string.IsNullOrEmpty(x.WebhookUrl));
    }
}

public sealed record BudgetResponse(
    Guid Id, string Scope, Guid? ScopeId, decimal LimitUsd, string Period, string TimeZone, IReadOnlyList<int> Thresholds,
    string OnExhausted, string? DowngradeModel, BudgetBalance? Balance) : CreationResponse($"/admin/budgets/{Id}")
{
    public string? WebhookUrl { get; init; }
    /// <summary>Whether deliveries are signed (a webhook set before signing existed is not, until set again).</summary>
    public bool WebhookSigned { get; init; }
    /// <summary>The webhook's signing secret: in the response that set or changed the webhook URL only, never again.</summary>
    public string? WebhookSecret { get; init; }
    /// <summary>What the ledger says was settled, per period (newest first), folded from the BudgetDebited events.</summary>
    public IReadOnlyList<SettledPeriod>? Settled { get; init; }

    public static BudgetResponse From(BudgetView v, BudgetLedger ledger) => new(v.Id, v.Scope, v.ScopeId, v.LimitUsd, v.Period, v.TimeZone,
        v.Thresholds, v.OnExhausted, v.DowngradeModel, ledger.Find(v.Id)?.Account.Balance(ledger.Time.GetUtcNow())) { WebhookUrl = v.WebhookUrl, WebhookSigned = v.WebhookSecretId is not null };
}

public sealed record SettledPeriod(DateTimeOffset PeriodStart, decimal Settled, long Requests);

public static class SetBudgetEndpoint
{
    public static async Task<ProblemDetails> ValidateAsync(SetBudget command, ControlPlaneViews views, GatewayOptions options, IQuerySession session, CancellationToken ct)
    {
        var problems = AdminProblems.Check(new SetBudgetValidator(views.Current, options), command);
        if (problems != WolverineContinue.NoProblems) return problems;
        var exists = command.Scope switch
        {
            BudgetScopes.Team => await session.LoadAsync<TeamView>(command.ScopeId!.Value, ct) is not null,
            BudgetScopes.Key => await session.LoadAsync<KeyView>(command.ScopeId!.Value, ct) is not null,
            // An account budget without an account id covers the whole gateway.
            BudgetScopes.Account when command.ScopeId is { } account => await session.LoadAsync<AccountView>(account, ct) is not null,
            _ => true,
        };
        return exists ? WolverineContinue.NoProblems : AdminProblems.Invalid("scopeId", $"no {command.Scope} with id {command.ScopeId}.");
    }

    [WolverinePost("/admin/budgets", OperationId = "setBudget")]
    [Tags("budgets")]
    public static async Task<BudgetResponse> Post(SetBudget command, IDocumentSession session, BudgetLedger ledger, SecretBox secrets, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        var set = Set(id, command);
        var (secret, secretSet) = BudgetWebhookSecrets.Follow(session, secrets, id, null, null, set.WebhookUrl);
        if (secretSet is null) session.Events.StartStream<BudgetView>(id, set);
        else session.Events.StartStream<BudgetView>(id, set, secretSet);
        await session.SaveChangesAsync(ct);
        return BudgetResponse.From((await session.LoadAsync<BudgetView>(id, ct))!, ledger) with { WebhookSecret = secret };
    }

    internal static BudgetSet Set(Guid id, SetBudget c) => new(id, c.Scope, c.ScopeId, c.LimitUsd, c.Period, c.TimeZone,
        c.Thresholds ?? [50, 80, 100], c.OnExhausted, string.IsNullOrEmpty(c.DowngradeModel) ? null : c.DowngradeModel,
        string.IsNullOrEmpty(c.WebhookUrl) ? null : c.WebhookUrl);
}
