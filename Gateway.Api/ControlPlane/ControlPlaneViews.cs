using Gateway.Api.Security;
using Gateway.Projections;
using Marten;

namespace Gateway.Api.ControlPlane;

/// <summary>
/// The hot path's in-memory view of keys, catalog and providers. It follows the events: a commit that
/// carries a control-plane event reloads it before SaveChanges returns (so a toggle or revoke applies to
/// the very next request), and a periodic reload follows changes made by other nodes.
/// </summary>
public sealed class ControlPlaneViews(IDocumentStore store, SecretBox secrets, Budgets.BudgetLedger budgets, Budgets.BudgetLeases leases,
    ILogger<ControlPlaneViews> logger)
{
    readonly SemaphoreSlim reloadGate = new(1, 1);
    volatile ControlPlaneSnapshot current = ControlPlaneSnapshot.Empty;
    long version;

    public ControlPlaneSnapshot Current => current;

    public async Task ReloadAsync(CancellationToken ct = default)
    {
        // Serialised so that a reload started after a commit always lands after any earlier one.
        await reloadGate.WaitAsync(ct);
        try
        {
            await using var session = store.QuerySession();
            var keys = await session.Query<KeyView>().ToListAsync(ct);
            var admins = await session.Query<AdminKeyView>().ToListAsync(ct);
            var providers = await session.Query<ProviderView>().ToListAsync(ct);
            var models = await session.Query<ModelView>().ToListAsync(ct);
            var teams = await session.Query<TeamView>().ToListAsync(ct);
            var routes = await session.Query<RouteView>().ToListAsync(ct);
            budgets.Sync(await session.Query<BudgetView>().ToListAsync(ct));
            await leases.ObserveAsync(budgets.All.ToList(), session, ct);
            var sealedKeys = await session.Query<ProviderSecret>().ToListAsync(ct);

            var providerKeys = new Dictionary<Guid, string>();
            foreach (var secret in sealedKeys)
            {
                try { providerKeys[secret.Id] = secrets.Open(secret); }
                catch (System.Security.Cryptography.CryptographicException)
                {
                    logger.LogError("Provider credential {CredentialId} cannot be decrypted with the configured master key", secret.Id);
                }
            }

            current = new ControlPlaneSnapshot(keys, admins, providers, models, teams, routes, providerKeys) { Version = Interlocked.Increment(ref version) };
        }
        finally
        {
            reloadGate.Release();
        }
    }
}
