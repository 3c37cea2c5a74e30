using Gateway.Domain;
using Gateway.Domain.Requests;
using Gateway.Projections;
using Marten;

namespace Gateway.Tests.Audit;

/// <summary>
/// The audit trail's projection names its event types one by one, so Marten's daemon fetches only control-plane events
/// for it; named through their interface, it would read (and deserialize) every request event in the store.
/// </summary>
[Collection(GatewayCollection.Name)]
public class AuditProjectionFetchTests(GatewayFixture gateway)
{
    [Fact]
    public void the_daemon_fetches_only_control_plane_event_types_for_the_audit_trail()
    {
        var audit = ((StoreOptions)gateway.Store.Options).Projections.All.OfType<AuditProjection>().Single();
        Assert.DoesNotContain(audit.IncludedEventTypes, t => t.IsInterface || t.IsAbstract);
        Assert.DoesNotContain(typeof(RequestCompleted), audit.IncludedEventTypes);
        // Every control-plane event in the domain, including any added later.
        var all = typeof(IControlPlaneEvent).Assembly.GetTypes().Where(t => !t.IsInterface && typeof(IControlPlaneEvent).IsAssignableFrom(t)).ToArray();
        Assert.True(all.Length > 10, $"{all.Length} control-plane event types");
        Assert.All(all, t => Assert.Contains(t, audit.IncludedEventTypes));
    }
}
