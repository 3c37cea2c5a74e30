using Gateway.Domain.Routes;
using JasperFx.Events;

namespace Gateway.Projections;

/// <summary>A route as it stands: built inline from its stream, read by the hot path's route view.</summary>
public sealed class RouteView
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public List<RouteTier> Tiers { get; set; } = [];
    public RoutePolicy Policy { get; set; } = RoutePolicy.Default;
    public bool Removed { get; set; }
    public DateTimeOffset DefinedAt { get; set; }

    public static RouteView Create(IEvent<RouteDefined> e) => new RouteView { Id = e.Data.RouteId }.With(e);

    public void Apply(IEvent<RouteDefined> e) => With(e);

    public void Apply(RouteRemoved e) => Removed = true;

    RouteView With(IEvent<RouteDefined> e)
    {
        Name = e.Data.Name;
        Tiers = [.. e.Data.Tiers];
        Policy = e.Data.Policy;
        Removed = false;
        DefinedAt = e.At();
        return this;
    }
}
