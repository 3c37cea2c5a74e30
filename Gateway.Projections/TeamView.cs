using Gateway.Domain.Teams;
using JasperFx.Events;

namespace Gateway.Projections;

public sealed class TeamView
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }

    public static TeamView Create(IEvent<TeamCreated> e) => new() { Id = e.Data.TeamId, Name = e.Data.Name, CreatedAt = e.Timestamp };
}
